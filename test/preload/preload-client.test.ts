// window.fledge as the preload builds it (preloadApi over ipcRenderer), against the real IPC router
// and a real AppService: the whole contract round-trips (every method, every event), errors cross
// as plain {code, message}, malformed requests are refused on both sides with the service unchanged.
import { afterAll, describe, expect, it } from 'vitest';
import { filesApi, preloadApi } from '../../electron/preload/bridge.js';
import { EVENT_NAMES, type FledgeApi, METHOD_NAMES } from '../../shared/ipc/index.js';
import { type AppWorld, appWorld, closeAll } from '../app/helpers.js';
import { exerciseContract, recordEvents } from '../ipc/scenario.js';
import { FakeIpcRenderer } from './fake-ipc.js';

const ipcs: FakeIpcRenderer[] = [];
afterAll(async () => {
  for (const ipc of ipcs) ipc.close();
  await closeAll();
});

async function preloadWorld(): Promise<{ world: AppWorld; ipc: FakeIpcRenderer; fledge: FledgeApi }> {
  const world = await appWorld();
  const ipc = new FakeIpcRenderer(world.service);
  ipcs.push(ipc);
  return { world, ipc, fledge: preloadApi(ipc) };
}

/** What a person could see of the service: its lists and settings. */
async function stateOf(fledge: FledgeApi) {
  return JSON.stringify([
    await fledge.plugins.list(),
    await fledge.settings.get(),
    await fledge.projects.list(),
    await fledge.app.getState(),
    await fledge.operations.list(),
    await fledge.consent.pending(),
  ]);
}

describe('window.fledge from the preload', () => {
  it('round-trips every method and every event of the contract through ipcRenderer', async () => {
    const { world, ipc, fledge } = await preloadWorld();
    const seen = recordEvents(fledge);
    const covered = await exerciseContract(fledge, world.root, 'headless');
    expect([...covered].sort()).toEqual([...METHOD_NAMES].sort());
    expect([...new Set(ipc.invoked)].sort()).toEqual([...METHOD_NAMES].sort());
    // A batch from a new life of the host (main restarted the service): the client resyncs.
    ipc.emit('fledge:events', { epoch: 'another-life', seq: 1, events: [] });
    expect([...new Set(seen.map((e) => e.name))].sort()).toEqual([...EVENT_NAMES].sort());
  });

  it('rejects with a plain {code, message} (what survives contextBridge), never an Error instance', async () => {
    const { fledge } = await preloadWorld();
    const err = await fledge.plugins.get({ name: 'not-installed' }).catch((e: unknown) => e);
    expect(Object.getPrototypeOf(err)).toBe(Object.prototype);
    expect(err).toEqual({ code: 'plugin_not_installed', message: expect.stringMatching(/not-installed/) });
    const unknown = await (fledge.call as (m: string) => Promise<unknown>)('nope.nothing').catch(
      (e: unknown) => e,
    );
    expect(unknown).toEqual({
      code: 'unknown_method',
      message: 'Fledge Desktop has no method "nope.nothing".',
    });
  });

  it('subscribes and unsubscribes listeners; one IPC listener serves them all', async () => {
    const { ipc, fledge } = await preloadWorld();
    const got: string[] = [];
    const off = fledge.on('settings.changed', (p) => got.push(p.settings.theme));
    const off2 = fledge.on('projects.changed', () => {});
    expect(ipc.listeners.get('fledge:events')?.size).toBe(1);
    await fledge.settings.update({ theme: 'dark' });
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['dark']);
    off();
    off2();
    await fledge.settings.update({ theme: 'light' });
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual(['dark']);
    expect(() => fledge.on('no.such-event' as never, () => {})).toThrow();
  });

  const long = 'x'.repeat(100_000);
  const clientSide: [string, () => Promise<unknown>, RegExp][] = [
    [
      'wrong type',
      () => (fledge().plugins.get as (p: unknown) => Promise<unknown>)({ name: 5 }),
      /name must be text/,
    ],
    [
      'missing field',
      () => (fledge().plugins.get as (p: unknown) => Promise<unknown>)({}),
      /name is missing/,
    ],
    [
      'unknown field',
      () => (fledge().plugins.get as (p: unknown) => Promise<unknown>)({ name: 'a', x: 1 }),
      /unknown field "x"/,
    ],
    [
      '__proto__ key',
      () =>
        (fledge().plugins.get as (p: unknown) => Promise<unknown>)(
          JSON.parse('{"name":"a","__proto__":{"p":1}}'),
        ),
      /__proto__/,
    ],
    ['huge string', () => fledge().projects.open({ path: `/${long}` }), /path is too long/],
    ['NUL in a path', () => fledge().projects.open({ path: '/tmp/a\u0000b' }), /NUL/],
    [
      'params not an object',
      () => (fledge().settings.update as (p: unknown) => Promise<unknown>)('dark'),
      /request of settings\.update/,
    ],
    [
      'a bad enum',
      () => (fledge().settings.update as (p: unknown) => Promise<unknown>)({ theme: 'neon' }),
      /theme/,
    ],
    [
      'args not a list',
      () => (fledge().runs.start as (p: unknown) => Promise<unknown>)({ plugin: 'p', args: 'a b' }),
      /args must be a list/,
    ],
    [
      'a plugin name that is a path',
      () => fledge().plugins.remove({ name: '../../etc' }),
      /name must be a plugin name/,
    ],
    [
      'unknown method',
      () => (fledge().call as (m: string) => Promise<unknown>)('plugins.hack'),
      /no method "plugins\.hack"/,
    ],
    [
      'prototype-named method',
      () => (fledge().call as (m: string) => Promise<unknown>)('__proto__'),
      /no method "__proto__"/,
    ],
  ];
  let current: FledgeApi | null = null;
  const fledge = () => current!;

  it.each(clientSide)('refuses %s before sending anything', async (_what, make, says) => {
    const w = await preloadWorld();
    current = w.fledge;
    const before = await stateOf(w.fledge);
    const sent = w.ipc.invoked.length;
    const err = await make().catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: expect.stringMatching(/^(invalid_request|unknown_method)$/),
      message: expect.stringMatching(says),
    });
    expect(
      w.ipc.invoked
        .slice(sent)
        .filter(
          (m) =>
            ![
              'plugins.list',
              'settings.get',
              'projects.list',
              'app.getState',
              'operations.list',
              'consent.pending',
            ].includes(m),
        ),
    ).toEqual([]);
    expect(await stateOf(w.fledge)).toBe(before);
  });

  const hostSide: [string, unknown, string][] = [
    ['a message that is not an object', 'plugins.list', 'invalid_request'],
    ['null', null, 'invalid_request'],
    ['an extra top-level key', { method: 'app.info', params: {}, also: 1 }, 'invalid_request'],
    ['a method that is a number', { method: 7, params: {} }, 'invalid_request'],
    ['a huge method name', { method: long, params: {} }, 'invalid_request'],
    ['an unknown method', { method: 'plugins.explode', params: {} }, 'unknown_method'],
    ['toString as a method', { method: 'toString', params: {} }, 'unknown_method'],
    ['wrong params type', { method: 'projects.open', params: { path: 42 } }, 'invalid_request'],
    [
      'prototype keys in params',
      { method: 'settings.update', params: JSON.parse('{"__proto__":{"theme":"dark"}}') },
      'invalid_request',
    ],
    [
      'a constructor key in params',
      { method: 'plugins.remove', params: { name: 'a', constructor: {} } },
      'invalid_request',
    ],
    ['params that are a list', { method: 'settings.update', params: ['theme', 'dark'] }, 'invalid_request'],
    ['a huge params string', { method: 'catalog.search', params: { keywords: long } }, 'invalid_request'],
  ];

  it.each(hostSide)(
    'the host refuses %s sent around the client, and nothing changes',
    async (_what, message, code) => {
      const w = await preloadWorld();
      const before = await stateOf(w.fledge);
      const reply = await w.ipc.invoke('fledge:call', message);
      expect(reply).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
      expect(await stateOf(w.fledge)).toBe(before);
    },
  );

  it('refuses a page that is not ours, even through a real preload client', async () => {
    const world = await appWorld();
    const ipc = new FakeIpcRenderer(world.service, 'https://evil.example/');
    ipcs.push(ipc);
    const err = await preloadApi(ipc)
      .app.info()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'forbidden' });
  });
});

describe('window.fledgeFiles.pathForFile', () => {
  it("gives a dropped file's path, and null for anything without one", () => {
    const files = filesApi(((f: { path?: string }) => {
      if (!f || typeof f !== 'object') throw new TypeError('not a File');
      return f.path ?? '';
    }) as never);
    expect(files.pathForFile({ path: '/home/ada/plugin.zip' })).toBe('/home/ada/plugin.zip');
    expect(files.pathForFile({})).toBeNull();
    expect(files.pathForFile('a string')).toBeNull();
    expect(Object.isFrozen(files)).toBe(true);
  });
});
