// Interactive requests from WASM: the plugin blocks in recv until the engine's answer (or the clock).
import { describe, expect, it } from 'vitest';
import { fixtureWasm, makePlugin, runPlugin } from '../sandbox/helpers.js';

describe('interactive requests', () => {
  it('a prompt is answered through the engine API and the plugin sees the response', async () => {
    const plugin = makePlugin(await fixtureWasm('prompt'));
    const r = await runPlugin(plugin, {
      onEvent: (e, run) => {
        if (e.type === 'request') setTimeout(() => expect(run.answer(e.id, 'Ada')).toBe(true), 20);
      },
    });
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
    expect(r.events.find((e) => e.type === 'request')).toMatchObject({
      id: 'name',
      kind: 'prompt',
      message: 'Your name?',
    });
    expect(JSON.parse(r.output)).toEqual({ type: 'response', id: 'name', value: 'Ada' });
    expect(r.run.answer('name', 'again')).toBe(false);
  });

  it('a prompt never answered ends at the wall clock (blocked in recv)', async () => {
    const plugin = makePlugin(await fixtureWasm('prompt'));
    const r = await runPlugin(plugin, { limits: { timeoutMs: 500 }, timings: { cancelGraceMs: 3000 } });
    expect(r.end.reason).toBe('timeout');
    expect(r.end.message).toMatch(/exceeded time limit \(0\.5 seconds\)/);
    // It got `cancel` {reason: "timeout"} first, and printed it before the kill or on its own.
    expect(r.output).toBe('{"type":"cancel","reason":"timeout"}');
  });

  it('an answer to an unknown id is refused', async () => {
    const plugin = makePlugin(await fixtureWasm('prompt'));
    const r = await runPlugin(plugin, {
      onEvent: (e, run) => {
        if (e.type === 'request') {
          expect(run.answer('nope', 1)).toBe(false);
          run.answer(e.id, 'ok');
        }
      },
    });
    expect(JSON.parse(r.output)).toMatchObject({ value: 'ok' });
  });

  it('cancel() sends cancel {reason: user_interrupt}; a plugin that then exits ends normally', async () => {
    const plugin = makePlugin(await fixtureWasm('prompt'));
    const r = await runPlugin(plugin, {
      onEvent: (e, run) => {
        if (e.type === 'request') run.cancel();
      },
    });
    expect(r.output).toBe('{"type":"cancel","reason":"user_interrupt"}');
    expect(r.end).toMatchObject({ reason: 'exit', code: 0 });
  });

  it('cancel() of a plugin that does not listen kills it after the grace period', async () => {
    const plugin = makePlugin(await fixtureWasm('loop'));
    const r = await runPlugin(plugin, {
      limits: { fuel: 10n ** 15n },
      timings: { cancelGraceMs: 100 },
      onEvent: (e, run) => {
        if (e.type === 'started') setTimeout(() => run.cancel(), 50);
      },
    });
    expect(r.end).toMatchObject({ reason: 'error', code: 130 });
    expect(r.end.message).toMatch(/was cancelled/);
  });
});
