// Guest memory: the buffer is re-read after memory.grow, and bad pointers are EFAULT.

import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { createWasi, Errno, WasiExit } from '../../electron/sandbox/wasi/index.js';

async function compile(wat: string): Promise<WebAssembly.Module> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('test.wat', wat);
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>);
}

function run(module: WebAssembly.Module): { code: number; out: string } {
  let out = '';
  const wasi = createWasi({
    args: ['t'],
    env: {},
    mounts: [],
    realClock: false,
    realRandom: false,
    stdout: (b) => {
      out += new TextDecoder().decode(b);
    },
    stderr: () => {},
  });
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.imports });
  wasi.setMemory(instance.exports.memory as WebAssembly.Memory);
  try {
    (instance.exports._start as () => void)();
    return { code: -1, out };
  } catch (e) {
    if (e instanceof WasiExit) return { code: e.code, out };
    throw e;
  } finally {
    wasi.close();
  }
}

const HEADER = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)`;

describe('guest memory', () => {
  it('writes from memory that appeared with memory.grow', async () => {
    const m = await compile(`(module ${HEADER}
      (func (export "_start")
        (drop (memory.grow (i32.const 1)))
        ;; "grown\\n" at 70000, iovec at 65536, nwritten at 65544
        (i64.store (i32.const 70000) (i64.const 0x0a6e776f7267))
        (i32.store (i32.const 65536) (i32.const 70000))
        (i32.store (i32.const 65540) (i32.const 6))
        (call $exit (call $fd_write (i32.const 1) (i32.const 65536) (i32.const 1) (i32.const 65544)))))`);
    expect(run(m)).toEqual({ code: 0, out: 'grown\n' });
  });

  it('an iovec pointing past the end is EFAULT', async () => {
    const m = await compile(`(module ${HEADER}
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 65530))
        (i32.store (i32.const 4) (i32.const 100))
        (call $exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))`);
    expect(run(m)).toEqual({ code: Errno.FAULT, out: '' });
  });

  it('a huge iovec count is EFAULT, not an allocation', async () => {
    const m = await compile(`(module ${HEADER}
      (func (export "_start")
        (call $exit (call $fd_write (i32.const 1) (i32.const 0) (i32.const -1) (i32.const 16)))))`);
    expect(run(m)).toEqual({ code: Errno.FAULT, out: '' });
  });
});
