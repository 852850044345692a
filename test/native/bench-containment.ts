// How much a contained native start costs over a plain one: the same tiny plugin (a C program that
// reads init, sends one output line and exits) run through RunManager with full access and contained
// by bubblewrap, alternated, N rounds; prints the median of each, the overhead and the ratio.
//   npx tsx test/native/bench-containment.ts [rounds=10]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { RunManager } from '../../electron/engine/runs/index.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';

const rounds = Number(process.argv[2] ?? 10);
const support = await containmentSupport();
if (!support.available) {
  console.log(`containment is not available here: ${support.reason}`);
  process.exit(0);
}
const root = mkdtempSync(join(tmpdir(), 'fledge-bench-native-'));
const pluginDir = join(root, 'fledge-bench');
const project = join(root, 'project');
mkdirSync(join(pluginDir, 'bin'), { recursive: true });
mkdirSync(project);
execFileSync('clang', [
  '-O2',
  '-o',
  join(pluginDir, 'bin', 'plugin'),
  resolve(import.meta.dirname, '..', 'fixtures', 'native', 'fledge-c.c'),
]);
writeFileSync(join(pluginDir, 'plugin.toml'), '[plugin]\nname = "fledge-bench"\nversion = "0.1.0"\n');

const manager = new RunManager({ poolSize: 0 });
async function once(access: 'full' | 'contained'): Promise<number> {
  const t0 = performance.now();
  const run = manager.start({
    plugin: { name: 'fledge-bench', version: '0.1.0', dir: pluginDir, declared: NO_CAPABILITIES },
    command: 'bench',
    binary: 'bin/plugin',
    args: ['flood', '1'],
    project: { name: 'project', root: project, language: 'unknown', git: null },
    grants: NO_CAPABILITIES,
    native: { protocol: true, access },
  });
  run.subscribe(() => {});
  const end = await run.ended;
  if (end.code !== 0) throw new Error(`the ${access} run failed: ${end.message}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

await once('full');
await once('contained'); // warm-up: page cache, bwrap probe
const samples = { full: [] as number[], contained: [] as number[] };
for (let i = 0; i < rounds; i++) {
  // alternate which goes first, so drift on a noisy machine hits both alike
  const order: ('full' | 'contained')[] = i % 2 ? ['contained', 'full'] : ['full', 'contained'];
  for (const access of order) samples[access].push(await once(access));
}
await manager.close();
rmSync(root, { recursive: true, force: true });
const full = median(samples.full);
const contained = median(samples.contained);
const f = (x: number) => x.toFixed(1);
console.log(`native start to end, median of ${rounds} (alternated), bwrap ${support.bwrap}:`);
console.log(`  full access: ${f(full)} ms   [${samples.full.map(f).join(', ')}]`);
console.log(`  contained:   ${f(contained)} ms   [${samples.contained.map(f).join(', ')}]`);
console.log(`  overhead of containment: ${f(contained - full)} ms (x${(contained / full).toFixed(2)})`);
