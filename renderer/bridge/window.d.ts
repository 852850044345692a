/** `window.fledge`: the typed client of the IPC contract (Electron's preload or the browser-mode bridge). */
import type { FledgeApi } from '../../shared/ipc/index.js';

declare global {
  interface Window {
    fledge: FledgeApi;
  }
}
