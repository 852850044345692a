import { describe, expect, it } from 'vitest';
import {
  capMemory,
  capMemoryParts,
  instrumentFuel,
  joinParts,
  ModuleError,
} from '../../electron/sandbox/prepare/index.js';
import { instantiate, instantiateMetered, thrown, toText, wat } from './helpers.js';

const PAGE = 65536;
const grower = (mem: string) =>
  wat(`(module ${mem}
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "size") (result i32) (memory.size)))`);

describe('capMemory', () => {
  it('makes memory.grow past the cap return -1', () => {
    const capped = capMemory(grower('(memory 1)'), 3 * PAGE);
    const ex = instantiate(capped);
    expect(ex.grow(1)).toBe(1);
    expect(ex.grow(1)).toBe(2);
    expect(ex.grow(1)).toBe(-1);
    expect(ex.size()).toBe(3);
  });

  it('keeps a smaller declared maximum, and rounds the cap down to whole pages', () => {
    expect(toText(capMemory(grower('(memory 1 2)'), 10 * PAGE))).toContain('(memory (;0;) 1 2)');
    expect(toText(capMemory(grower('(memory 1 20)'), 4 * PAGE + 100))).toContain('(memory (;0;) 1 4)');
  });

  it('rewrites an imported memory', () => {
    const src = grower('(import "env" "memory" (memory 1 100))');
    const capped = capMemory(src, 4 * PAGE);
    expect(toText(capped)).toContain('(import "env" "memory" (memory (;0;) 1 4))');
    // The host must now provide a memory whose maximum is within the cap.
    const big = new WebAssembly.Memory({ initial: 1, maximum: 100 });
    expect(() => instantiate(capped, { env: { memory: big } })).toThrow(WebAssembly.LinkError);
    const ok = instantiate(capped, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 4 }) } });
    expect(ok.grow(3)).toBe(1);
    expect(ok.grow(1)).toBe(-1);
  });

  it('caps shared memories', () => {
    const capped = capMemory(grower('(memory 1 100 shared)'), 2 * PAGE);
    expect(toText(capped)).toContain('(memory (;0;) 1 2 shared)');
    expect(instantiate(capped).grow(5)).toBe(-1);
  });

  it('refuses a module whose minimum is already over the cap, in plain words', () => {
    const e = thrown(() => capMemory(grower('(memory 10)'), 5 * PAGE));
    expect(e).toBeInstanceOf(ModuleError);
    expect((e as ModuleError).code).toBe('memory_over_cap');
    expect(e.message).toBe(
      'the plugin needs at least 640 KiB of memory when it starts, more than the limit of 320 KiB',
    );
    const big = thrown(() => capMemory(grower('(memory 4097)'), 256 * 1024 * 1024));
    expect(big.message).toMatch(/256\.0 MiB|256\.1 MiB/);
    expect(big.message).toMatch(/limit of 256 MiB/);
  });

  it('works on an instrumented module and leaves everything else alone', () => {
    const metered = instrumentFuel(grower('(memory 1)'));
    const capped = capMemory(metered, 2 * PAGE);
    expect(Math.abs(capped.length - metered.length)).toBeLessThan(8);
    const m = instantiateMetered(capped, 1000n);
    expect(m.exports.grow(1)).toBe(1);
    expect(m.exports.grow(1)).toBe(-1);
    expect(m.fuel.value).toBeLessThan(1000n);
    // A module without memory is unchanged.
    const none = wat('(module (func (export "f")))');
    expect(Buffer.from(capMemory(none, PAGE)).equals(Buffer.from(none))).toBe(true);
  });

  it('in parts, leaves the code where it is: views of the module, new bytes only for the limits', () => {
    const body = Array.from({ length: 200 }, (_, i) => `(drop (i32.const ${i}))`).join(' ');
    const module = instrumentFuel(
      wat(`(module (memory 1) (func (export "f") ${body}) (func (export "g") (result i32) (memory.size)))`),
    );
    const parts = capMemoryParts(module, 2 * PAGE);
    const joined = joinParts(parts);
    expect(toText(joined)).toContain('(memory (;0;) 1 2)');
    expect(instantiateMetered(joined, 10_000n).exports.g()).toBe(1);
    // Everything after the memory section (exports, the code) is one view of the module's own bytes.
    const last = parts.at(-1)!;
    expect(last.buffer).toBe(module.buffer);
    expect(last.length).toBeGreaterThan(module.length / 2);
    expect(parts.filter((p) => p.buffer !== module.buffer).reduce((n, p) => n + p.length, 0)).toBeLessThan(
      16,
    );
  });

  it('writes a section size that the module padded at its shortest, as a whole rewrite would', () => {
    // (module (type (func))) with the type section's size padded to five bytes: 0x84 0x80 0x80 0x80 0x00.
    const padded = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 0x84, 0x80, 0x80, 0x80, 0x00, 1, 0x60, 0, 0,
    ]);
    expect(WebAssembly.validate(padded)).toBe(true);
    const capped = capMemory(padded, PAGE);
    expect(Array.from(capped)).toEqual([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0]);
    expect(Array.from(joinParts(capMemoryParts(padded, PAGE)))).toEqual(Array.from(capped));
  });
});
