// A WASM plugin both tools can install and run: it sends one `output` message, then stores `count`
// keys `<prefix>-000`, `<prefix>-001`, ... through the `store_set` import (one locked write each), so
// a run is also a writer of its state.json. Built from WAT with wabt at run time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wat2wasm } from '../support/wat.js';

export interface WasmPluginSpec {
  name: string;
  command: string;
  version?: string;
  /** The text of the `output` message. */
  text?: string;
  /** Keys to store (0..999); 0 = no store_set import, no store capability. */
  storeKeys?: number;
  keyPrefix?: string;
  /** Iterations of an empty loop after each store_set, so the writes spread over time (0 = none). */
  spinPerKey?: number;
}

const escapeWat = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export function pluginWat(spec: WasmPluginSpec): string {
  const output = JSON.stringify({ type: 'output', text: spec.text ?? `hello from ${spec.command}` });
  const keys = spec.storeKeys ?? 0;
  const prefix = spec.keyPrefix ?? 'cli';
  const template = `{"key":"${prefix}-000","value":"v"}`;
  const digits = template.indexOf('000'); // offset of the three digits inside the template
  const T = 1024; // where the template lives
  const spins = spec.spinPerKey ?? 0;
  const spin =
    spins === 0
      ? ''
      : `
        (local.set $j (i32.const 0))
        (loop $spin
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $spin (i32.lt_u (local.get $j) (i32.const ${spins}))))`;
  const storeLoop =
    keys === 0
      ? ''
      : `
    (local.set $i (i32.const 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${keys})))
        (i32.store8 (i32.const ${T + digits}) (i32.add (i32.const 48) (i32.div_u (local.get $i) (i32.const 100))))
        (i32.store8 (i32.const ${T + digits + 1}) (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $i) (i32.const 10)) (i32.const 10))))
        (i32.store8 (i32.const ${T + digits + 2}) (i32.add (i32.const 48) (i32.rem_u (local.get $i) (i32.const 10))))
        (call $store_set (i32.const ${T}) (i32.const ${Buffer.byteLength(template)}))${spin}
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))`;
  return `(module
  (import "fledge" "send" (func $send (param i32 i32)))
  ${keys === 0 ? '' : '(import "fledge" "store_set" (func $store_set (param i32 i32)))'}
  (memory (export "memory") 1)
  (data (i32.const 16) "${escapeWat(output)}")
  (data (i32.const ${T}) "${escapeWat(template)}")
  (func (export "_start") (local $i i32) (local $j i32)
    (call $send (i32.const 16) (i32.const ${Buffer.byteLength(output)}))${storeLoop}))
`;
}

export function pluginToml(spec: WasmPluginSpec): string {
  return `[plugin]
name = "${spec.name}"
version = "${spec.version ?? '0.1.0'}"
description = "A WASM plugin for the interop check"
protocol = "fledge-v1"
runtime = "wasm"

[[commands]]
name = "${spec.command}"
description = "says hello${spec.storeKeys ? ' and stores keys' : ''}"
binary = "plugin.wasm"

[capabilities]
store = ${(spec.storeKeys ?? 0) > 0}
`;
}

/** Writes the plugin folder (plugin.toml + plugin.wasm) and returns it. */
export async function writeWasmPlugin(dir: string, spec: WasmPluginSpec): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'plugin.toml'), pluginToml(spec));
  writeFileSync(join(dir, 'plugin.wasm'), await wat2wasm(pluginWat(spec)));
  return dir;
}
