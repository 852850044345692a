// "What it touched": the store keys a plugin wrote (never the values) and the metadata keys it read,
// recorded by the engine as it serves each host call, so WASM and native runs report them alike.
// Real sandbox runs of a real wasm module, a real bash fledge-v1 plugin, and the app's history.
import { afterAll, describe, expect, it } from 'vitest';
import { OutputBuffer } from '../../electron/engine/app/output-buffer.js';
import { MAX_TOUCHED_RECORDS } from '../../electron/engine/runs/run.js';
import type { HostServices } from '../../electron/sandbox/host-services.js';
import type { RunEvent } from '../../electron/sandbox/protocol.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { appWorld, closeAll, installViaApp, pluginFolder, runEnded } from '../app/helpers.js';
import { makeProject, nativePlugin, runNative } from '../native/helpers.js';
import { fixtureWasm, makePlugin, runs } from '../sandbox/helpers.js';

afterAll(closeAll);

const STORE_AND_METADATA = { store: true, metadata: true };
const touched = (events: readonly { type: string }[]) =>
  events.filter((e) => e.type === 'store' || e.type === 'metadata' || e.type === 'denied');

async function runStoreKeys(grants: Partial<typeof NO_CAPABILITIES>, extra = 0, hostServices?: HostServices) {
  const plugin = makePlugin(await fixtureWasm('store-keys', { EXTRA: extra }), {
    declared: STORE_AND_METADATA,
  });
  const run = runs().start({
    plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
    command: plugin.name,
    binary: 'plugin.wasm',
    grants: { ...NO_CAPABILITIES, ...grants },
    ...(hostServices ? { hostServices } : {}),
  });
  const events: RunEvent[] = [];
  run.subscribe((batch) => events.push(...batch));
  const end = await run.ended;
  return { events, end };
}

describe('store keys written by a WASM plugin', () => {
  it('each write is an event with its key (send "store" and the store_set import alike), never its value', async () => {
    const { events, end } = await runStoreKeys(STORE_AND_METADATA);
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(touched(events)).toEqual([
      { type: 'store', t: expect.any(Number), key: 'greeting' },
      { type: 'store', t: expect.any(Number), key: 'greeting' },
      { type: 'store', t: expect.any(Number), key: 'last-run' },
      // The keys the host answered: the one it does not know is not "read".
      { type: 'metadata', t: expect.any(Number), keys: ['git_tags', 'env'] },
    ]);
    expect(JSON.stringify(events)).not.toContain('VALUE-NEVER-SHOWN');
    // The record comes once the write landed: the last event before the output is after the store.
    const order = events.map((e) => e.type).filter((t) => t !== 'log');
    expect(order.indexOf('store')).toBeLessThan(order.indexOf('output'));
  });

  it('without the store and metadata grants nothing is written or read: denials instead', async () => {
    const { events, end } = await runStoreKeys({});
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(events.some((e) => e.type === 'store' || e.type === 'metadata')).toBe(false);
    expect(
      events.filter((e) => e.type === 'denied').map((e) => (e as { capability: string }).capability),
    ).toEqual(['store', 'store', 'store', 'metadata']);
  });

  it(`is capped at ${MAX_TOUCHED_RECORDS.toLocaleString('en')} records a run, then one line says the rest are not listed`, async () => {
    const memory = new Map<string, string>();
    const host: HostServices = {
      exec: async () => ({ code: 1, stdout: '', stderr: '' }),
      storeGet: async (k) => memory.get(k) ?? null,
      storeSet: async (k, v) => {
        memory.set(k, v);
      },
      metadata: async () => ({}),
    };
    const { events, end } = await runStoreKeys({ store: true }, MAX_TOUCHED_RECORDS + 50, host);
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(events.filter((e) => e.type === 'store')).toHaveLength(MAX_TOUCHED_RECORDS);
    const notListed = events.filter((e) => e.type === 'log' && /the rest are not listed/.test(e.message));
    expect(notListed).toHaveLength(1);
    expect(memory.get('loop')).toBe('x'); // every write was still served
  }, 60_000);
});

describe('store keys written by a native plugin', () => {
  const answers: Record<string, unknown> = { name: 'Ada', sure: true, colour: 'red', langs: ['go'] };
  const answer = (e: RunEvent, run: { answer(id: string, v: unknown): boolean }) => {
    if (e.type === 'request') setTimeout(() => run.answer(e.id, answers[e.id]), 5);
  };

  it('is the same event as for a WASM plugin, and metadata keys read too', async () => {
    const plugin = nativePlugin('protocol.sh', { declared: STORE_AND_METADATA });
    const r = await runNative(plugin, {
      project: makeProject(),
      grants: STORE_AND_METADATA,
      onEvent: answer,
    });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(touched(r.events)).toEqual([
      { type: 'store', t: expect.any(Number), key: 'greeting' },
      { type: 'denied', t: expect.any(Number), capability: 'exec', what: 'run "echo from-exec"' },
      { type: 'metadata', t: expect.any(Number), keys: ['env'] },
    ]);
    expect(JSON.stringify(touched(r.events))).not.toContain('hi there');
  });

  it('without grants reports each refused request as a denial, as a WASM run does', async () => {
    const plugin = nativePlugin('protocol.sh', { declared: { ...STORE_AND_METADATA, exec: true } });
    const r = await runNative(plugin, { project: makeProject(), onEvent: answer });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(touched(r.events).map((e) => [e.type, (e as { what?: string }).what])).toEqual([
      ['denied', 'remember "greeting"'],
      ['denied', 'read back "greeting"'],
      ['denied', 'run "echo from-exec"'],
      ['denied', 'read project details'],
    ]);
  });
});

describe('in the app', () => {
  it("the run's events and its history keep the store and metadata keys, after a restart too", async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-keys', 'store-keys', STORE_AND_METADATA, { EXTRA: 0 });
    expect((await installViaApp(world, dir, STORE_AND_METADATA)).state).toBe('succeeded');
    await world.client.projects.open({ path: makeProject() });
    const run = await world.client.runs.start({ plugin: 'fledge-keys' });
    await runEnded(world.client, run.id);
    const live = world.seen
      .filter((e) => e.name === 'runs.events')
      .flatMap((e) => (e.payload as { events: { type: string }[] }).events);
    const expected = [
      expect.objectContaining({ type: 'store', key: 'greeting' }),
      expect.objectContaining({ type: 'store', key: 'greeting' }),
      expect.objectContaining({ type: 'store', key: 'last-run' }),
      expect.objectContaining({ type: 'metadata', keys: ['git_tags', 'env'] }),
    ];
    expect(touched(live)).toEqual(expected);
    const again = await world.restart();
    const record = await again.client.runs.get({ runId: run.id });
    expect(touched(record.output.events)).toEqual(expected);
    expect(JSON.stringify(record)).not.toContain('VALUE-NEVER-SHOWN');
  });
});

describe('the kept output of a run', () => {
  it('keeps store and metadata records past the output cap, as it keeps file opens', () => {
    const kept = new OutputBuffer({ maxEvents: 10, maxChars: 10_000 });
    kept.push(Array.from({ length: 50 }, (_, i) => ({ type: 'output' as const, t: i, text: `line ${i}` })));
    kept.push([
      { type: 'store', t: 60, key: 'greeting' },
      { type: 'metadata', t: 61, keys: ['env'] },
      { type: 'output', t: 62, text: 'dropped' },
    ]);
    expect(kept.truncated).toBe(true);
    expect(touched(kept.events)).toEqual([
      { type: 'store', t: 60, key: 'greeting' },
      { type: 'metadata', t: 61, keys: ['env'] },
    ]);
    expect(kept.events.some((e) => e.type === 'output' && e.text === 'dropped')).toBe(false);
  });
});
