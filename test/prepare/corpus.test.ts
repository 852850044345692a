// Every prebuilt module of the shared WASI test suite (Rust, C, AssemblyScript) must prepare into a
// module V8 accepts, and must survive a decode/encode round trip.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModule, encodeModule } from '../../electron/sandbox/prepare/codec.js';
import { instrumentFuelWithStats } from '../../electron/sandbox/prepare/fuel.js';

const SUITE = '/work/shared/wasi-testsuite/tests';

function wasmFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...wasmFiles(p));
    else if (name.endsWith('.wasm')) out.push(p);
  }
  return out;
}

describe.skipIf(!existsSync(SUITE))('the shared WASI test suite binaries', () => {
  it('all prepare into valid modules and round-trip through the decoder', () => {
    const files = wasmFiles(SUITE);
    expect(files.length).toBeGreaterThan(10);
    let threaded = 0;
    for (const f of files) {
      const src = new Uint8Array(readFileSync(f));
      const { bytes, stats } = instrumentFuelWithStats(src);
      expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>), f).toBe(true);
      expect(WebAssembly.validate(encodeModule(decodeModule(src)) as Uint8Array<ArrayBuffer>), f).toBe(true);
      threaded += stats.threaded;
    }
    expect(threaded).toBeGreaterThan(0);
  });
});
