// A count anyone can rerun (needs the real fledge CLI): how many plugins.toml writes of the CLI does
// this app undo while both write at full speed? Each round: the CLI installs 40 plugins back to back
// while the app rewrites plugins.toml in a loop. Prints, per round, the CLI installs, the app writes,
// how many of those were re-applied over a CLI write that landed first, and the CLI entries lost.
//   PATH=/opt/fledge/bin:$PATH npx tsx test/interop/race-count.ts [rounds=3]
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRegistry, updateRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { findFledge, Side } from './fledge-cli.js';
import { writeWasmPlugin } from './wasm-plugin.js';

const rounds = Number(process.argv[2] ?? 3);
const fledge = findFledge();
if (!fledge) {
  console.log('race-count: no fledge CLI on PATH; nothing to measure.');
  process.exit(0);
}
let lostTotal = 0;
for (let round = 1; round <= rounds; round++) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'fledge-race-')));
  try {
    const side = new Side(fledge, join(root, 'home'), root);
    const file = join(side.configDir, 'plugins.toml');
    await updateRegistry(file, (reg) => {
      reg.plugins.push({
        name: 'fledge-app',
        source: '/src/app',
        version: '1.0.0',
        installed: '2026-12-01',
        commands: ['app'],
        capabilities: {
          exec: false,
          store: false,
          metadata: false,
          filesystem: 'none',
          network: false,
          clock: false,
          random: false,
        },
        extra: {},
      });
    });
    const dirs: string[] = [];
    for (let i = 0; i < 40; i++)
      dirs.push(await writeWasmPlugin(join(root, `p${i}`), { name: `fledge-p${i}`, command: `p${i}` }));
    let done = false;
    const cli = (async () => {
      for (const d of dirs) {
        const r = await side.cliAsync(['plugins', 'install', d, '--yes']);
        if (r.code !== 0) throw new Error(r.stderr);
      }
    })().finally(() => {
      done = true;
    });
    let writes = 0;
    let attempts = 0;
    while (!done) {
      await updateRegistry(file, (reg) => {
        attempts++;
        const e = reg.plugins.find((p) => p.name === 'fledge-app');
        if (e?.capabilities) e.capabilities.store = !e.capabilities.store;
      });
      writes++;
    }
    await cli;
    const names = new Set((await readRegistry(file)).plugins.map((p) => p.name));
    const lost = dirs.filter((_, i) => !names.has(`fledge-p${i}`)).length;
    lostTotal += lost;
    console.log(
      `round ${round}: 40 CLI installs, ${writes} app writes, ${attempts - writes} re-applied over a CLI write, ${lost} CLI entries lost`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
console.log(`${lostTotal} CLI entries lost in ${rounds} rounds`);
