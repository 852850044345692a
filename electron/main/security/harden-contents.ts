// Applied to every webContents the app creates (app 'web-contents-created'): navigation kept on our
// pages, new windows denied (http(s) links to the system browser), <webview> refused.
import { navigationGuard, type OpenExternal, windowOpenHandler } from './navigation.js';
import { refuseWebview } from './session-handlers.js';

type Listener = (event: { preventDefault(): void; url?: string }, url?: string) => void;

export interface ContentsLike {
  on(
    event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate' | 'will-attach-webview',
    listener: Listener,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function hardenWebContents(contents: ContentsLike, openExternal: OpenExternal): void {
  const guard = navigationGuard(openExternal);
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-attach-webview', refuseWebview);
  contents.setWindowOpenHandler(windowOpenHandler(openExternal));
}
