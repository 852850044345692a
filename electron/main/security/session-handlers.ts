// What a page may ask of the session: nothing. Every permission request (camera, notifications,
// clipboard, geolocation...) and check is denied, device access too, and no page may attach a
// <webview>. Handlers are plain functions so tests call them without Electron.

export type PermissionRequestHandler = (
  webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
) => void;

export const denyPermissionRequest: PermissionRequestHandler = (_wc, _permission, callback) =>
  callback(false);

export const denyPermissionCheck = (): boolean => false;

export const denyDevicePermission = (): boolean => false;

/** will-attach-webview: refused, whatever the options. */
export function refuseWebview(event: { preventDefault(): void }): void {
  event.preventDefault();
}

/** The slice of Electron's Session these are installed on. */
export interface SessionLike {
  setPermissionRequestHandler(handler: PermissionRequestHandler): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler?(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[] | string> },
        callback: (response: { responseHeaders: Record<string, string[] | string> }) => void,
      ) => void,
    ): void;
  };
}
