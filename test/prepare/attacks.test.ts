// A hostile plugin author against module preparation: each attack is a module (or a plugin folder)
// that tries to run more than its fuel pays for, reach the counter, or make preparation fall over.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../electron/sandbox/prepare/cache.js';
import {
  capMemory,
  instrumentFuel,
  loadPrepared,
  PREPARE_ENGINE_VERSION,
} from '../../electron/sandbox/prepare/index.js';
import { tempDir } from '../support/temp.js';
import { instantiateMetered, thrown, wat } from './helpers.js';

const LOOP = wat(`(module (func (export "_start") (loop $l (br $l))))`);

function pluginDir(bytes: Uint8Array): { dir: string; wasm: string; prepared: string; stamp: string } {
  const dir = tempDir('attack');
  const wasm = join(dir, 'plugin.wasm');
  writeFileSync(wasm, bytes);
  return { dir, wasm, prepared: `${wasm}.fuel.wasm`, stamp: `${wasm}.fuel.stamp` };
}

describe('the prepared-module cache, written by the attacker', () => {
  it('a shipped "prepared" module with a stamp that hashes right is not trusted (it was never metered)', () => {
    const p = pluginDir(LOOP);
    // Imports the counter (so it looks prepared) but never touches it.
    const forged = wat(`(module
      (import "fledge_fuel" "remaining" (global (mut i64)))
      (func (export "_start") (loop $l (br $l))))`);
    writeFileSync(p.prepared, forged);
    writeFileSync(p.stamp, `${sha256(LOOP)}\n${PREPARE_ENGINE_VERSION}\n${sha256(forged)}\n`);
    const r = loadPrepared(p.wasm);
    expect(r.fromCache).toBe(false);
    expect(Buffer.from(r.bytes).equals(Buffer.from(instrumentFuel(LOOP)))).toBe(true);
    // Our own cache, written now, is trusted next time.
    expect(loadPrepared(p.wasm).fromCache).toBe(true);
  });

  it('a cache written under another key (another machine, another install) is prepared again', () => {
    const p = pluginDir(LOOP);
    loadPrepared(p.wasm, { key: Buffer.from('a'.repeat(64), 'hex') });
    expect(loadPrepared(p.wasm, { key: Buffer.from('a'.repeat(64), 'hex') }).fromCache).toBe(true);
    expect(loadPrepared(p.wasm, { key: Buffer.from('b'.repeat(64), 'hex') }).fromCache).toBe(false);
  });

  it('does not write through a symlinked cache path to a file outside the plugin folder', () => {
    const p = pluginDir(LOOP);
    const outside = tempDir('victim');
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, p.prepared);
    symlinkSync(join(outside, 'victim-stamp.txt'), p.stamp);
    const r = loadPrepared(p.wasm);
    expect(r.fromCache).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(() => readFileSync(join(outside, 'victim-stamp.txt'))).toThrow();
  });

  it('does not write into a folder the plugin links to outside itself (bin -> elsewhere)', () => {
    const p = pluginDir(LOOP);
    const outside = tempDir('victim');
    writeFileSync(join(outside, 'plugin.wasm'), LOOP);
    symlinkSync(outside, join(p.dir, 'bin'));
    const r = loadPrepared(join(p.dir, 'bin', 'plugin.wasm'), { root: p.dir });
    expect(r.fromCache).toBe(false);
    expect(r.warnings[0]).toMatch(/link out of the plugin folder/);
    expect(readdirSync(outside)).toEqual(['plugin.wasm']);
    // A folder inside the plugin (no link) keeps its cache.
    mkdirSync(join(p.dir, 'real'));
    writeFileSync(join(p.dir, 'real', 'plugin.wasm'), LOOP);
    loadPrepared(join(p.dir, 'real', 'plugin.wasm'), { root: p.dir });
    expect(loadPrepared(join(p.dir, 'real', 'plugin.wasm'), { root: p.dir }).fromCache).toBe(true);
  });

  it('cache files that are /dev/zero, a FIFO or huge are not read (they would hang or exhaust the reader)', () => {
    const p = pluginDir(LOOP);
    symlinkSync('/dev/zero', p.prepared);
    execFileSync('mkfifo', [p.stamp]);
    const r = loadPrepared(p.wasm);
    expect(r.fromCache).toBe(false);
    expect(r.warnings[0]).toMatch(/could not be read/);
    const q = pluginDir(LOOP);
    writeFileSync(q.stamp, 'x'.repeat(1 << 20));
    writeFileSync(q.prepared, instrumentFuel(LOOP));
    expect(loadPrepared(q.wasm).fromCache).toBe(false);
  });

  it('a plugin binary that is a FIFO or a device is refused, not read forever', () => {
    const p = pluginDir(LOOP);
    const fifo = join(p.dir, 'fifo.wasm');
    execFileSync('mkfifo', [fifo]);
    expect(thrown(() => loadPrepared(fifo)).message).toMatch(/not a regular file/);
    const zero = join(p.dir, 'zero.wasm');
    symlinkSync('/dev/zero', zero);
    expect(thrown(() => loadPrepared(zero)).message).toMatch(/not a regular file/);
  });

  it('a stamp that is a directory is just a bad cache', () => {
    const p = pluginDir(LOOP);
    mkdirSync(p.stamp);
    const r = loadPrepared(p.wasm);
    expect(r.fromCache).toBe(false);
    expect(Buffer.from(r.bytes).equals(Buffer.from(instrumentFuel(LOOP)))).toBe(true);
  });
});

describe('escaping fuel through exceptions', () => {
  it('a stack overflow cannot be caught by the plugin (so its unpaid recursion cannot be repeated)', () => {
    const m = instrumentFuel(
      wat(`(module
        (func $deep (param i32) (result i32)
          (call $deep (i32.add (local.get 0) (i32.const 1))))
        (func (export "run") (result i32) (local $n i32)
          (loop $again
            (try (do (drop (call $deep (i32.const 0)))) (catch_all))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br_if $again (i32.lt_u (local.get $n) (i32.const 1000000))))
          (local.get $n)))`),
    );
    const { exports } = instantiateMetered(m, 10n ** 12n);
    expect(thrown(() => exports.run())).toBeInstanceOf(RangeError);
  });
});

/**
 * Instantiates the metered module in a worker thread and calls `_start` with `budget` fuel: resolves
 * how it ended ('fuel' when the counter ran out), or 'hang' when it still runs after `ms`.
 */
function runInWorker(bytes: Uint8Array, budget: bigint, ms = 4000): Promise<string> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, workerData.budget);
    let how = 'returned';
    try {
      const m = new WebAssembly.Module(workerData.bytes);
      const i = new WebAssembly.Instance(m, { fledge_fuel: { remaining: fuel } });
      if (i.exports._start) i.exports._start();
    } catch (e) {
      how = fuel.value < 0n ? 'fuel' : 'trap: ' + e.message;
    }
    parentPort.postMessage(how);`;
  return new Promise((resolve) => {
    const w = new Worker(code, { eval: true, workerData: { bytes, budget } });
    const timer = setTimeout(() => {
      void w.terminate();
      resolve('hang');
    }, ms);
    w.on('message', (m) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(String(m));
    });
    w.on('error', (e) => {
      clearTimeout(timer);
      resolve(`error: ${e.message}`);
    });
  });
}

describe('loops that try to dodge the fuel checks all run out of fuel', () => {
  const shapes: Record<string, string> = {
    'a loop whose body is only br': '(func (export "_start") (loop $l (br $l)))',
    'a loop closed by br_table': '(func (export "_start") (loop $l (br_table $l $l (i32.const 1))))',
    'a loop closed by br_if 1': '(func (export "_start") (loop $l (br_if $l (i32.const 1))))',
    'self tail call': '(func $f (export "_start") (return_call $f))',
    'mutual tail calls (internal functions)':
      '(func $a (return_call $b)) (func $b (return_call $a)) (func (export "_start") (call $a))',
    'return_call_indirect to itself through the table': `
      (type $t (func)) (table 1 funcref) (elem (i32.const 0) $f)
      (func $f (export "_start") (return_call_indirect (type $t) (i32.const 0)))`,
    'call_indirect through table 1 in a loop': `
      (type $t (func)) (table 1 funcref) (table $two 1 funcref) (elem (table $two) (i32.const 0) func $g)
      (func $g)
      (func (export "_start") (loop $l (call_indirect $two (type $t) (i32.const 0)) (br $l)))`,
    'a back edge inside a catch handler': `
      (tag $e)
      (func (export "_start") (loop $l (try (do (throw $e)) (catch $e (br $l)))))`,
    'a back edge through delegate': `
      (tag $e)
      (func (export "_start") (loop $l (try $outer (do (try (do (throw $e)) (delegate $outer))) (catch_all (br $l)))))`,
    'the fuel trap caught by catch_all, and the loop goes again': `
      (func (export "_start") (loop $l (try (do (loop $i (br $i))) (catch_all)) (br $l)))`,
    'the same inside an internal (threaded) function': `
      (func $in (param i32) (result i32)
        (loop $l (try (do (loop $i (br $i))) (catch_all)) (br $l)) (local.get 0))
      (func (export "_start") (drop (call $in (i32.const 1))))`,
    'a start function that loops': '(func $s (loop $l (br $l))) (start $s)',
    'table.set swaps a table function, then call_indirect loops': `
      (type $t (func)) (table 2 funcref) (elem (i32.const 0) $f $g) (elem declare func $g)
      (func $f) (func $g (loop $l (br $l)))
      (func (export "_start") (table.set (i32.const 0) (ref.func $g)) (call_indirect (type $t) (i32.const 0)))`,
  };
  for (const [name, body] of Object.entries(shapes)) {
    it(name, async () => {
      expect(await runInWorker(instrumentFuel(wat(`(module ${body})`)), 1_000_000n)).toBe('fuel');
    });
  }

  it('fuel a thrower spent before its exception was caught is still charged', () => {
    // $burn (internal: the counter is threaded through it) loops 1000 times, then throws.
    const m = instrumentFuel(
      wat(`(module (tag $e)
        (func $burn (local $i i32)
          (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
          (throw $e))
        (func (export "run") (local $n i32)
          (loop $again
            (try (do (call $burn)) (catch_all))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br_if $again (i32.lt_u (local.get $n) (i32.const 100))))))`),
    );
    const { exports, fuel } = instantiateMetered(m, 10n ** 12n);
    exports.run();
    expect(10n ** 12n - fuel.value).toBeGreaterThan(100n * 1000n * 5n);
  });
});

describe('modules shaped to break preparation', () => {
  it('imports in the fuel module are refused, whatever their kind', () => {
    for (const imp of [
      '(import "fledge_fuel" "remaining" (global (mut i64)))',
      '(import "fledge_fuel" "remaining" (global i32))',
      '(import "fledge_fuel" "other" (func))',
    ]) {
      expect(thrown(() => instrumentFuel(wat(`(module ${imp})`))).message).toMatch(/reserved/);
    }
  });

  it("an exported global named like the counter is the module's own, not the counter", () => {
    const m = instrumentFuel(
      wat(`(module (global $g (export "remaining") (mut i64) (i64.const 5))
        (func (export "run") (loop $l (br $l))))`),
    );
    const { exports } = instantiateMetered(m, 1000n);
    expect(exports.remaining.value).toBe(5n);
    expect(thrown(() => exports.run())).toBeInstanceOf(WebAssembly.RuntimeError);
  });

  it('10,000 nested blocks, a 65,000-label br_table, 50,000 locals, 20,000 functions', () => {
    // Built as bytes (too big for wabt): type 0 = (func), type 1 = (func (param i32)).
    const leb = (n: number): number[] => {
      const out: number[] = [];
      do {
        let b = n & 0x7f;
        n >>>= 7;
        if (n) b |= 0x80;
        out.push(b);
      } while (n);
      return out;
    };
    const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
    const section = (id: number, content: number[]): number[] => [id, ...leb(content.length), ...content];
    const body = (b: number[]): number[] => [...leb(b.length), ...b];
    const nest = [0x00, ...Array(10_000).fill([0x02, 0x40]).flat(), ...Array(10_000).fill(0x0b), 0x0b];
    const table = [
      0x00,
      0x02,
      0x40,
      0x20,
      0x00,
      0x0e,
      ...leb(65_000),
      ...Array(65_001).fill(0x00),
      0x0b,
      0x0b,
    ];
    const locals = [0x01, ...leb(49_990), 0x7e, 0x01, 0x0b];
    const small = [0x00, 0x0b];
    const nSmall = 20_000;
    const bytes = new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      0x01,
      0x00,
      0x00,
      0x00,
      ...section(
        1,
        vec([
          [0x60, 0x00, 0x00],
          [0x60, 0x01, 0x7f, 0x00],
        ]),
      ),
      ...section(3, vec([[0x00], [0x01], [0x00], ...Array(nSmall).fill([0x00])])),
      ...section(
        7,
        vec([
          [0x04, ...[0x6e, 0x65, 0x73, 0x74], 0x00, 0x00],
          [0x05, ...[0x74, 0x61, 0x62, 0x6c, 0x65], 0x00, 0x01],
          [0x06, ...[0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x73], 0x00, 0x02],
        ]),
      ),
      ...section(10, vec([body(nest), body(table), body(locals), ...Array(nSmall).fill(body(small))])),
    ]);
    const t0 = performance.now();
    const m = instrumentFuel(bytes);
    expect(performance.now() - t0).toBeLessThan(8000);
    const { exports } = instantiateMetered(m, 1000n);
    exports.nest();
    exports.table(5);
    exports.locals();
  });

  it('padded (5-byte) and overlong LEB128s: padding is taken, overlong ones are refused', () => {
    // (module (func (export "f") (result i32) (i32.const 7))) with every size as a padded LEB.
    const pad = (n: number) => [(n & 0x7f) | 0x80, 0x80, 0x80, 0x80, 0x00];
    const body = [0x00, 0x41, 0x07, 0x0b];
    const code = [...pad(1), ...pad(body.length), ...body];
    const bytes = new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      0x01,
      0x00,
      0x00,
      0x00,
      0x01,
      ...pad(5),
      0x01,
      0x60,
      0x00,
      0x01,
      0x7f,
      0x03,
      ...pad(2),
      0x01,
      0x00,
      0x07,
      ...pad(5),
      0x01,
      0x01,
      0x66,
      0x00,
      0x00,
      0x0a,
      ...pad(code.length),
      ...code,
    ]);
    const { exports } = instantiateMetered(instrumentFuel(bytes), 100n);
    expect(exports.f()).toBe(7);
    const overlong = bytes.slice();
    overlong[9 + 4] = 0x80; // the type section's size now runs on past 5 bytes
    expect(thrown(() => instrumentFuel(overlong)).name).toBe('ModuleError');
  });

  it('a code section that lies about its sizes is refused, not misread', () => {
    const good = wat('(module (func (export "f") (result i32) (i32.const 7)))');
    const lies = good.slice();
    const at = lies.lastIndexOf(0x0a); // the code section id (last section)
    lies[at + 3] = lies[at + 3]! + 2; // the body claims 2 bytes more than it has
    expect(thrown(() => instrumentFuel(lies)).name).toBe('ModuleError');
  });

  it('a memory minimum over the cap, or an imported memory without a maximum, is capped or refused', () => {
    expect(thrown(() => capMemory(wat('(module (memory 5000))'), 256 << 20)).message).toMatch(
      /more than the limit/,
    );
    const capped = capMemory(wat('(module (import "env" "m" (memory 1)))'), 1 << 20);
    expect(
      WebAssembly.Module.imports(new WebAssembly.Module(capped as Uint8Array<ArrayBuffer>)),
    ).toHaveLength(1);
    const shared = capMemory(wat('(module (memory 1 65536 shared))'), 1 << 20);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(shared as Uint8Array<ArrayBuffer>));
    expect(inst).toBeTruthy();
  });
});
