// The engine's host services behind granted capabilities, through real plugin runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectContext } from '../../electron/engine/host/project.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { runs, watString } from '../sandbox/helpers.js';
import { tempDir, writeTree } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

/** A module that stores `count` keys `<prefix>-<i>` = "<i>" through fledge.store_set. */
function storing(prefix: string, count: number): Promise<Uint8Array> {
  const data: string[] = [];
  const calls: string[] = [];
  let at = 16;
  for (let i = 0; i < count; i++) {
    const json = JSON.stringify({ key: `${prefix}-${i}`, value: String(i) });
    data.push(`(data (i32.const ${at}) "${watString(json)}")`);
    calls.push(`(call $set (i32.const ${at}) (i32.const ${json.length}))`);
    at += json.length + 4;
  }
  return wat2wasm(`(module
    (import "fledge" "store_set" (func $set (param i32 i32)))
    (memory (export "memory") 1)
    ${data.join('\n')}
    (func (export "_start") ${calls.join('\n')}))`);
}

describe('store through real runs', () => {
  it('two runs of one plugin storing 100 keys each at once lose none', async () => {
    const dir = writeTree(join(tempDir('store-runs'), 'fledge-store'), {
      'a.wasm': await storing('a', 100),
      'b.wasm': await storing('b', 100),
    });
    const declared = { ...NO_CAPABILITIES, store: true };
    const start = (binary: string) =>
      runs().start({
        plugin: { name: 'fledge-store', version: '1.0.0', dir, declared },
        command: binary,
        binary,
        grants: declared,
      }).ended;
    const [a, b] = await Promise.all([start('a.wasm'), start('b.wasm')]);
    expect(a).toMatchObject({ reason: 'exit', code: 0 });
    expect(b).toMatchObject({ reason: 'exit', code: 0 });
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    expect(Object.keys(state)).toHaveLength(200);
    for (let i = 0; i < 100; i++) {
      expect(state[`a-${i}`]).toBe(String(i));
      expect(state[`b-${i}`]).toBe(String(i));
    }
  });
});

describe('exec through real runs', () => {
  it('a cwd that escapes the project is refused, nothing runs, and the run view sees the exec', async () => {
    const root = tempDir('exec-runs');
    const project = writeTree(join(root, 'project'), { 'README.md': 'x' });
    const marker = join(root, 'ran');
    const requests = [
      { command: `touch ${marker}`, cwd: '..' },
      { command: `touch ${marker}`, cwd: '/' },
      { command: 'pwd' },
    ].map((r) => JSON.stringify(r));
    let at = 16;
    const data: string[] = [];
    const calls: string[] = [];
    for (const r of requests) {
      data.push(`(data (i32.const ${at}) "${watString(r)}")`);
      // exec returns the result's length; the next recv delivers it (read and dropped here).
      calls.push(`(drop (call $exec (i32.const ${at}) (i32.const ${r.length})))
        (drop (call $recv (i32.const 8192) (i32.const 8192)))`);
      at += r.length + 4;
    }
    const wasm = await wat2wasm(`(module
      (import "fledge" "exec" (func $exec (param i32 i32) (result i32)))
      (import "fledge" "recv" (func $recv (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      ${data.join('\n')}
      (func (export "_start")
        (drop (call $recv (i32.const 8192) (i32.const 8192)))
        ${calls.join('\n')}))`);
    const dir = writeTree(join(root, 'fledge-exec'), { 'plugin.wasm': wasm });
    const declared = { ...NO_CAPABILITIES, exec: true };
    const run = runs().start({
      plugin: { name: 'fledge-exec', version: '1.0.0', dir, declared },
      command: 'x',
      binary: 'plugin.wasm',
      grants: declared,
      project: await projectContext(project),
    });
    const execs: unknown[] = [];
    run.subscribe((batch) => {
      for (const e of batch) if (e.type === 'exec') execs.push(e);
    });
    expect(await run.ended).toMatchObject({ reason: 'exit', code: 0 });
    expect(() => readFileSync(marker)).toThrow();
    expect(execs).toEqual([
      expect.objectContaining({ type: 'exec', command: `touch ${marker}`, cwd: '..', code: 126 }),
      expect.objectContaining({ type: 'exec', command: `touch ${marker}`, cwd: '/', code: 126 }),
      expect.objectContaining({ type: 'exec', command: 'pwd', code: 0, durationMs: expect.any(Number) }),
    ]);
  });
});
