// The preload (bundled to dist/preload.cjs: sandboxed preloads are CommonJS with only Electron's
// renderer modules): window.fledge, the contract's client over IPC, and window.fledgeFiles.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { filesApi, preloadApi } from './bridge.js';

contextBridge.exposeInMainWorld('fledge', preloadApi(ipcRenderer));
contextBridge.exposeInMainWorld(
  'fledgeFiles',
  filesApi((file) => webUtils.getPathForFile(file)),
);
