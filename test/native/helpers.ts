// Test helpers for native runs: plugin folders in temp dirs holding the fixtures of
// test/fixtures/native (bash scripts, and a C program compiled for this machine with clang), and a
// RunManager shared by a test file (closed after it).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import type { NativeRunOptions } from '../../electron/engine/native/launch.js';
import { type RunEnd, RunManager } from '../../electron/engine/runs/index.js';
import type { Run, RunLimits, RunTimings } from '../../electron/engine/runs/run.js';
import type { RunEvent } from '../../electron/sandbox/protocol.js';
import { type Capabilities, NO_CAPABILITIES } from '../../shared/capabilities.js';
import { tempDir } from '../support/temp.js';

export const NATIVE_FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'native');

export interface NativeTestPlugin {
  name: string;
  dir: string;
  binary: string;
  protocol: boolean;
  declared: Capabilities;
}

let counter = 0;

/** A plugin folder with `program` (a fixture file name, or an absolute path) as its command's binary. */
export function nativePlugin(
  program: string,
  options: { protocol?: boolean; declared?: Partial<Capabilities>; root?: string } = {},
): NativeTestPlugin {
  const name = `fledge-native-${++counter}`;
  const dir = join(options.root ?? tempDir('native-plugins'), name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const binary = join('bin', name);
  copyFileSync(program.startsWith('/') ? program : join(NATIVE_FIXTURES, program), join(dir, binary));
  chmodSync(join(dir, binary), 0o755);
  const declared = { ...NO_CAPABILITIES, ...options.declared };
  const protocol = options.protocol ?? true;
  const caps = Object.entries(declared)
    .map(([k, v]) => `${k} = ${typeof v === 'string' ? `"${v}"` : v}`)
    .join('\n');
  writeFileSync(
    join(dir, 'plugin.toml'),
    `[plugin]\nname = "${name}"\nversion = "0.1.0"\n${protocol ? 'protocol = "fledge-v1"\n' : ''}runtime = "native"\n\n[[commands]]\nname = "${name}"\nbinary = "${binary}"\n\n[capabilities]\n${caps}\n`,
  );
  return { name, dir, binary, protocol, declared };
}

/** Compiles test/fixtures/native/fledge-c.c for this machine; returns the program's path. */
export function compileCPlugin(): string {
  const out = join(tempDir('native-c'), 'fledge-c');
  execFileSync('clang', ['-O2', '-Wall', '-o', out, join(NATIVE_FIXTURES, 'fledge-c.c')], { stdio: 'pipe' });
  return out;
}

/** A project folder (a temp dir with a marker file). */
export function makeProject(): string {
  const root = tempDir('native-project');
  writeFileSync(join(root, 'README.md'), 'a project\n');
  return root;
}

let shared: RunManager | null = null;
afterAll(async () => {
  await shared?.close();
  shared = null;
});

export function manager(): RunManager {
  shared ??= new RunManager({ poolSize: 0 });
  return shared;
}

export interface NativeRunResult {
  run: Run;
  events: RunEvent[];
  end: RunEnd;
  /** Every output event's text, joined. */
  output: string;
  outputs: string[];
}

export interface RunNativeOptions {
  args?: string[];
  grants?: Partial<Capabilities>;
  project?: string | null;
  access?: NativeRunOptions['access'];
  support?: NativeRunOptions['support'];
  binarySha256?: string;
  /** Another RunManager than the file's shared one (say, with its own config dir). */
  manager?: RunManager;
  env?: NodeJS.ProcessEnv;
  limits?: Partial<RunLimits>;
  timings?: RunTimings;
  onEvent?: (event: RunEvent, run: Run) => void;
  onBatch?: (events: RunEvent[], run: Run) => void;
}

export async function runNative(
  plugin: NativeTestPlugin,
  options: RunNativeOptions = {},
): Promise<NativeRunResult> {
  const root = options.project === undefined ? null : options.project;
  const run = (options.manager ?? manager()).start({
    plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
    command: plugin.name,
    binary: plugin.binary,
    args: options.args ?? [],
    project: root ? { name: root.split('/').pop()!, root, language: 'unknown', git: null } : null,
    grants: { ...NO_CAPABILITIES, ...options.grants },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.timings ? { timings: options.timings } : {}),
    ...(options.binarySha256 ? { binarySha256: options.binarySha256 } : {}),
    native: {
      protocol: plugin.protocol,
      ...(options.access ? { access: options.access } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.support ? { support: options.support } : {}),
    },
  });
  const events: RunEvent[] = [];
  run.subscribe((batch) => {
    options.onBatch?.(batch, run);
    for (const e of batch) {
      events.push(e);
      options.onEvent?.(e, run);
    }
  });
  const end = await run.ended;
  const outputs = events.flatMap((e) => (e.type === 'output' ? [e.text] : []));
  return { run, events, end, output: outputs.join(''), outputs };
}

/** The reply lines the bash fixture echoed ("reply: <json>"), parsed. */
export function replies(outputs: string[]): Record<string, unknown>[] {
  return outputs.filter((o) => o.startsWith('reply: ')).map((o) => JSON.parse(o.slice(7)));
}
