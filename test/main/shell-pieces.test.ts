// The smaller pieces of the shell: window bounds restored only where they are still visible, the
// menus (development items only in development), the open dialogs handing their choice to the
// contract, the unpacked sandbox host path, and a second instance that quits at once.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  choosePluginToInstall,
  chooseProject,
  PLUGIN_ARCHIVE_DIALOG,
  PLUGIN_FOLDER_DIALOG,
  PROJECT_DIALOG,
} from '../../electron/main/dialogs.js';
import { menuTemplate } from '../../electron/main/menu.js';
import { electronUtilityApi, unpackedPath } from '../../electron/main/sandbox/electron-utility.js';
import { rendererRecovery } from '../../electron/main/window/renderer-recovery.js';
import {
  boundsToRestore,
  DEFAULT_SIZE,
  parseSavedBounds,
  rememberBounds,
} from '../../electron/main/window/window-bounds.js';
import type { Dispatch } from '../../shared/ipc/index.js';

const screen = { x: 0, y: 0, width: 1920, height: 1080 };

describe('window bounds', () => {
  it('restores the saved place when it is on a screen, fitted to it', () => {
    const saved = { x: 100, y: 50, width: 1300, height: 900, maximized: true };
    expect(boundsToRestore(saved, [screen])).toEqual({
      bounds: { x: 100, y: 50, width: 1300, height: 900 },
      maximized: true,
    });
    expect(boundsToRestore({ ...saved, width: 4000, height: 3000 }, [screen]).bounds).toEqual({
      x: 100,
      y: 50,
      width: 1920,
      height: 1080,
    });
  });

  it('centres the window when its saved place is on a screen that is gone', () => {
    const r = boundsToRestore({ x: 3000, y: 200, width: 800, height: 600, maximized: false }, [screen]);
    expect(r.bounds).toEqual({ width: 800, height: 600 });
    expect(boundsToRestore(null, [screen])).toEqual({ bounds: { ...DEFAULT_SIZE }, maximized: false });
  });

  it('ignores a damaged or hostile saved value', () => {
    for (const v of [
      null,
      'x',
      { x: 1 },
      { x: 0, y: 0, width: 1e9, height: 10, maximized: false },
      { __proto__: { x: 1 } },
    ])
      expect(parseSavedBounds(v)).toBeNull();
    expect(parseSavedBounds({ x: 1, y: 2, width: 800, height: 600, maximized: false })).not.toBeNull();
  });

  it('saves the bounds after moves settle, and on close', async () => {
    const win = Object.assign(new EventEmitter(), {
      getNormalBounds: () => ({ x: 10.4, y: 20, width: 900, height: 700 }),
      isMaximized: () => false,
      isDestroyed: () => false,
    });
    const saved: unknown[] = [];
    rememberBounds(win, (b) => saved.push(b), 20);
    win.emit('move');
    win.emit('resize');
    win.emit('move');
    await new Promise((r) => setTimeout(r, 60));
    expect(saved).toEqual([{ x: 10, y: 20, width: 900, height: 700, maximized: false }]);
    win.emit('close');
    expect(saved).toHaveLength(2);
  });
});

describe('a crashed page', () => {
  it('is reloaded, at most three times a minute', () => {
    let t = 0;
    let reloaded = 0;
    const logs: string[] = [];
    const onGone = rendererRecovery(
      { isDestroyed: () => false, reload: () => reloaded++ },
      (l) => logs.push(l),
      { now: () => t },
    );
    onGone({}, { reason: 'clean-exit', exitCode: 0 });
    expect(reloaded).toBe(0);
    for (let i = 0; i < 5; i++) onGone({}, { reason: 'crashed', exitCode: 11 });
    expect(reloaded).toBe(3);
    expect(logs.at(-1)).toMatch(/not reloading it/);
    t = 61_000;
    onGone({}, { reason: 'oom', exitCode: 9 });
    expect(reloaded).toBe(4);
  });
});

describe('menus', () => {
  const actions = { openProject() {}, installFromFolder() {}, installFromArchive() {}, openHelp() {} };
  const roles = (t: ReturnType<typeof menuTemplate>) =>
    JSON.stringify(t, (_k, v) => (typeof v === 'function' ? undefined : v));

  it('offers reload and developer tools in development only', () => {
    const dev = roles(menuTemplate({ dev: true, platform: 'linux', actions }));
    expect(dev).toContain('"role":"toggleDevTools"');
    expect(dev).toContain('"role":"reload"');
    const packaged = roles(menuTemplate({ dev: false, platform: 'linux', actions }));
    expect(packaged).not.toMatch(/toggleDevTools|"reload"|forceReload/);
  });

  it('has open project (Ctrl/Cmd+O), installs from a folder or an archive, and quit', () => {
    const t = menuTemplate({ dev: false, platform: 'linux', actions });
    const file = t.find((m) => m.label === '&File')!.submenu as {
      id?: string;
      accelerator?: string;
      role?: string;
    }[];
    expect(file.find((i) => i.id === 'open-project')?.accelerator).toBe('CmdOrCtrl+O');
    expect(file.map((i) => i.id ?? i.role).filter(Boolean)).toEqual([
      'open-project',
      'install-folder',
      'install-archive',
      'quit',
    ]);
    const mac = menuTemplate({ dev: false, platform: 'darwin', actions });
    expect(mac[0]).toEqual({ role: 'appMenu' });
  });

  it('runs the action of each item', () => {
    const clicked: string[] = [];
    const t = menuTemplate({
      dev: false,
      platform: 'linux',
      actions: {
        openProject: () => clicked.push('open'),
        installFromFolder: () => clicked.push('folder'),
        installFromArchive: () => clicked.push('archive'),
        openHelp: () => clicked.push('help'),
      },
    });
    const file = t.find((m) => m.label === '&File')!.submenu as { click?: () => void }[];
    for (const item of file) item.click?.();
    expect(clicked).toEqual(['open', 'folder', 'archive']);
  });
});

describe('open dialogs', () => {
  const recorder = () => {
    const calls: unknown[][] = [];
    const dispatch: Dispatch = async (method, params, context) => {
      calls.push([method, params, context]);
      return { ok: true, result: {} };
    };
    return { calls, dispatch };
  };

  it('opens the chosen folder as the project', async () => {
    const r = recorder();
    const shown: unknown[] = [];
    await chooseProject(async (o) => {
      shown.push(o);
      return { canceled: false, filePaths: ['/home/ada/site'] };
    }, r.dispatch);
    expect(shown).toEqual([PROJECT_DIALOG]);
    expect(r.calls).toEqual([
      ['projects.open', { path: '/home/ada/site' }, { client: 'electron:main-menu' }],
    ]);
  });

  it('installs the chosen folder or archive through the contract (consent follows)', async () => {
    const r = recorder();
    const shown: unknown[] = [];
    const show = async (o: unknown) => {
      shown.push(o);
      return { canceled: false, filePaths: ['/tmp/p.zip'] };
    };
    await choosePluginToInstall('folder', show, r.dispatch);
    await choosePluginToInstall('archive', show, r.dispatch);
    expect(shown).toEqual([PLUGIN_FOLDER_DIALOG, PLUGIN_ARCHIVE_DIALOG]);
    expect(PLUGIN_ARCHIVE_DIALOG.filters?.[0]?.extensions).toEqual(['zip', 'tgz', 'gz']);
    expect(r.calls.map((c) => c.slice(0, 2))).toEqual([
      ['plugins.install', { source: { kind: 'path', path: '/tmp/p.zip' } }],
      ['plugins.install', { source: { kind: 'path', path: '/tmp/p.zip' } }],
    ]);
  });

  it('does nothing when the person cancels', async () => {
    const r = recorder();
    expect(await chooseProject(async () => ({ canceled: true, filePaths: [] }), r.dispatch)).toBeNull();
    expect(
      await choosePluginToInstall('archive', async () => ({ canceled: false, filePaths: [] }), r.dispatch),
    ).toBeNull();
    expect(r.calls).toEqual([]);
  });
});

describe('Electron glue', () => {
  it('runs the sandbox host from app.asar.unpacked when packaged', () => {
    expect(unpackedPath('/opt/Fledge/resources/app.asar/dist/sandbox-host.js')).toBe(
      '/opt/Fledge/resources/app.asar.unpacked/dist/sandbox-host.js',
    );
    expect(unpackedPath('C:\\Fledge\\resources\\app.asar\\dist\\sandbox-host.js')).toBe(
      'C:\\Fledge\\resources\\app.asar.unpacked\\dist\\sandbox-host.js',
    );
    expect(unpackedPath('/work/main/dist/sandbox-host.js')).toBe('/work/main/dist/sandbox-host.js');
  });

  it('listens to child-process-gone and stops listening', () => {
    const app = Object.assign(new EventEmitter(), { getAppMetrics: () => [] });
    const api = electronUtilityApi(app as never, { fork: () => ({}) as never });
    const got: unknown[] = [];
    const off = api.onChildGone((d) => got.push(d));
    app.emit('child-process-gone', {}, { type: 'Utility', reason: 'oom', exitCode: 9, name: 'x' });
    off();
    app.emit('child-process-gone', {}, { type: 'Utility', reason: 'crashed', exitCode: 11, name: 'x' });
    expect(got).toEqual([{ type: 'Utility', reason: 'oom', exitCode: 9, name: 'x' }]);
    expect(app.listenerCount('child-process-gone')).toBe(0);
  });
});
