// A fake `electron` module for driving the main process and the preload without Electron: it records
// what they register (schemes, protocol handlers, session handlers, IPC handlers, windows, menus)
// and lets a test send IPC messages as a given frame. Only what our code touches is here.
import { EventEmitter } from 'node:events';
import { StandInElectron } from '../support/utility-stand-in/index.js';

export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  url = '';
  sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.windowOpenHandler = h;
  }
  getURL() {
    return this.url;
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  /** The main frame as Electron's WebFrameMain describes it. */
  get mainFrame() {
    return { url: this.url, parent: null };
  }
}

export interface FakeElectron {
  calls: string[];
  schemes: unknown[];
  protocolHandlers: Map<string, (req: { url: string; method?: string }) => Promise<Response>>;
  ipcHandlers: Map<string, (event: unknown, ...args: unknown[]) => unknown>;
  /** ipcMain.on listeners (electron-store registers one when it is made in the main process). */
  ipcListeners: Map<string, (event: unknown, ...args: unknown[]) => unknown>;
  windows: FakeBrowserWindowType[];
  menuTemplate: unknown[] | null;
  session: {
    permissionRequest: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null;
    permissionCheck: (() => boolean) | null;
    devicePermission: (() => boolean) | null;
    headers:
      | ((d: { url: string; responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void)
      | null;
  };
  opened: string[];
  lock: boolean;
  app: EventEmitter & Record<string, unknown>;
  module: Record<string, unknown>;
  utility: StandInElectron;
  /** Every dialog.showMessageBox: the window it was shown on and its options. */
  messageBoxes: { window: unknown; options: Record<string, unknown> }[];
  /** The button the person "clicks" in the next message box (default: Cancel, button 1). */
  messageBoxAnswer: (options: Record<string, unknown>) => number | Promise<number>;
}

type FakeBrowserWindowType = InstanceType<ReturnType<typeof makeWindowClass>>;

function makeWindowClass(fake: () => FakeElectron, app: EventEmitter) {
  return class FakeBrowserWindow extends EventEmitter {
    static getAllWindows = () => fake().windows.filter((w) => !w.destroyed);
    static getFocusedWindow = () => fake().windows.find((w) => !w.destroyed) ?? null;
    readonly webContents = new FakeWebContents();
    destroyed = false;
    shown = false;
    focused = 0;
    constructor(readonly options: Record<string, unknown>) {
      super();
      fake().windows.push(this as never);
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      this.webContents.url = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return this.destroyed;
    }
    isMinimized() {
      return false;
    }
    isMaximized() {
      return false;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 900, height: 700 };
    }
    maximize() {}
    restore() {}
    focus() {
      this.focused++;
    }
    show() {
      this.shown = true;
    }
  };
}

export function fakeElectron(options: { lock?: boolean; packaged?: boolean } = {}): FakeElectron {
  const app = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const fake: FakeElectron = {
    calls: [],
    schemes: [],
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    ipcListeners: new Map(),
    windows: [],
    menuTemplate: null,
    session: { permissionRequest: null, permissionCheck: null, devicePermission: null, headers: null },
    opened: [],
    lock: options.lock ?? true,
    app,
    module: {},
    utility: new StandInElectron(),
    messageBoxes: [],
    messageBoxAnswer: () => 1,
  };
  let ready = false;
  Object.assign(app, {
    isPackaged: options.packaged ?? false,
    requestSingleInstanceLock: () => {
      fake.calls.push('requestSingleInstanceLock');
      return fake.lock;
    },
    quit: () => fake.calls.push('quit'),
    exit: (code: number) => fake.calls.push(`exit ${code}`),
    enableSandbox: () => {
      if (ready) throw new Error('enableSandbox after ready');
      fake.calls.push('enableSandbox');
    },
    whenReady: async () => {
      ready = true;
      fake.calls.push('ready');
    },
    getVersion: () => '0.1.0',
    getPath: () => '/nonexistent-user-data',
    getAppMetrics: () => fake.utility.getAppMetrics(),
  });
  const BrowserWindow = makeWindowClass(() => fake, app);
  const ipcMain = {
    handle: (channel: string, h: (event: unknown, ...args: unknown[]) => unknown) =>
      fake.ipcHandlers.set(channel, h),
    on: (channel: string, h: (event: unknown, ...args: unknown[]) => unknown) =>
      fake.ipcListeners.set(channel, h),
    removeAllListeners: (channel: string) => fake.ipcListeners.delete(channel),
  };
  fake.module = {
    app,
    BrowserWindow,
    ipcMain,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        if (ready) throw new Error('registerSchemesAsPrivileged after ready');
        fake.schemes.push(...schemes);
      },
      handle: (scheme: string, h: (req: { url: string }) => Promise<Response>) =>
        fake.protocolHandlers.set(scheme, h),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: never) => {
          fake.session.permissionRequest = h;
        },
        setPermissionCheckHandler: (h: never) => {
          fake.session.permissionCheck = h;
        },
        setDevicePermissionHandler: (h: never) => {
          fake.session.devicePermission = h;
        },
        webRequest: {
          onHeadersReceived: (h: never) => {
            fake.session.headers = h;
          },
        },
      },
    },
    shell: {
      openExternal: async (url: string) => {
        fake.opened.push(url);
      },
    },
    Menu: {
      buildFromTemplate: (t: unknown[]) => t,
      setApplicationMenu: (m: unknown[]) => {
        fake.menuTemplate = m;
      },
    },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showMessageBox: async (window: unknown, options: Record<string, unknown>) => {
        fake.messageBoxes.push({ window, options });
        return { response: await fake.messageBoxAnswer(options), checkboxChecked: false };
      },
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    utilityProcess: { fork: (...args: Parameters<StandInElectron['fork']>) => fake.utility.fork(...args) },
  };
  fake.module.default = fake.module;
  return fake;
}
