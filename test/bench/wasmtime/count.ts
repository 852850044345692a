// `npm run bench:count`: metering alone as a COUNT, not a time: the machine instructions a fresh
// process executes to compile and run each program of `npm run bench:wasmtime` once, the prepared
// module against the original, under valgrind (cachegrind, no cache simulation), minus a run that
// prepares the module and compiles and runs nothing. Same harness as the bench's metering alone
// (meter-alone.ts, its `first` mode), tiering as the sandbox chooses, under this Node and the pinned
// one. Between two runs a count moved by about 10 M instructions on Node 20 and up to 150 M on Node 26
// here (interp's original: 0.05 % and 1.7 % of its 10 G; memwalk's 0.25-0.4 G: 4 % and 15 %), where
// times on a shared machine move by 20 %: it shows what a change to the meter does on programs of
// several G instructions (interp, fib, vm, loops, strhash), not on memwalk. It does not weigh what
// costs more than one cycle (a spill, a cache miss: memwalk counts 1.19-1.29x on Node 20 and times
// 1.02x), so the bench's times stay the figure the goal is judged by.
// Slow: valgrind runs V8 about 30x slower, about 3 minutes per program per Node (--only vm,fib,...).
// Not in CI. Needs valgrind (Debian: apt-get install valgrind); says so when it is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pinnedNode } from '../../../electron/engine/runs/sandbox-node.js';
import { bundleMeterHarness } from './meter-harness.js';
import { buildPrograms, PROGRAMS_DIR } from './programs.js';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',').filter(Boolean);

if (spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log('valgrind is not installed (Debian: apt-get install valgrind): nothing counted.');
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'fledge-bench-count-'));
const programs = await buildPrograms(PROGRAMS_DIR, only);
const harness = await bundleMeterHarness(work);

/** Instructions valgrind counted for one process of the harness. */
function count(node: string, program: (typeof programs)[number], which: string): number {
  const config = { programs: [program], runs: 1, tiering: 'auto', first: true, which };
  const r = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      '--cachegrind-out-file=/dev/null',
      '--smc-check=all',
      node,
      harness,
      JSON.stringify(config),
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const refs = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (r.status !== 0 || !refs)
    throw new Error(`valgrind failed on ${program.name} (${which}): ${r.stderr.slice(-600)}`);
  return Number(refs[1]!.replaceAll(',', ''));
}

const nodes: [string, string][] = [['this Node', process.execPath]];
const pinned = pinnedNode();
if (pinned) nodes.push(['the pinned Node', pinned]);
const fmt = (n: number) => `${(n / 1e9).toFixed(3)} G`;
let worst = 0;
for (const [label, node] of nodes) {
  const v8 = spawnSync(node, ['-p', 'process.versions.v8'], { encoding: 'utf8' }).stdout.trim();
  console.log(
    `\nMetering alone, instructions to compile and run once (${label}: V8 ${v8}), tiering as the sandbox chooses`,
  );
  for (const p of programs) {
    const none = count(node, p, 'none');
    const original = count(node, p, 'original') - none;
    const prepared = count(node, p, 'prepared') - none;
    const ratio = prepared / original;
    worst = Math.max(worst, ratio);
    console.log(
      `  ${p.name.padEnd(12)} original ${fmt(original)}  prepared ${fmt(prepared)}  ${ratio.toFixed(3)}x`,
    );
  }
}
console.log(`\nworst ${worst.toFixed(3)}x (the goal on times: <= 1.10x)`);
