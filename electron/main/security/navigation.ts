// Navigation and new windows: a window stays on our own pages. Links a page tries to open go to the
// system browser when they are plain http(s) links (checked), and nowhere otherwise.
import { isAppUrl, isSafeExternalUrl } from './origin.js';

export type OpenExternal = (url: string) => Promise<void> | void;

/** will-navigate / will-redirect / will-frame-navigate: only our own pages. */
export function navigationGuard(openExternal: OpenExternal) {
  return (event: { preventDefault(): void; url?: string }, url?: string): void => {
    const target = url ?? event.url;
    if (isAppUrl(target)) return;
    event.preventDefault();
    if (isSafeExternalUrl(target)) void openExternal(target as string);
  };
}

/** setWindowOpenHandler: never a new Electron window; an http(s) link opens in the system browser. */
export function windowOpenHandler(openExternal: OpenExternal) {
  return ({ url }: { url: string }): { action: 'deny' } => {
    if (isSafeExternalUrl(url)) void openExternal(url);
    return { action: 'deny' };
  };
}
