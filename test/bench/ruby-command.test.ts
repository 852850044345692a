// The bench's ruby.wasm adapter (test/bench/wasmtime/ruby-command.ts), on a small stand-in for the
// @ruby/3.4-wasm-wasi reactor with the same exports and foreign imports: the linked module is a plain
// WASI command that initialises once, passes the JS API's arguments and the script byte for byte,
// exits 1 when the script raised, and traps if the script reaches a JS import.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRubyReactor, rubyCommand } from '../bench/wasmtime/ruby-command.js';
import { runWasi } from '../prepare/wasi-shim.js';
import { wat2wasm } from '../support/wat.js';

// eval prints the script; a script starting with "raise" reports an exception (status 1), one
// starting with "js" calls a JS import (stubbed as unreachable). ruby-init prints each argument.
const REACTOR = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "rb-js-abi-host" "global-this: func() -> handle<js-abi-value>" (func $globalThis (result i32)))
  (import "canonical_abi" "resource_new_rb-abi-value" (func $newHandle (param i32) (result i32)))
  (import "canonical_abi" "resource_drop_js-abi-value" (func $dropHandle (param i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 64) "init\\n")
  (func $print (param $p i32) (param $n i32)
    (i32.store (i32.const 0) (local.get $p))
    (i32.store (i32.const 4) (local.get $n))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_initialize") (call $print (i32.const 64) (i32.const 5)))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (i32.and (i32.add (local.get 3) (i32.const 7)) (i32.const -8))))
    (local.get $p))
  (func (export "ruby-init: func(args: list<string>) -> ()") (param $list i32) (param $n i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $print (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 3))))
                   (i32.load offset=4 (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 3)))))
      (call $print (i32.const 68) (i32.const 1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func (export "ruby-init-loadpath: func() -> ()"))
  (func (export "rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>")
    (param $p i32) (param $n i32) (result i32)
    (if (i32.eq (i32.load16_u (local.get $p)) (i32.const 0x736a)) (then (drop (call $globalThis))))
    (call $print (local.get $p) (local.get $n))
    (i32.store (i32.const 32) (call $newHandle (i32.const 7)))
    (call $dropHandle (i32.const 7))
    (i32.store (i32.const 36) (i32.eq (i32.load (local.get $p)) (i32.const 0x73696172)))
    (i32.const 32))
  (func (export "asyncify_get_state") (result i32) (i32.const 0)))`;

describe('the ruby.wasm reactor linked into a WASI command (bench:wasmtime)', () => {
  let dir = '';
  let reactor = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ruby-reactor-'));
    reactor = join(dir, 'reactor.wasm');
    writeFileSync(reactor, await wat2wasm(REACTOR));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports only memory and _start, imports only WASI, and runs the script after one initialisation', async () => {
    const script = "puts 'héllo, wörld' # 27 bytes";
    const command = await rubyCommand(reactor, script);
    const m = new WebAssembly.Module(command as Uint8Array<ArrayBuffer>);
    expect(
      WebAssembly.Module.exports(m)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['_start', 'memory']);
    expect(new Set(WebAssembly.Module.imports(m).map((i) => i.module))).toEqual(
      new Set(['wasi_snapshot_preview1']),
    );
    const run = runWasi(command);
    expect(run.error).toBeUndefined();
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`init\nruby.wasm\n-EUTF-8\n-e_=0\n${script}`);
  });

  it('exits 1 when the script raised', async () => {
    const run = runWasi(await rubyCommand(reactor, 'raise "no"'));
    expect(run.exitCode).toBe(1);
    expect(run.stdout.endsWith('raise "no"')).toBe(true);
  });

  it('traps when the script reaches a JS import (there is no JS host)', async () => {
    const run = runWasi(await rubyCommand(reactor, 'js_call'));
    expect(run.error).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(String(run.error)).toMatch(/unreachable/);
  });

  it('refuses a module that is not the reactor, naming it', async () => {
    const file = join(dir, 'other.wasm');
    const other = await wat2wasm('(module (memory (export "memory") 1) (func (export "_start")))');
    writeFileSync(file, other);
    expect(isRubyReactor(other)).toBe(false);
    await expect(rubyCommand(file, 'puts 1')).rejects.toThrow(/other\.wasm is not the ruby\.wasm reactor/);
  });
});
