// WASI preview 1 conformance: runs every wasm32-wasip1 test of the shared wasi-testsuite with our
// WASI (see /work/shared/wasi-testsuite/README.md) through the sandbox path plugins use, each in its
// own sandbox process with a timeout, on a fresh temporary copy of its root. Prints one line per
// failure and ends with "N passed, M failed". Usage: npm run conformance [-- name-filter]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ESM build script without types
import { bundle } from '../../build/bundle.mjs';
import { RunManager } from '../../electron/engine/runs/index.js';
import type { WasiMount } from '../../electron/sandbox/wasi/index.js';
import { runWasiTest, type WasiTestOptions } from './run-wasi-test.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const suiteRoot = path.resolve(repoRoot, '../shared/wasi-testsuite');
const TIMEOUT_MS = Number(process.env.WASI_CONFORMANCE_TIMEOUT_MS ?? 30_000);
const CONCURRENCY = Math.max(1, Math.min(4, os.cpus().length));

interface Expectation {
  args: string[];
  env: Record<string, string>;
  root: string | null;
  /** Older form: directories preopened under their own names. */
  dirs: string[];
  exitCode: number;
  stdout: string | undefined;
  stderr: string | undefined;
}

interface Operation {
  type: string;
  args?: string[];
  env?: Record<string, string>;
  root?: string;
  exit_code?: number;
  payload?: string;
  id?: string;
}

function readSpec(wasm: string): Expectation {
  const jsonPath = wasm.replace(/\.wasm$/, '.json');
  // stdout/stderr are compared only where the test gives them (several tests print diagnostics).
  const spec: Expectation = {
    args: [],
    env: {},
    root: null,
    dirs: [],
    exitCode: 0,
    stdout: undefined,
    stderr: undefined,
  };
  if (!fs.existsSync(jsonPath)) return spec;
  const raw = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  if (Array.isArray(raw.operations)) {
    for (const op of raw.operations as Operation[]) {
      if (op.type === 'run') {
        spec.args = op.args ?? [];
        spec.env = op.env ?? {};
        spec.root = op.root ?? null;
      } else if (op.type === 'wait') spec.exitCode = op.exit_code ?? 0;
      else if (op.type === 'read' && op.id === 'stderr') spec.stderr = op.payload ?? '';
      else if (op.type === 'read') spec.stdout = op.payload ?? '';
    }
    return spec;
  }
  if (Array.isArray(raw.args)) spec.args = raw.args as string[];
  if (raw.env && typeof raw.env === 'object') spec.env = raw.env as Record<string, string>;
  if (typeof raw.root === 'string') spec.root = raw.root;
  if (Array.isArray(raw.dirs)) spec.dirs = raw.dirs as string[];
  if (typeof raw.exit_code === 'number') spec.exitCode = raw.exit_code;
  if (typeof raw.stdout === 'string') spec.stdout = raw.stdout;
  if (typeof raw.stderr === 'string') spec.stderr = raw.stderr;
  return spec;
}

/** Copies `src` to a fresh temp dir, writable, without *.cleanup leftovers. */
function prepareRoot(src: string): { dir: string; dispose(): void } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-conf-'));
  const dir = path.join(base, path.basename(src));
  fs.cpSync(src, dir, { recursive: true, verbatimSymlinks: true });
  const walk = (p: string): void => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    fs.chmodSync(p, st.mode | 0o200);
    if (!st.isDirectory()) return;
    for (const name of fs.readdirSync(p)) {
      const child = path.join(p, name);
      if (name.endsWith('.cleanup')) fs.rmSync(child, { recursive: true, force: true });
      else walk(child);
    }
  };
  walk(dir);
  return { dir, dispose: () => fs.rmSync(base, { recursive: true, force: true }) };
}

async function runOne(runs: RunManager, wasm: string): Promise<string | undefined> {
  const spec = readSpec(wasm);
  const root = spec.root ? prepareRoot(path.resolve(path.dirname(wasm), spec.root)) : undefined;
  const dirs = spec.dirs.map((d) => ({ name: d, copy: prepareRoot(path.resolve(path.dirname(wasm), d)) }));
  try {
    const mounts: WasiMount[] = root ? [{ guestPath: '/', hostPath: root.dir, readOnly: false }] : [];
    for (const d of dirs) mounts.push({ guestPath: d.name, hostPath: d.copy.dir, readOnly: false });
    const opts: WasiTestOptions = {
      args: spec.args,
      env: process.env.WASI_CONFORMANCE_EXTRA_ENV
        ? { ...spec.env, ...(JSON.parse(process.env.WASI_CONFORMANCE_EXTRA_ENV) as Record<string, string>) }
        : spec.env,
      mounts,
      realClock: true,
      realRandom: true,
      timeoutMs: TIMEOUT_MS,
    };
    const r = await runWasiTest(runs, wasm, opts);
    const why: string[] = [];
    if (r.error) why.push(r.error);
    if (r.exitCode !== spec.exitCode) why.push(`exit code ${r.exitCode}, expected ${spec.exitCode}`);
    if (spec.stdout !== undefined && r.stdout !== spec.stdout) why.push(`stdout ${JSON.stringify(r.stdout)}`);
    if (spec.stderr !== undefined && r.stderr !== spec.stderr) why.push(`stderr ${JSON.stringify(r.stderr)}`);
    return why.length ? why.join('; ') : undefined;
  } finally {
    root?.dispose();
    for (const d of dirs) d.copy.dispose();
  }
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const tests: string[] = [];
  for (const lang of fs.readdirSync(path.join(suiteRoot, 'tests')).sort()) {
    const dir = path.join(suiteRoot, 'tests', lang, 'testsuite', 'wasm32-wasip1');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      if (f.endsWith('.wasm') && (!filter || `${lang}/${f}`.includes(filter))) tests.push(path.join(dir, f));
    }
  }
  await bundle(); // the sandbox processes run dist/sandbox-host.js
  const runs = new RunManager({ poolSize: CONCURRENCY });
  let passed = 0;
  let failed = 0;
  const queue = [...tests];
  const worker = async (): Promise<void> => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      let why: string | undefined;
      try {
        why = await runOne(runs, t);
      } catch (e) {
        why = `runner error: ${e instanceof Error ? e.message : String(e)}`;
      }
      const name = path.relative(path.join(suiteRoot, 'tests'), t);
      if (why === undefined) passed++;
      else {
        failed++;
        console.log(`FAIL ${name}: ${why}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await runs.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
