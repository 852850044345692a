import { describe, expect, it } from 'vitest';
import {
  capMemory,
  instrumentFuel,
  loadPrepared,
  ModuleError,
} from '../../electron/sandbox/prepare/index.js';
import { thrown, wat } from './helpers.js';

function errorOf(bytes: Uint8Array): ModuleError {
  const e = thrown(() => instrumentFuel(bytes));
  expect(e).toBeInstanceOf(ModuleError);
  return e as ModuleError;
}

describe('validation up front', () => {
  it('refuses an empty file', () => {
    const e = errorOf(new Uint8Array());
    expect(e.code).toBe('empty');
    expect(e.message).toMatch(/empty/);
  });

  it('refuses a file that is not WebAssembly, saying what it looks like', () => {
    const elf = errorOf(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    expect(elf.code).toBe('not_wasm');
    expect(elf.message).toMatch(/^not a WebAssembly module \(it starts with an ELF executable/);
    const text = errorOf(new TextEncoder().encode('(module (func))'));
    expect(text.code).toBe('not_wasm');
    expect(text.message).toMatch(/WebAssembly text/);
    const junk = errorOf(new TextEncoder().encode('hello world'));
    expect(junk.message).toMatch(/bytes 68 65 6c 6c 6f 20 77 6f \("hello world"\)/);
    expect(errorOf(new Uint8Array([0x4d, 0x5a, 0, 0])).message).toMatch(/Windows executable/);
  });

  it('refuses invalid modules with a reason', () => {
    const good = wat('(module (func (export "f") (result i32) i32.const 1))');
    const truncated = errorOf(good.subarray(0, good.length - 3));
    expect(truncated.code).toBe('invalid');
    expect(truncated.message).toMatch(/^the WebAssembly module is invalid: .+/);
    const header = errorOf(good.subarray(0, 6));
    expect(header.code).toBe('invalid');
    expect(header.message).toMatch(/header/);
    const v2 = good.slice();
    v2[4] = 2;
    expect(errorOf(v2).message).toMatch(/version 2/);
    const component = good.slice();
    component.set([0x0d, 0x00, 0x01, 0x00], 4);
    expect(errorOf(component).message).toMatch(/component/);
    // A type error inside a function body: i32.add with nothing on the stack.
    const bad = wat('(module (func (export "f") (result i32) i32.const 1))');
    const at = bad.indexOf(0x41); // i32.const
    bad[at] = 0x6a; // i32.add
    bad[at + 1] = 0x01; // nop
    const typeErr = errorOf(bad);
    expect(typeErr.code).toBe('invalid');
    expect(typeErr.message).toMatch(/invalid: .*(i32\.add|expected)/);
  });

  it('refuses a module that imports the fuel counter itself', () => {
    const e = errorOf(wat('(module (import "fledge_fuel" "remaining" (global (mut i64))))'));
    expect(e.code).toBe('invalid');
    expect(e.message).toMatch(/reserved/);
  });

  it('capMemory checks the header too', () => {
    expect((thrown(() => capMemory(new Uint8Array(), 65536)) as ModuleError).code).toBe('empty');
    expect((thrown(() => capMemory(new Uint8Array([1, 2, 3, 4]), 65536)) as ModuleError).code).toBe(
      'not_wasm',
    );
  });

  it('loadPrepared reports a missing binary in plain words', () => {
    const e = thrown(() => loadPrepared('/nonexistent/plugin.wasm'));
    expect(e.message).toMatch(/cannot read the plugin binary \/nonexistent\/plugin\.wasm/);
    expect((e as Error & { code?: string }).code).toBe('ENOENT');
  });
});
