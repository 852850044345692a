// Item 3 of the hardening issue: every value a plugin sends is bounded in depth and size before it
// leaves the sandbox, with a log line saying what was cut, so nothing a plugin sends can crash the
// engine or the CLI (a prompt default nested 10,000 deep used to kill `run --json` on RangeError).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundValue, MAX_VALUE_DEPTH } from '../../electron/sandbox/bounded.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { makePlugin, runPlugin, sendingModule } from '../sandbox/helpers.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const depthOf = (v: unknown): number => {
  let d = 0;
  while (Array.isArray(v)) {
    d++;
    v = v[0];
  }
  return d;
};

describe('deeply nested values a plugin sends', () => {
  it('run --json survives a prompt default nested 10,000 deep: the exit line comes, the cut is logged', async () => {
    const deep = nested(10_000);
    const wasm = await sendingModule([
      `{"type":"prompt","id":"q","message":"name?","default":${deep}}`,
      `{"type":"log","level":"info","message":${deep}}`,
      `{"type":"progress","message":${deep},"current":1}`,
      `{"type":"select","id":"s","message":"pick","options":[${deep},"b"],"default":0}`,
      '{"type":"output","text":"still here"}',
    ]);
    const plugin = makePlugin(wasm, { root: tempDir('deep-cli') });
    const answers = join(plugin.dir, 'answers.json');
    writeFileSync(answers, JSON.stringify({ q: 'x', s: 'b' }));
    const r = runCli(['run', plugin.dir, '--json', '--answers', answers]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(r.stderr).not.toMatch(/RangeError/);
    const exit = lines.at(-1);
    expect(exit).toMatchObject({ type: 'exit', reason: 'exit', code: 0 });
    expect(lines.some((e) => e.type === 'output' && e.text === 'still here')).toBe(true);
    const request = lines.find((e) => e.type === 'request' && e.id === 'q');
    expect(depthOf(request.default)).toBeLessThanOrEqual(MAX_VALUE_DEPTH);
    expect(
      lines.some(
        (e) => e.type === 'log' && e.source === 'host' && /nested deeper than \d+ levels/.test(e.message),
      ),
    ).toBe(true);
  }, 60_000);

  it('through the engine: requests, logs and host calls are bounded too; the run goes on', async () => {
    const deep = nested(5000);
    const wasm = await sendingModule([
      `{"type":"prompt","id":"p","message":${deep},"default":{"a":${deep}}}`,
      `{"type":"metadata","id":"m","keys":${deep}}`,
      `{"type":"store","key":"k","value":${deep}}`,
      `{"type":"exec","id":"e","command":"true","cwd":${deep}}`,
      '{"type":"output","text":"after"}',
    ]);
    const plugin = makePlugin(wasm, { declared: { metadata: true, store: true, exec: true } });
    const events: unknown[] = [];
    const { end, output, logs } = await runPlugin(plugin, {
      grants: { ...NO_CAPABILITIES, metadata: true, store: true },
      onEvent: (e, run) => {
        events.push(e);
        if (e.type === 'request') run.answer(e.id, 'ok');
      },
    });
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(output).toBe('after');
    // Every event is serialisable on the engine's own thread (what the CLI and the app do with it).
    expect(() => JSON.stringify(events, null, 2)).not.toThrow();
    expect(logs.some((l) => /nested deeper/.test(l.message))).toBe(true);
  }, 60_000);
});

describe('boundValue', () => {
  it('keeps small values as they are, cuts deep and big ones without recursion', () => {
    const small = { a: [1, 'two', { three: null, four: true }], __proto__x: 'y' };
    expect(boundValue(small)).toEqual({ value: small, cut: null });
    const deep = boundValue(JSON.parse(nested(1_000_000)));
    expect(deep.cut).toMatch(/nested deeper/);
    expect(depthOf(deep.value)).toBe(MAX_VALUE_DEPTH);
    const wide = boundValue(Array.from({ length: 1_000_000 }, (_, i) => `item ${i}`));
    expect(wide.cut).toMatch(/larger than/);
    expect(JSON.stringify(wide.value).length).toBeLessThan(1.1 * (1 << 20));
    const proto = boundValue(JSON.parse('{"__proto__":{"polluted":1}}')).value as Record<string, unknown>;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
