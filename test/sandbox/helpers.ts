// Test helpers for sandbox runs: WAT fixtures compiled at test time with wabt, C compiled with clang,
// plugin folders in temp dirs, and a shared RunManager that is closed after the test file.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { type RunEnd, RunManager, type StartRunOptions } from '../../electron/engine/runs/index.js';
import type { Run } from '../../electron/engine/runs/run.js';
import type { RunEvent } from '../../electron/sandbox/protocol.js';
import { type Capabilities, NO_CAPABILITIES } from '../../shared/capabilities.js';
import { tempDir } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

export const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');

export { wat2wasm };

/** A WAT fixture from test/fixtures/wat with {{KEY}} placeholders filled in. */
export async function fixtureWasm(
  name: string,
  vars: Record<string, string | number> = {},
): Promise<Uint8Array> {
  let text = readFileSync(join(FIXTURES, 'wat', `${name}.wat`), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, String(v));
  return wat2wasm(text, `${name}.wat`);
}

/** Compiles a C fixture from test/fixtures/plugins to wasm32-wasi with clang; returns the .wasm path. */
export function compileC(name: string, outDir: string): string {
  const out = join(outDir, `${name}.wasm`);
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', join(FIXTURES, 'plugins', `${name}.c`), '-o', out], {
    stdio: 'pipe',
  });
  return out;
}

/** Escapes bytes for a WAT data string. */
export function watString(bytes: Uint8Array | string): string {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return [...b].map((x) => `\\${x.toString(16).padStart(2, '0')}`).join('');
}

/** A module that sends each message in turn (raw bytes, not checked), then runs `then` (WAT) and returns. */
export async function sendingModule(messages: (string | Uint8Array)[], then = ''): Promise<Uint8Array> {
  let at = 16;
  const data: string[] = [];
  const calls: string[] = [];
  for (const m of messages) {
    const b = typeof m === 'string' ? new TextEncoder().encode(m) : m;
    data.push(`(data (i32.const ${at}) "${watString(b)}")`);
    calls.push(`(call $send (i32.const ${at}) (i32.const ${b.length}))`);
    at += b.length + 8;
  }
  return wat2wasm(`(module
    (import "fledge" "send" (func $send (param i32 i32)))
    (memory (export "memory") 4)
    ${data.join('\n')}
    (func (export "_start") ${calls.join('\n')} ${then}))`);
}

/** Sends each message, then writes every message recv delivers to stdout, one per line, until recv returns 0. */
export async function sendThenEchoModule(messages: string[]): Promise<Uint8Array> {
  let at = 16;
  const data: string[] = ['(data (i32.const 8) "\\0a")'];
  const calls: string[] = [];
  for (const m of messages) {
    const b = new TextEncoder().encode(m);
    data.push(`(data (i32.const ${at}) "${watString(b)}")`);
    calls.push(`(call $send (i32.const ${at}) (i32.const ${b.length}))`);
    at += b.length + 8;
  }
  return wat2wasm(`(module
    (import "fledge" "send" (func $send (param i32 i32)))
    (import "fledge" "recv" (func $recv (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 4)
    ${data.join('\n')}
    (func (export "_start")
      (local $n i32)
      ${calls.join('\n')}
      (block $done (loop $next
        (local.set $n (call $recv (i32.const 65536) (i32.const 65536)))
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (i32.store (i32.const 32768) (i32.const 65536))
        (i32.store (i32.const 32772) (local.get $n))
        (i32.store (i32.const 32776) (i32.const 8))
        (i32.store (i32.const 32780) (i32.const 1))
        (drop (call $fd_write (i32.const 1) (i32.const 32768) (i32.const 2) (i32.const 32784)))
        (br $next)))))`);
}

export interface TestPlugin {
  dir: string;
  binary: string;
  name: string;
}

let counter = 0;
/** Writes a plugin folder (binary + plugin.toml) in a temp dir. */
export function makePlugin(
  wasm: Uint8Array | null,
  options: { name?: string; declared?: Partial<Capabilities>; root?: string } = {},
): TestPlugin & { declared: Capabilities } {
  const root = options.root ?? sharedRoot();
  const name = options.name ?? `fledge-test-${++counter}`;
  const dir = join(root, name);
  execFileSync('mkdir', ['-p', dir]);
  const binary = join(dir, 'plugin.wasm');
  if (wasm) writeFileSync(binary, wasm);
  const declared = { ...NO_CAPABILITIES, ...options.declared };
  const caps = Object.entries(declared)
    .map(([k, v]) => `${k} = ${typeof v === 'string' ? `"${v}"` : v}`)
    .join('\n');
  writeFileSync(
    join(dir, 'plugin.toml'),
    `[plugin]\nname = "${name}"\nversion = "0.1.0"\nprotocol = "fledge-v1"\nruntime = "wasm"\n\n[[commands]]\nname = "${name}"\nbinary = "plugin.wasm"\n\n[capabilities]\n${caps}\n`,
  );
  return { dir, binary, name, declared };
}

let root: string | null = null;
function sharedRoot(): string {
  root ??= tempDir('sandbox');
  return root;
}

let manager: RunManager | null = null;
/** One RunManager (pool of 2) per test file, closed after it. */
export function runs(): RunManager {
  if (!manager) {
    manager = new RunManager({ poolSize: 2 });
    const m = manager;
    afterAll(async () => {
      await m.close();
      manager = null;
    });
  }
  return manager;
}

export interface Finished {
  end: RunEnd;
  events: RunEvent[];
  output: string;
  logs: (RunEvent & { type: 'log' })[];
  run: Run;
}

export type RunOptions = Partial<Omit<StartRunOptions, 'plugin' | 'binary'>> & {
  onEvent?: (event: RunEvent, run: Run) => void;
  /** The manager to start it in (default: the file's shared one, `runs()`). */
  manager?: RunManager;
};

/** Starts a run of the plugin, collecting every event. */
export function startPlugin(plugin: TestPlugin & { declared: Capabilities }, options: RunOptions = {}) {
  const { onEvent, manager: m, ...rest } = options;
  const run = (m ?? runs()).start({
    plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
    command: plugin.name,
    binary: plugin.binary,
    grants: NO_CAPABILITIES,
    ...rest,
  });
  const events: RunEvent[] = [];
  run.subscribe((batch) => {
    for (const e of batch) {
      events.push(e);
      onEvent?.(e, run);
    }
  });
  return { run, events };
}

export async function runPlugin(
  plugin: TestPlugin & { declared: Capabilities },
  options: RunOptions = {},
): Promise<Finished> {
  const { run, events } = startPlugin(plugin, options);
  const end = await run.ended;
  return {
    end,
    events,
    run,
    output: events.map((e) => (e.type === 'output' ? e.text : '')).join(''),
    logs: events.filter((e): e is RunEvent & { type: 'log' } => e.type === 'log'),
  };
}

/** Compiles a WAT fixture into a fresh plugin folder and runs it. */
export async function runFixture(
  name: string,
  vars: Record<string, string | number> = {},
  options: RunOptions & { declared?: Partial<Capabilities> } = {},
): Promise<Finished> {
  const { declared, ...rest } = options;
  const plugin = makePlugin(await fixtureWasm(name, vars), { declared: declared ?? {} });
  return runPlugin(plugin, rest);
}
