// Drives the real main-process module (electron/main/index.ts) against a fake `electron` module:
// what it registers before and after 'ready', the window it opens, and the IPC router in front of
// the AppService, which answers our window and refuses forged messages from anywhere else.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/security/csp.js';
import { secureWebPreferences } from '../../electron/main/security/web-preferences.js';
import type { MainHandle } from '../../electron/main/start-main.js';
import { tempDir } from '../support/temp.js';
import { type FakeElectron, fakeElectron } from './fake-electron.js';

const h = vi.hoisted(() => ({ fake: null as FakeElectron | null }));
vi.mock('electron', () => h.fake!.module);
vi.mock('electron-store', () => import('./fake-store.js'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let fake: FakeElectron;
let handle: MainHandle;
const root = tempDir('main');

beforeAll(async () => {
  process.env.FLEDGE_CONFIG_DIR = join(root, 'config');
  h.fake = fakeElectron();
  fake = h.fake;
  const mod = await import('../../electron/main/index.js');
  const started = await mod.started;
  if (!started) throw new Error('main did not start');
  handle = started;
});
afterAll(async () => {
  await handle?.service.close();
  delete process.env.FLEDGE_CONFIG_DIR;
});

const call = (event: unknown, message: unknown) =>
  fake.ipcHandlers.get('fledge:call')!(event, message) as Promise<{
    ok: boolean;
    result?: Record<string, unknown>;
    error?: { code: string; message: string };
  }>;
const ourEvent = () => {
  const wc = fake.windows[0]!.webContents;
  return { sender: { id: wc.id }, senderFrame: wc.mainFrame };
};

describe('the main process module', () => {
  it('registers app:// as privileged, takes the single-instance lock and enables the sandbox, all before ready', () => {
    expect(fake.schemes).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
      },
    ]);
    expect(fake.calls.slice(0, 3)).toEqual(['requestSingleInstanceLock', 'enableSandbox', 'ready']);
  });

  it("closes electron-store's unchecked IPC channel (nothing answers a renderer there)", () => {
    expect([...fake.ipcHandlers.keys()]).toEqual(['fledge:call']);
    expect([...fake.ipcListeners.keys()]).toEqual([]);
  });

  it('locks the session down: permissions denied, CSP on every response, app:// served', async () => {
    let granted: boolean | null = null;
    fake.session.permissionRequest!({}, 'media', (ok) => {
      granted = ok;
    });
    expect(granted).toBe(false);
    expect(fake.session.permissionCheck!()).toBe(false);
    expect(fake.session.devicePermission!()).toBe(false);
    let headers: unknown = null;
    fake.session.headers!(
      { url: 'app://fledge/index.html', responseHeaders: { 'content-security-policy': ['default-src *'] } },
      (r) => {
        headers = r;
      },
    );
    expect(headers).toEqual({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    fake.session.headers!({ url: 'https://example.com/', responseHeaders: {} }, (r) => {
      headers = r;
    });
    expect(headers).toEqual({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    fake.session.headers!({ url: 'devtools://devtools/bundled/inspector.html' }, (r) => {
      headers = r;
    });
    expect(headers).toEqual({});
    expect([...fake.protocolHandlers.keys()]).toEqual(['app']);
    const missing = await fake.protocolHandlers.get('app')!({ url: 'app://fledge/../../etc/passwd' });
    expect(missing.status).toBe(404);
  });

  it('opens one window with the secure options, on app://fledge/index.html, never file://', () => {
    expect(fake.windows).toHaveLength(1);
    const win = fake.windows[0]!;
    const prefs = win.options.webPreferences as { preload: string };
    expect(prefs.preload).toMatch(/[\\/]preload\.cjs$/);
    expect(prefs).toEqual(secureWebPreferences(prefs.preload, true));
    expect(win.webContents.url).toBe('app://fledge/index.html');
    expect(win.options.show).toBe(false);
    expect(win.webContents.listenerCount('render-process-gone')).toBe(1);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('hardens the window: navigation away and window.open denied, http(s) links to the system browser', () => {
    const wc = fake.windows[0]!.webContents;
    let prevented = 0;
    const event = { preventDefault: () => prevented++ };
    wc.emit('will-navigate', event, 'https://example.com/page');
    wc.emit('will-navigate', event, 'file:///etc/passwd');
    wc.emit('will-redirect', event, 'javascript:alert(1)');
    wc.emit('will-attach-webview', event, {}, {});
    expect(prevented).toBe(4);
    wc.emit('will-navigate', event, 'app://fledge/index.html');
    expect(prevented).toBe(4);
    expect(wc.windowOpenHandler!({ url: 'https://github.com/x' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fake.opened).toEqual(['https://example.com/page', 'https://github.com/x']);
  });

  it('answers a call from our window through the contract', async () => {
    const answer = await call(ourEvent(), { method: 'app.info', params: {} });
    expect(answer.ok).toBe(true);
    expect(answer.result).toMatchObject({ mode: 'electron', version: '0.1.0' });
  });

  it.each([
    [
      'a foreign page in our window',
      (e: ReturnType<typeof ourEvent>) => ({
        ...e,
        senderFrame: { url: 'https://evil.example/', parent: null },
      }),
    ],
    [
      'a file:// page',
      (e: ReturnType<typeof ourEvent>) => ({
        ...e,
        senderFrame: { url: 'file:///tmp/x.html', parent: null },
      }),
    ],
    [
      'a look-alike origin',
      (e: ReturnType<typeof ourEvent>) => ({
        ...e,
        senderFrame: { url: 'app://fledge.evil/index.html', parent: null },
      }),
    ],
    [
      'a sub-frame of our page',
      (e: ReturnType<typeof ourEvent>) => ({
        ...e,
        senderFrame: { url: 'app://fledge/index.html', parent: {} },
      }),
    ],
    ['a frame that is gone', (e: ReturnType<typeof ourEvent>) => ({ ...e, senderFrame: null })],
    [
      'a webContents that is not our window',
      (e: ReturnType<typeof ourEvent>) => ({ ...e, sender: { id: 999_999 } }),
    ],
  ])('refuses a message from %s, and nothing changes', async (_what, forge) => {
    const project = tempDir('forged-project');
    const answer = await call(forge(ourEvent()), { method: 'projects.open', params: { path: project } });
    expect(answer).toEqual({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/^Fledge refused a message: /) },
    });
    const state = await call(ourEvent(), { method: 'projects.list', params: {} });
    expect(state.ok).toBe(true);
    expect(JSON.stringify(state.result)).not.toContain(project);
  });

  it.each([
    ['not an object', 'projects.list'],
    ['extra keys', { method: 'app.info', params: {}, sneaky: 1 }],
    ['a method that is not text', { method: 42, params: {} }],
    ['a huge method name', { method: 'a'.repeat(10_000), params: {} }],
  ])('refuses a malformed call (%s) cleanly', async (_what, message) => {
    const answer = await call(ourEvent(), message);
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('refuses prototype keys and unknown methods through the contract', async () => {
    expect(await call(ourEvent(), { method: '__proto__', params: {} })).toMatchObject({
      ok: false,
      error: { code: 'unknown_method' },
    });
    expect(await call(ourEvent(), { method: 'constructor', params: {} })).toMatchObject({
      ok: false,
      error: { code: 'unknown_method' },
    });
  });

  it("sends the service's events to our window as numbered batches", async () => {
    const wc = fake.windows[0]!.webContents;
    wc.sent = [];
    const answer = await call(ourEvent(), { method: 'settings.update', params: { theme: 'dark' } });
    expect(answer.ok).toBe(true);
    for (let i = 0; i < 50 && wc.sent.length === 0; i++) await sleep(10);
    expect(wc.sent[0]?.channel).toBe('fledge:events');
    const batch = wc.sent[0]!.args[0] as { seq: number; events: { name: string }[] };
    expect(batch.seq).toBeGreaterThan(0);
    expect(batch.events.map((e) => e.name)).toContain('settings.changed');
  });

  it('builds the native menus with development items (this is not a packaged app)', () => {
    const file = (fake.menuTemplate as { label?: string; submenu?: { id?: string }[] }[]).find(
      (m) => m.label === '&File',
    );
    expect(file?.submenu?.map((i) => i.id).filter(Boolean)).toEqual([
      'open-project',
      'install-folder',
      'install-archive',
    ]);
    const view = (fake.menuTemplate as { label?: string; submenu?: { role?: string }[] }[]).find(
      (m) => m.label === '&View',
    );
    expect(view?.submenu?.map((i) => i.role)).toContain('toggleDevTools');
  });

  it('focuses the window when a second instance starts', () => {
    fake.app.emit('second-instance');
    expect(fake.windows[0]!.focused).toBe(1);
    expect(fake.windows).toHaveLength(1);
  });
});
