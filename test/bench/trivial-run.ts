// `npx tsx test/bench/trivial-run.ts [--runs N] [--old DIST_DIR | --old-rev REV] [--process] [--fledge]`: the fixed
// cost of a run through the CLI. A plugin that prints one line (C, wasm32-wasi, as in
// bench:wasmtime) is run as a whole process, and the CPU time (user + system) of the whole process
// tree (wait4's rusage: the CLI and every process it waited for) and the wall time are taken.
//   new      dist/fledge-desktop run <plugin> (the CLI built from this tree, on the Node its launcher
//            starts: the pinned Node when installed, build/cli-launcher.mjs)
//   new-node node dist/cli.cjs run <plugin>: the same build on the Node running this benchmark
//   old      node DIST_DIR/cli.cjs (or cli.js, before it was CommonJS) run <plugin>: a copy of an earlier dist/ (`cp -r dist /tmp/old-dist`
//            before a change), for side-by-side figures
//   --old-rev REV: the same for a commit of this repository, built here (a temporary git worktree with
//            this checkout's node_modules, its own build/bundle.mjs). Issue 14's "today" (0.25 s of CPU)
//            is 0960073 (bench:wasmtime measured it at 0.25 s; the last build before the CLI's sandbox
//            moved into its process) or 568f1e4 (the last build before the work on the issue began).
//   process  the new CLI with its sandbox in a process of its own (FLEDGE_CLI_SANDBOX=process)
//   fledge   the real fledge CLI (`fledge plugins run`), when installed (FLEDGE_BENCH_FLEDGE, else
//            /opt/fledge/bin/fledge)
// --sandbox-start adds what each run of the app pays (its warm pool starts one sandbox process per
// run): a sandbox process forked until it is ready (worker up and warm), new and --old, measured with
// the small Node that forks it (the "bare" line: that Node alone).
// --no-extra-ca runs every variant without NODE_EXTRA_CA_CERTS: Node reads that file when it starts
// (~30 ms of CPU per Node process for a system bundle of ~150 certificates), so where it is set it
// weighs on every figure here.
// The variants alternate within each round (the order rotates); medians of --runs rounds (default 9).
// Run it under `flock /tmp/bench.lock` on a shared machine. Not in CI. Needs clang and python3.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error plain ESM build script without types
import { bundle } from '../../build/bundle.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    old: { type: 'string' },
    'old-rev': { type: 'string' },
    process: { type: 'boolean', default: false },
    fledge: { type: 'boolean', default: false },
    'no-extra-ca': { type: 'boolean', default: false },
    'sandbox-start': { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const work = mkdtempSync(join(tmpdir(), 'fledge-bench-trivial-'));
const node = process.execPath;

await bundle();

// ---- the plugin --------------------------------------------------------------------------------
const pluginDir = join(work, 'bench-trivial');
mkdirSync(pluginDir, { recursive: true });
{
  const src = join(work, 'hello.c');
  writeFileSync(
    src,
    '#include <stdio.h>\nint main(void) { puts("hello from a trivial plugin"); return 0; }\n',
  );
  // No node_modules/.bin on PATH: clang would run binaryen's wasm-opt from there.
  const path = (process.env.PATH ?? '').split(':').filter((d) => !d.includes('node_modules'));
  execFileSync('clang', ['--target=wasm32-wasi', '-O2', src, '-o', join(pluginDir, 'program.wasm')], {
    env: { ...process.env, PATH: path.join(':') },
  });
  writeFileSync(
    join(pluginDir, 'plugin.toml'),
    '[plugin]\nname = "bench-trivial"\nversion = "1.0.0"\nprotocol = "fledge-v1"\nruntime = "wasm"\n\n' +
      '[[commands]]\nname = "bench-trivial"\nbinary = "program.wasm"\n',
  );
}
const expected = 'hello from a trivial plugin\n';

// ---- measuring one whole process tree ------------------------------------------------------------
// python3 spawns the command and reads wait4's rusage (microseconds; /usr/bin/time rounds to 10 ms).
const MEASURE = `
import os, sys, time, json
t0 = time.monotonic()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
print(json.dumps({"status": os.waitstatus_to_exitcode(status), "wall": wall * 1000, "cpu": (ru.ru_utime + ru.ru_stime) * 1000}))
`;

interface Sample {
  cpuMs: number;
  wallMs: number;
}

function measure(argv: string[], env: NodeJS.ProcessEnv): Sample {
  const r = spawnSync('python3', ['-c', MEASURE, ...argv], { env, cwd: work, encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let line: { status: number; wall: number; cpu: number };
  try {
    line = JSON.parse(last);
  } catch {
    throw new Error(`${argv.join(' ')}: no measurement (${r.stderr.slice(-400)})`);
  }
  const out = r.stdout.slice(0, r.stdout.length - last.length - 1);
  // (fledge prints a "Running WASM plugin" line of its own first.)
  if (line.status !== 0 || !out.endsWith(expected))
    throw new Error(
      `${argv.join(' ')} failed (${line.status}): ${JSON.stringify(out)} ${r.stderr.slice(-400)}`,
    );
  return { cpuMs: line.cpu, wallMs: line.wall };
}

const config = join(work, 'config'); // exists: the prepared-module cache key is kept, as installed
mkdirSync(config, { recursive: true });
const cliEnv = (extra: Record<string, string> = {}) => {
  const env: NodeJS.ProcessEnv = { ...process.env, FLEDGE_CONFIG_DIR: config };
  if (values['no-extra-ca']) delete env.NODE_EXTRA_CA_CERTS;
  delete env.FLEDGE_SANDBOX_NODE;
  delete env.FLEDGE_CLI_SANDBOX;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
};

/** The dist/ of commit `rev`, built in a worktree of its own under the work folder. */
function distOfRevision(rev: string): string {
  const dir = join(work, 'old-rev');
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', dir, rev], { stdio: 'ignore' });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(node, [join(dir, 'build', 'bundle.mjs')], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return join(dir, 'dist');
}
const oldDist = values['old-rev'] ? distOfRevision(values['old-rev']) : values.old;

const variants: { name: string; run: () => Sample }[] = [
  { name: 'new', run: () => measure([join(root, 'dist', 'fledge-desktop'), 'run', pluginDir], cliEnv()) },
  { name: 'new-node', run: () => measure([node, join(root, 'dist', 'cli.cjs'), 'run', pluginDir], cliEnv()) },
];
if (oldDist) {
  const oldDir = resolve(oldDist);
  const oldCli =
    [join(oldDir, 'cli.cjs'), join(oldDir, 'cli.js')].find((f) => existsSync(f)) ?? join(oldDir, 'cli.cjs');
  if (!existsSync(oldCli)) throw new Error(`${oldCli} does not exist`);
  variants.push({ name: 'old', run: () => measure([node, oldCli, 'run', pluginDir], cliEnv()) });
}
if (values.process)
  variants.push({
    name: 'process',
    run: () =>
      measure(
        [node, join(root, 'dist', 'cli.cjs'), 'run', pluginDir],
        cliEnv({ FLEDGE_CLI_SANDBOX: 'process' }),
      ),
  });
if (values['sandbox-start']) {
  // Forks the host as NodeSandboxLauncher does, waits for `ready`, kills it.
  const HARNESS = `const { fork } = require('node:child_process');
const child = fork(process.argv[1], ['--fledge-wasm-max-pages=4096'], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { NODE_ENV: 'production' } });
child.on('message', (m) => { if (m.kind === 'ready') { process.stdout.write(${JSON.stringify(expected)}); child.kill('SIGKILL'); } });
child.on('exit', () => process.exit(0));`;
  const start = (host: string) => () => measure([node, '-e', HARNESS, host], cliEnv());
  variants.push({ name: 'sb-new', run: start(join(root, 'dist', 'sandbox-host.js')) });
  if (oldDist) variants.push({ name: 'sb-old', run: start(join(resolve(oldDist), 'sandbox-host.js')) });
  variants.push({
    name: 'bare',
    run: () => measure([node, '-e', `process.stdout.write(${JSON.stringify(expected)})`], cliEnv()),
  });
}
const fledgeBin = [process.env.FLEDGE_BENCH_FLEDGE, '/opt/fledge/bin/fledge'].find((b) => b && existsSync(b));
if (values.fledge && fledgeBin) {
  const home = join(work, 'fledge-home');
  const fledgeEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    FLEDGE_NON_INTERACTIVE: '1',
  };
  if (values['no-extra-ca']) delete fledgeEnv.NODE_EXTRA_CA_CERTS;
  mkdirSync(home, { recursive: true });
  execFileSync(fledgeBin, ['plugins', 'install', pluginDir, '--yes'], { env: fledgeEnv, stdio: 'ignore' });
  variants.push({
    name: 'fledge',
    run: () => measure([fledgeBin, 'plugins', 'run', 'bench-trivial'], fledgeEnv),
  });
} else if (values.fledge) console.log('The fledge CLI is not installed: it is left out.');

// ---- rounds ----------------------------------------------------------------------------------------
// One run of each first: prepares and caches the module, as an install does.
for (const v of variants) v.run();
const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
const loads: number[] = [];
for (let round = 0; round < RUNS; round++) {
  loads.push(loadavg()[0]!);
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + round) % variants.length]!;
    samples.get(v.name)!.push(v.run());
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(
  `trivial run through the CLI, ${RUNS} alternated rounds on Node ${process.versions.node}; load (1 min) ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}; NODE_EXTRA_CA_CERTS ${values['no-extra-ca'] || !process.env.NODE_EXTRA_CA_CERTS ? 'unset' : 'set'}`,
);
const med = new Map<string, Sample>();
for (const v of variants) {
  const s = samples.get(v.name)!;
  const m = { cpuMs: median(s.map((x) => x.cpuMs)), wallMs: median(s.map((x) => x.wallMs)) };
  med.set(v.name, m);
  console.log(
    `  ${v.name.padEnd(8)} CPU ${ms(m.cpuMs).padStart(9)}   wall ${ms(m.wallMs).padStart(9)}   (CPU min ${ms(Math.min(...s.map((x) => x.cpuMs)))}, max ${ms(Math.max(...s.map((x) => x.cpuMs)))})`,
  );
}
const oldM = med.get('old');
if (oldM) {
  const n = med.get('new')!;
  console.log(
    `  new/old: CPU ${(n.cpuMs / oldM.cpuMs).toFixed(2)}x (goal <= 0.50x), wall ${(n.wallMs / oldM.wallMs).toFixed(2)}x (goal <= 1.00x)`,
  );
  const onNode = med.get('new-node')!;
  console.log(
    `  new-node/old (node dist/cli.cjs, not the launcher): CPU ${(onNode.cpuMs / oldM.cpuMs).toFixed(2)}x, wall ${(onNode.wallMs / oldM.wallMs).toFixed(2)}x`,
  );
}
if (values['old-rev'])
  execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', join(work, 'old-rev')]);
rmSync(work, { recursive: true, force: true });
