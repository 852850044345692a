// The Electron main process, wired: single-instance lock, the app:// protocol over dist/renderer,
// the session locked down, every webContents hardened, the IPC router in front of the AppService,
// events to every window, native menus and dialogs, window state remembered. Electron comes in as
// a parameter (index.ts passes the real module; a test passes a fake one).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Dispatch, IPC_CHANNELS } from '../../shared/ipc/index.js';
import { AppService, appDataDir, type KeyValueStore, STORE_NAMES } from '../engine/app/index.js';
import { resolveConfigDir } from '../engine/registry/config-dir.js';
import { RunManager } from '../engine/runs/index.js';
import { choosePluginToInstall, chooseProject, folderPicker, type ShowOpenDialog } from './dialogs.js';
import { guardGrants } from './ipc/grant-guard.js';
import { createIpcRouter } from './ipc/router.js';
import { reofferConsent, windowConfirm } from './ipc/window-confirm.js';
import { menuTemplate } from './menu.js';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from './protocol/app-protocol.js';
import { electronUtilityApi, unpackedPath } from './sandbox/electron-utility.js';
import { UtilitySandboxLauncher } from './sandbox/utility-launcher.js';
import { cspHeadersListener } from './security/csp.js';
import { hardenWebContents } from './security/harden-contents.js';
import { APP_ENTRY_URL, APP_SCHEME, isAppUrl, isSafeExternalUrl } from './security/origin.js';
import {
  denyDevicePermission,
  denyPermissionCheck,
  denyPermissionRequest,
} from './security/session-handlers.js';
import { mainWindowOptions } from './security/web-preferences.js';
import { rendererRecovery } from './window/renderer-recovery.js';
import { boundsToRestore, parseSavedBounds, rememberBounds } from './window/window-bounds.js';

type Electron = typeof import('electron');

/** Warm sandbox processes kept ready in Electron (browser mode's AppService keeps one too). */
export const WARM_SANDBOXES = 1;

/** The IPC channel electron-store opens in the main process for renderers (unchecked). */
export const ELECTRON_STORE_CHANNEL = 'electron-store-get-data';

export interface MainOptions {
  /** The folder of the bundled main (dist/): preload.cjs, renderer/, sandbox-host.js sit beside it. */
  distDir: string;
  env: NodeJS.ProcessEnv;
  /** electron-store's constructor (injected so tests need no Electron). */
  createStore: (options: { cwd: string; name: string }) => KeyValueStore;
  log?: (line: string) => void;
  /** The clock of the grant confirmation's pauses after a Cancel (tests move it). */
  now?: () => number;
}

export interface MainHandle {
  service: AppService;
  dispatch: Dispatch;
  createWindow(): void;
}

export async function startMain(electron: Electron, options: MainOptions): Promise<MainHandle | null> {
  const { app, BrowserWindow, Menu, dialog, ipcMain, protocol, screen, session, shell, utilityProcess } =
    electron;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  // Before 'ready': our scheme is a secure, standard one (like https), not file://.
  protocol.registerSchemesAsPrivileged([
    { ...APP_SCHEME_PRIVILEGES, privileges: { ...APP_SCHEME_PRIVILEGES.privileges } },
  ]);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  app.enableSandbox();
  const openExternal = (url: string) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
  };
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));

  await app.whenReady();
  const dev = !app.isPackaged;
  const configDir = resolveConfigDir({ env: options.env, platform: process.platform, home: homedir() });
  const cwd = appDataDir(configDir);
  const stores = {
    settings: options.createStore({ cwd, name: STORE_NAMES.settings }),
    appState: options.createStore({ cwd, name: STORE_NAMES.appState }),
    pluginPrefs: options.createStore({ cwd, name: STORE_NAMES.pluginPrefs }),
  };
  // electron-store answers any renderer's sync 'electron-store-get-data' with the user-data path; our
  // windows never use electron-store, so that unchecked channel is closed.
  ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL);
  // The warm pool lives in the launcher (spares under neutral unique names, one run each), so the
  // engine's own pool is off: poolSize 0 makes every run ask the launcher, which hands it a spare.
  const launcher = new UtilitySandboxLauncher(electronUtilityApi(app, utilityProcess), {
    hostScript: unpackedPath(join(options.distDir, 'sandbox-host.js')),
    spares: WARM_SANDBOXES,
  });
  const runManager = new RunManager({ launcher, poolSize: 0 });
  const focused = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? null;
  const show: ShowOpenDialog = (o) => {
    const win = focused();
    return win ? dialog.showOpenDialog(win, o) : dialog.showOpenDialog(o);
  };
  const service = await new AppService({
    configDir,
    mode: 'electron',
    version: app.getVersion(),
    stores,
    runManager,
    pickFolder: folderPicker(show),
  }).start();

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler(denyPermissionRequest);
  ses.setPermissionCheckHandler(denyPermissionCheck);
  ses.setDevicePermissionHandler(denyDevicePermission);
  ses.webRequest.onHeadersReceived(cspHeadersListener);
  protocol.handle(APP_SCHEME, appProtocolHandler(join(options.distDir, 'renderer')));

  const windowIds = new Set<number>();
  // High-risk grants from a window are confirmed in a native dialog on that window first
  // (ipc/grant-rules.ts): a compromised renderer cannot answer its own consent requests.
  const guarded = guardGrants({
    dispatch: service.dispatch,
    confirm: windowConfirm(
      (id) => BrowserWindow.getAllWindows().find((w) => windowIds.has(id) && w.webContents.id === id) ?? null,
      (win, o) => dialog.showMessageBox(win, o),
    ),
    onRefused: reofferConsent(service.dispatch, (p) => service.hub.emit('consent.requested', p)),
    now: options.now,
  });
  const router = createIpcRouter({
    dispatch: guarded,
    isOurWindow: (id) => windowIds.has(id),
    onRefused: (reason) => log(`fledge: refused an IPC message: ${reason}`),
  });
  ipcMain.handle(IPC_CHANNELS.call, (event, message) => router(event, message));
  service.hub.subscribe((batch) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (win.isDestroyed() || !windowIds.has(win.webContents.id)) continue;
      if (isAppUrl(win.webContents.getURL())) win.webContents.send(IPC_CHANNELS.events, batch);
    }
  });

  const report = (what: string) => (err: unknown) => log(`fledge: ${what} failed: ${(err as Error).message}`);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        dev,
        platform: process.platform,
        actions: {
          openProject: () => void chooseProject(show, service.dispatch).catch(report('opening a project')),
          installFromFolder: () =>
            void choosePluginToInstall('folder', show, service.dispatch).catch(report('installing')),
          installFromArchive: () =>
            void choosePluginToInstall('archive', show, service.dispatch).catch(report('installing')),
          openHelp: () => openExternal('https://crates.io/crates/fledge'),
        },
      }),
    ),
  );

  const createWindow = () => {
    const saved = parseSavedBounds(stores.appState.get('windowBounds'));
    const { bounds, maximized } = boundsToRestore(
      saved,
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const win = new BrowserWindow(mainWindowOptions(join(options.distDir, 'preload.cjs'), dev, bounds));
    const id = win.webContents.id;
    windowIds.add(id);
    win.on('closed', () => windowIds.delete(id));
    if (maximized) win.maximize();
    win.once('ready-to-show', () => win.show());
    win.webContents.on('render-process-gone', rendererRecovery(win, log));
    rememberBounds(win, (b) => service.setWindowBounds(b));
    void win.loadURL(APP_ENTRY_URL);
  };

  app.on('second-instance', () => {
    const win = focused();
    if (!win) return createWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('will-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    launcher.dispose();
    void service
      .close()
      .then(() => runManager.close())
      .finally(() => app.quit());
  });

  createWindow();
  return { service, dispatch: service.dispatch, createWindow };
}
