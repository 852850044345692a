// A minimal `electron` for running the bundled dist/main.js under plain Node: once main has loaded
// its window, it sends IPC messages as that window and as a foreign page, asks the app:// protocol
// for a file outside the renderer, and prints each answer as a JSON line, then exits.
import { EventEmitter } from 'node:events';

const handlers = new Map();
let protocolHandler = null;
const out = (what, value) => process.stdout.write(`${JSON.stringify({ what, value })}\n`);

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  quit() {},
  exit: (code) => process.exit(code),
  enableSandbox() {},
  whenReady: async () => {},
  getVersion: () => '0.1.0',
  getPath: () => process.env.FAKE_USER_DATA,
  getAppMetrics: () => [],
});

async function probe(url) {
  const call = handlers.get('fledge:call');
  const frame = { url, parent: null };
  out('ours', await call({ sender: { id: 1 }, senderFrame: frame }, { method: 'app.info', params: {} }));
  out(
    'forged',
    await call(
      { sender: { id: 1 }, senderFrame: { url: 'https://evil.example/', parent: null } },
      { method: 'app.info', params: {} },
    ),
  );
  const outside = await protocolHandler({ url: 'app://fledge/%2e%2e/main.js', method: 'GET' });
  out('outside', { status: outside.status, csp: outside.headers.get('content-security-policy') });
  process.exit(0);
}

class BrowserWindow extends EventEmitter {
  static windows = [];
  static getAllWindows = () => BrowserWindow.windows;
  static getFocusedWindow = () => BrowserWindow.windows[0] ?? null;
  constructor(options) {
    super();
    out('window', options);
    this.webContents = Object.assign(new EventEmitter(), {
      id: 1,
      url: '',
      getURL() {
        return this.url;
      },
      send() {},
      setWindowOpenHandler() {},
    });
    BrowserWindow.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url) {
    this.webContents.url = url;
    setTimeout(() => probe(url), 20);
    return Promise.resolve();
  }
  isDestroyed = () => false;
  isMaximized = () => false;
  getNormalBounds = () => ({ x: 0, y: 0, width: 800, height: 600 });
  maximize() {}
  show() {}
}

export const ipcMain = { handle: (c, h) => handlers.set(c, h), on() {}, removeAllListeners() {} };
export const protocol = {
  registerSchemesAsPrivileged() {},
  handle: (_scheme, h) => {
    protocolHandler = h;
  },
};
export const session = {
  defaultSession: {
    setPermissionRequestHandler() {},
    setPermissionCheckHandler() {},
    setDevicePermissionHandler() {},
    webRequest: { onHeadersReceived() {} },
  },
};
export const shell = { openExternal: async () => {} };
export const Menu = { buildFromTemplate: (t) => t, setApplicationMenu() {} };
export const dialog = { showOpenDialog: async () => ({ canceled: true, filePaths: [] }) };
export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
export const utilityProcess = {
  fork() {
    throw new Error('no utility processes here');
  },
};
export { app, BrowserWindow };
export default {
  app,
  BrowserWindow,
  ipcMain,
  protocol,
  session,
  shell,
  Menu,
  dialog,
  screen,
  utilityProcess,
};
