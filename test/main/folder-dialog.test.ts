// dialogs.pickFolder in Electron: the main process opens dialog.showOpenDialog (on the focused window)
// for a window's call and answers the folder chosen; one dialog at a time. Driven through the real
// startMain and IPC router with a fake `electron` module, and folderPicker against its contract.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/engine/app/stores.js';
import {
  folderPicker,
  type OpenDialogOptions,
  PLUGIN_FOLDER_DIALOG,
  PROJECT_DIALOG,
} from '../../electron/main/dialogs.js';
import { type MainHandle, startMain } from '../../electron/main/start-main.js';
import { IpcError } from '../../shared/ipc/index.js';
import { tempDir } from '../support/temp.js';
import { type FakeElectron, fakeElectron } from './fake-electron.js';

describe('folderPicker', () => {
  it('opens the project or plugin folder dialog and returns the folder chosen, null when cancelled', async () => {
    const shown: OpenDialogOptions[] = [];
    let answer = { canceled: false, filePaths: ['/home/ada/site'] };
    const pick = folderPicker(async (o) => {
      shown.push(o);
      return answer;
    });
    expect(await pick('project')).toBe('/home/ada/site');
    expect(await pick('plugin')).toBe('/home/ada/site');
    answer = { canceled: true, filePaths: ['/ignored'] };
    expect(await pick('project')).toBeNull();
    answer = { canceled: false, filePaths: [] };
    expect(await pick('project')).toBeNull();
    expect(shown).toEqual([PROJECT_DIALOG, PLUGIN_FOLDER_DIALOG, PROJECT_DIALOG, PROJECT_DIALOG]);
    expect(PROJECT_DIALOG.properties).toContain('openDirectory');
  });

  it('refuses a second dialog while one is open (a looping window cannot stack them), and works again after', async () => {
    let close: (v: { canceled: boolean; filePaths: string[] }) => void = () => {};
    let opened = 0;
    const pick = folderPicker(
      () =>
        new Promise((resolve) => {
          opened++;
          close = resolve;
        }),
    );
    const first = pick('project');
    await expect(pick('project')).rejects.toMatchObject({ code: 'dialog_open' });
    await expect(pick('project')).rejects.toBeInstanceOf(IpcError);
    expect(opened).toBe(1);
    close({ canceled: false, filePaths: ['/a'] });
    expect(await first).toBe('/a');
    const second = pick('project');
    close({ canceled: true, filePaths: [] });
    expect(await second).toBeNull();
    expect(opened).toBe(2);
  });

  it('is open again after the dialog failed', async () => {
    let fail = true;
    const pick = folderPicker(async () => {
      if (fail) throw new Error('no display');
      return { canceled: false, filePaths: ['/b'] };
    });
    await expect(pick('project')).rejects.toThrow('no display');
    fail = false;
    expect(await pick('project')).toBe('/b');
  });
});

describe('dialogs.* through the main process', () => {
  let fake: FakeElectron;
  let handle: MainHandle;
  const shown: { window: unknown; options: unknown }[] = [];
  let answer = { canceled: false, filePaths: ['/home/ada/site'] };
  const root = tempDir('main-dialogs');

  beforeAll(async () => {
    fake = fakeElectron();
    (fake.module.dialog as Record<string, unknown>).showOpenDialog = async (
      win: unknown,
      options: unknown,
    ) => {
      shown.push({ window: win, options });
      return answer;
    };
    const started = await startMain(fake.module as never, {
      distDir: join(root, 'dist'),
      env: { FLEDGE_CONFIG_DIR: join(root, 'config') },
      createStore: ({ name }) =>
        openStore(
          join(root, 'config'),
          name === 'app-state' ? 'appState' : name === 'plugins' ? 'pluginPrefs' : 'settings',
        ),
      log: () => {},
    });
    if (!started) throw new Error('main did not start');
    handle = started;
  });
  afterAll(async () => {
    await handle?.service.close();
  });

  const call = (method: string, params: unknown) => {
    const wc = fake.windows[0]!.webContents;
    const router = fake.ipcHandlers.get('fledge:call')!;
    return router(
      { sender: { id: wc.id }, senderFrame: wc.mainFrame },
      { method, params },
    ) as Promise<unknown>;
  };

  it('says the folder dialog is available, opens it on our window for a window call, and answers the folder', async () => {
    expect(await call('dialogs.available', {})).toEqual({ ok: true, result: { pickFolder: true } });
    expect(await call('dialogs.pickFolder', { purpose: 'project' })).toEqual({
      ok: true,
      result: { available: true, path: '/home/ada/site' },
    });
    expect(shown).toHaveLength(1);
    expect(shown[0]!.window).toBe(fake.windows[0]);
    expect(shown[0]!.options).toEqual(PROJECT_DIALOG);
    answer = { canceled: true, filePaths: [] };
    expect(await call('dialogs.pickFolder', {})).toEqual({
      ok: true,
      result: { available: true, path: null },
    });
  });

  it('refuses a malformed request before any dialog opens', async () => {
    const before = shown.length;
    for (const params of [{ purpose: 'anything' }, { purpose: 'project', title: 'Give me /etc' }])
      expect(await call('dialogs.pickFolder', params)).toMatchObject({
        ok: false,
        error: { code: 'invalid_request' },
      });
    expect(shown).toHaveLength(before);
  });
});
