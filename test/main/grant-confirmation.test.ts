// A compromised renderer cannot grant a plugin high-risk access on its own: the main process
// (startMain, wired as index.ts wires it, over the fake `electron` module) confirms exec, network,
// filesystem write, native full access, build hooks and approvals of changed files in a native
// message box on the window that asked, and forwards the call only on "Allow". Calls are sent as our
// own window's frame, as a renderer running hostile script would send them (the sender check passes).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { guardGrants, pauseAfter } from '../../electron/main/ipc/grant-guard.js';
import { GRANT_RULES } from '../../electron/main/ipc/grant-rules.js';
import { type MainHandle, startMain } from '../../electron/main/start-main.js';
import type { Reply } from '../../shared/ipc/index.js';
import { METHOD_NAMES } from '../../shared/ipc/index.js';
import { pluginFolder } from '../app/helpers.js';
import { tempDir } from '../support/temp.js';
import { type FakeElectron, fakeElectron } from './fake-electron.js';

const ALLOW = 0;
const CANCEL = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let fake: FakeElectron;
let handle: MainHandle;
const root = tempDir('grants');
const configDir = join(root, 'config');
/** The grant guard's clock: moved past the pause that follows each Cancel. */
let clock = 1_000_000_000_000;

beforeAll(async () => {
  fake = fakeElectron();
  const started = await startMain(fake.module as never, {
    distDir: join(root, 'dist'),
    env: { FLEDGE_CONFIG_DIR: configDir },
    createStore: ({ cwd, name }) =>
      new Conf<Record<string, unknown>>({ cwd, configName: name, projectName: 'fledge-desktop' }) as never,
    log: () => {},
    now: () => clock,
  });
  if (!started) throw new Error('main did not start');
  handle = started;
});
afterAll(async () => {
  await handle?.service.close();
});

type Answer = { ok: boolean; result?: unknown; error?: { code: string; message: string } };
/** A call from our window's main frame, through ipcMain, the router and the grant guard. */
const call = (method: string, params: unknown) => {
  const wc = fake.windows[0]!.webContents;
  return fake.ipcHandlers.get('fledge:call')!(
    { sender: { id: wc.id }, senderFrame: wc.mainFrame },
    {
      method,
      params,
    },
  ) as Promise<Answer>;
};
const result = async <T>(method: string, params: unknown): Promise<T> => {
  const a = await call(method, params);
  if (!a.ok) throw new Error(`${method}: ${a.error?.code} ${a.error?.message}`);
  return a.result as T;
};

/** Every file under the config dir with its SHA-256 ("nothing changed on disk"). */
function snapshot(dir = configDir): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile())
        out[p.slice(dir.length)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

type Pending = { id: string; operationId: string; plugin: { name: string } };
/** Starts an install from a folder and waits for its consent request. */
async function startInstall(dir: string): Promise<Pending> {
  const { operationId } = await result<{ operationId: string }>('plugins.install', {
    source: { kind: 'path', path: dir },
  });
  for (let i = 0; i < 400; i++) {
    const pending = await result<Pending[]>('consent.pending', {});
    const mine = pending.find((p) => p.operationId === operationId);
    if (mine) return mine;
    await sleep(25);
  }
  throw new Error('no consent request came');
}
async function finished(operationId: string) {
  for (let i = 0; i < 400; i++) {
    const ops = await result<{ id: string; state: string; error: unknown }[]>('operations.list', {});
    const op = ops.find((o) => o.id === operationId);
    if (op && op.state !== 'running' && op.state !== 'waiting_for_consent') return op;
    await sleep(25);
  }
  throw new Error('the install did not end');
}
type Detail = {
  granted: Record<string, unknown>;
  consent: { state: string; problems: string[] };
};
const detail = (name: string) => result<Detail>('plugins.get', { name });
const registry = () => {
  const file = handle.service.plugins.paths.registryFile;
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};
/** The button the person will click; the clock moves past any pause a previous Cancel began. */
const answer = (button: number) => {
  clock += 10 * 60_000;
  fake.messageBoxAnswer = () => button;
};

describe('high-risk grants are confirmed by the main process, outside the renderer', () => {
  it('a forged consent answer granting exec is refused without the person’s Allow, and nothing changes on disk', async () => {
    const dir = await pluginFolder(root, 'runs-commands', 'hello', { exec: true, store: true });
    const request = await startInstall(dir);
    const before = snapshot();
    const boxes = fake.messageBoxes.length;
    answer(CANCEL);
    const reply = await call('consent.answer', {
      consentId: request.id,
      decision: { answer: 'install', grants: { exec: true, store: true }, allowBuild: false },
    });
    expect(reply).toEqual({
      ok: false,
      error: { code: 'grant_cancelled', message: 'You cancelled the grant; nothing was changed.' },
    });
    // The dialog: on our window, the plugin named, exec in the consent screen's own words, Cancel the default.
    expect(fake.messageBoxes).toHaveLength(boxes + 1);
    const box = fake.messageBoxes.at(-1)!;
    expect(box.window).toBe(fake.windows[0]);
    expect(box.options).toMatchObject({
      type: 'warning',
      message: 'Allow “runs-commands” to do this?',
      buttons: ['Allow', 'Cancel'],
      defaultId: CANCEL,
      cancelId: CANCEL,
      noLink: true,
    });
    expect(box.options.detail).toContain('Run commands on your computer');
    expect(box.options.detail).toContain('can run any shell command as you');
    expect(box.options.detail).not.toContain('Remember data between runs'); // low-risk parts are not asked
    await sleep(100);
    expect(snapshot()).toEqual(before);
    expect(registry()).not.toContain('runs-commands');
    // Still pending, and offered to the window again so the person can answer it for real.
    const pending = await result<Pending[]>('consent.pending', {});
    expect(pending.map((p) => p.id)).toContain(request.id);
    const resent = fake.windows[0]!.webContents.sent.filter((s) =>
      JSON.stringify(s.args).includes(`"consent.requested"`),
    );
    expect(JSON.stringify(resent.at(-1))).toContain(request.id);

    // Sent again at once (a page looping until a tired person clicks Allow): refused without a dialog,
    // and the request is offered again.
    const sentBefore = resent.length;
    const again = await call('consent.answer', {
      consentId: request.id,
      decision: { answer: 'install', grants: { exec: true, store: true }, allowBuild: false },
    });
    expect(again.error?.code).toBe('grant_paused');
    expect(fake.messageBoxes).toHaveLength(boxes + 1);
    await sleep(100);
    const resentAgain = fake.windows[0]!.webContents.sent.filter((s) =>
      JSON.stringify(s.args).includes(`"consent.requested"`),
    );
    expect(resentAgain.length).toBe(sentBefore + 1);
    expect(snapshot()).toEqual(before);

    // The person allows it: the same answer goes through.
    answer(ALLOW);
    const ok = await call('consent.answer', {
      consentId: request.id,
      decision: { answer: 'install', grants: { exec: true, store: true }, allowBuild: false },
    });
    expect(ok).toEqual({ ok: true, result: { ok: true } });
    expect((await finished(request.operationId)).state).toBe('succeeded');
    expect((await detail('runs-commands')).granted).toMatchObject({ exec: true, store: true });
  });

  it('a low-risk install (store, metadata, read-only files) passes without a dialog', async () => {
    const dir = await pluginFolder(root, 'reads-only', 'hello', {
      store: true,
      metadata: true,
      clock: true,
      filesystem: 'project',
    });
    const request = await startInstall(dir);
    const boxes = fake.messageBoxes.length;
    answer(CANCEL);
    const reply = await call('consent.answer', {
      consentId: request.id,
      decision: {
        answer: 'install',
        grants: { store: true, metadata: true, filesystem: 'project' },
        allowBuild: false,
      },
    });
    expect(reply.ok).toBe(true);
    expect((await finished(request.operationId)).state).toBe('succeeded');
    expect(fake.messageBoxes).toHaveLength(boxes);
    // A low-risk grant later, from the detail page: no dialog either.
    await result('plugins.grant', { name: 'reads-only', capabilities: ['clock'] });
    expect((await detail('reads-only')).granted).toMatchObject({ clock: true, filesystem: 'project' });
    expect(fake.messageBoxes).toHaveLength(boxes);
    // Declining asks nothing.
    const other = await startInstall(await pluginFolder(root, 'declined', 'hello', { exec: true }));
    expect((await call('consent.answer', { consentId: other.id, decision: { answer: 'decline' } })).ok).toBe(
      true,
    );
    expect(fake.messageBoxes).toHaveLength(boxes);
  });

  it('granting exec or filesystem write from the detail page needs Allow; cancelled, plugins.toml is untouched', async () => {
    const dir = await pluginFolder(root, 'wants-more', 'hello', {
      exec: true,
      network: true,
      filesystem: 'plugin',
    });
    const request = await startInstall(dir);
    expect(
      (
        await call('consent.answer', {
          consentId: request.id,
          decision: { answer: 'install', grants: {}, allowBuild: false },
        })
      ).ok,
    ).toBe(true);
    expect((await finished(request.operationId)).state).toBe('succeeded');
    for (const capability of ['exec', 'network', 'filesystem'] as const) {
      const before = snapshot();
      answer(CANCEL);
      const reply = await call('plugins.grant', { name: 'wants-more', capabilities: [capability] });
      expect(reply.error?.code).toBe('grant_cancelled');
      expect(snapshot()).toEqual(before);
    }
    const asked = fake.messageBoxes.slice(-3).map((b) => String(b.options.detail));
    expect(asked[0]).toContain('can run any shell command as you');
    expect(asked[1]).toContain('Use the network');
    expect(asked[2]).toContain('read and write its own data folder');
    expect((await detail('wants-more')).granted).toMatchObject({
      exec: false,
      network: false,
      filesystem: 'none',
    });
    answer(ALLOW);
    await result('plugins.grant', { name: 'wants-more', capabilities: ['exec', 'filesystem'] });
    expect((await detail('wants-more')).granted).toMatchObject({ exec: true, filesystem: 'plugin' });
    expect(registry()).toMatch(/\[plugins\.capabilities\][^[]*exec = true/);
  });

  it('approving a wasm changed on disk needs Allow, and says what changed; already approved, it asks nothing', async () => {
    const dir = await pluginFolder(root, 'changes', 'hello', { store: true });
    const request = await startInstall(dir);
    await result('consent.answer', {
      consentId: request.id,
      decision: { answer: 'install', grants: { store: true }, allowBuild: false },
    });
    expect((await finished(request.operationId)).state).toBe('succeeded');
    const boxes = fake.messageBoxes.length;
    await result('plugins.approve', { name: 'changes' }); // nothing changed: no question
    expect(fake.messageBoxes).toHaveLength(boxes);

    const wasm = join(configDir, 'plugins', 'changes', 'plugin.wasm');
    const bytes = readFileSync(wasm);
    writeFileSync(wasm, Buffer.concat([bytes, Buffer.from([0, 5, 4, 0x6e, 0x6f, 0x74, 0x65])])); // a custom section
    expect((await detail('changes')).consent.state).toBe('needs_approval');
    const before = snapshot();
    answer(CANCEL);
    expect((await call('plugins.approve', { name: 'changes' })).error?.code).toBe('grant_cancelled');
    // A low-risk grant would approve the files too: it is asked as well.
    answer(CANCEL);
    expect((await call('plugins.grant', { name: 'changes', capabilities: ['store'] })).error?.code).toBe(
      'grant_cancelled',
    );
    expect(snapshot()).toEqual(before);
    expect((await detail('changes')).consent.state).toBe('needs_approval');
    const box = fake.messageBoxes.at(-2)!;
    expect(box.options.message).toBe('Allow “changes” to do this?');
    expect(box.options.detail).toContain('Let it run its WASM files as they are on disk now');
    answer(ALLOW);
    await result('plugins.approve', { name: 'changes' });
    expect((await detail('changes')).consent.state).toBe('approved');
  });

  it.skipIf(!METHOD_NAMES.includes('plugins.setFullAccess' as never))(
    'allowing native full access needs Allow; containing a plugin again does not',
    async () => {
      const boxes = fake.messageBoxes.length;
      answer(CANCEL);
      const before = snapshot();
      const reply = await call('plugins.setFullAccess', { name: 'changes', allowed: true });
      expect(reply.error?.code).toBe('grant_cancelled');
      expect(snapshot()).toEqual(before);
      expect(String(fake.messageBoxes.at(-1)!.options.detail)).toContain(
        'it can read, change or delete any of your files',
      );
      await call('plugins.setFullAccess', { name: 'changes', allowed: false });
      expect(fake.messageBoxes).toHaveLength(boxes + 1);
    },
  );

  it('one question at a time: a second high-risk call while the dialog is open is refused', async () => {
    let release: (n: number) => void = () => {};
    clock += 10 * 60_000;
    fake.messageBoxAnswer = () => new Promise<number>((r) => (release = r));
    const boxes = fake.messageBoxes.length;
    const first = call('plugins.grant', { name: 'wants-more', capabilities: ['network'] });
    await sleep(50);
    const second = await call('plugins.grant', { name: 'wants-more', capabilities: ['network'] });
    expect(second.error?.code).toBe('grant_busy');
    expect(fake.messageBoxes).toHaveLength(boxes + 1);
    release(CANCEL);
    expect((await first).error?.code).toBe('grant_cancelled');
    expect((await detail('wants-more')).granted).toMatchObject({ network: false });
  });
});

describe('the grant classification', () => {
  it('lists every method of the contract (a new method is refused until classified)', () => {
    const unclassified = METHOD_NAMES.filter((m) => !Object.hasOwn(GRANT_RULES, m));
    expect(unclassified).toEqual([]);
  });

  it('names exactly these methods as able to grant', () => {
    const granting = METHOD_NAMES.filter((m) => GRANT_RULES[m]?.grants).sort();
    const expected = ['consent.answer', 'plugins.approve', 'plugins.grant', 'plugins.setFullAccess'].filter(
      (m) => METHOD_NAMES.includes(m as never),
    );
    expect(granting).toEqual(expected);
  });

  it('a call let through unasked carries filesAsApproved (the engine re-checks the files); a confirmed one does not', async () => {
    const contexts: unknown[] = [];
    const dispatch = vi.fn(async (_m: unknown, _p: unknown, context?: unknown): Promise<Reply> => {
      contexts.push(context);
      return { ok: true, result: {} };
    });
    let risky = false;
    const guard = guardGrants({
      dispatch,
      confirm: async () => true,
      rules: {
        'plugins.approve': {
          grants: true,
          check: async () => ({ plugin: 'p', items: risky ? [{ title: 'x', detail: 'y' }] : [] }),
        },
      },
    });
    await guard('plugins.approve', { name: 'p' }, { client: 'electron:1' });
    risky = true;
    await guard('plugins.approve', { name: 'p' }, { client: 'electron:1' });
    expect(contexts).toEqual([{ client: 'electron:1', filesAsApproved: true }, { client: 'electron:1' }]);
  });

  it('refuses a method nobody classified, without calling the app', async () => {
    const dispatch = vi.fn(async (): Promise<Reply> => ({ ok: true, result: {} }));
    const guard = guardGrants({ dispatch, confirm: async () => true, rules: {} });
    const reply = await guard(
      'plugins.grant',
      { name: 'x', capabilities: ['exec'] },
      { client: 'electron:1' },
    );
    expect(reply).toMatchObject({ ok: false, error: { code: 'grant_unchecked' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('asks about a build hook (its exact command) and a native program at install', async () => {
    const view = {
      id: 'c1',
      plugin: { name: 'builds' },
      buildHook: 'cargo build --release',
      native: { accessLabel: 'native, full access', extraConfirmation: 'Install this program anyway?' },
    };
    const lookup = async (method: string): Promise<Reply> =>
      method === 'consent.pending'
        ? { ok: true, result: [view] }
        : { ok: false, error: { code: 'x', message: '' } };
    const rule = GRANT_RULES['consent.answer']!;
    if (!rule.grants) throw new Error('consent.answer must be able to grant');
    const asked = await rule.check(
      {
        consentId: 'c1',
        decision: { answer: 'install', grants: {}, allowBuild: true, confirmUnverifiedNative: true },
      },
      lookup,
    );
    expect(asked.plugin).toBe('builds');
    expect(asked.items.map((i) => i.title)).toEqual([
      'Run its build command on your computer, as you',
      'Install a program that runs on your computer as you',
    ]);
    expect(asked.items[0]!.detail).toContain('cargo build --release');
    expect(asked.items[1]!.detail).toContain('native, full access');
    expect(asked.items[1]!.detail).toContain('Install this program anyway?');
    // Without the build approved, a WASM install with no risky grant asks nothing.
    const wasm = { ...view, native: undefined };
    const quiet = await rule.check(
      { consentId: 'c1', decision: { answer: 'install', grants: { store: true }, allowBuild: false } },
      async () => ({ ok: true, result: [wasm] }),
    );
    expect(quiet.items).toEqual([]);
  });

  it('no prompt bombing: after a Cancel the next question waits (3 s, doubling), with no dialog; Allow resets it', async () => {
    let t = 0;
    const shown: number[] = [];
    let click = CANCEL;
    const dispatch = vi.fn(async (): Promise<Reply> => ({ ok: true, result: {} }));
    const guard = guardGrants({
      dispatch,
      now: () => t,
      confirm: async () => {
        shown.push(t);
        return click === ALLOW;
      },
      rules: {
        'plugins.setFullAccess': {
          grants: true,
          check: async () => ({ plugin: 'p', items: [{ title: 'x', detail: 'y' }] }),
        },
      },
    });
    const ask = async () =>
      (await guard(
        'plugins.setFullAccess',
        { name: 'p', allowed: true },
        { client: 'electron:1' },
      )) as Answer;
    expect((await ask()).error?.code).toBe('grant_cancelled');
    t += 2999;
    const paused = await ask();
    expect(paused.error?.code).toBe('grant_paused');
    expect(paused.error?.message).toMatch(/will not ask again for 1 s\. Nothing was changed\.$/);
    t += 1;
    expect((await ask()).error?.code).toBe('grant_cancelled'); // asked again: second Cancel in a row
    t += 5999;
    expect((await ask()).error?.code).toBe('grant_paused');
    t += 1;
    click = ALLOW;
    expect((await ask()).ok).toBe(true);
    click = CANCEL;
    expect((await ask()).error?.code).toBe('grant_cancelled'); // an Allow reset the count
    t += 3000;
    expect((await ask()).error?.code).toBe('grant_cancelled');
    expect(shown).toHaveLength(5);
    expect(dispatch).toHaveBeenCalledTimes(1);
    expect([1, 2, 3, 8, 20].map(pauseAfter)).toEqual([3000, 6000, 12_000, 300_000, 300_000]);
  });

  it('shows hidden characters in names and commands as visible escapes', async () => {
    const { grantDialogOptions } = await import('../../electron/main/ipc/grant-dialog.js');
    const { words } = await import('../../electron/main/ipc/grant-words.js');
    const o = grantDialogOptions({
      plugin: 'safe\u202etool',
      items: [words.buildHook('make\r echo harmless')],
    });
    expect(o.message).toBe('Allow “safe\\u{202E}tool” to do this?');
    expect(o.detail).toContain('make\\r echo harmless');
  });

  it('a call from no window of ours is never confirmed', async () => {
    const dispatch = vi.fn(async (): Promise<Reply> => ({ ok: true, result: {} }));
    const { windowConfirm } = await import('../../electron/main/ipc/window-confirm.js');
    const show = vi.fn(async () => ({ response: ALLOW }));
    const guard = guardGrants({ dispatch, confirm: windowConfirm(() => null, show) });
    const reply = await guard('plugins.setFullAccess', { name: 'x', allowed: true }, { client: 'ws:3' });
    if (METHOD_NAMES.includes('plugins.setFullAccess' as never))
      expect(reply).toMatchObject({ ok: false, error: { code: 'grant_cancelled' } });
    expect(show).not.toHaveBeenCalled();
    expect(dispatch).not.toHaveBeenCalledWith('plugins.setFullAccess', expect.anything(), expect.anything());
  });
});
