// `npm run interop`: a scripted session of this project beside the REAL fledge CLI (the first
// `fledge` on PATH, or $FLEDGE_BIN), in a throw-away HOME. Each step prints its result; the last line
// is "N passed, M failed" (exit 1 when any failed). Without a fledge CLI it says so and exits 0, so
// CI is never tied to it. Build 1.8 with: cargo install fledge --root /opt/fledge
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginStore } from '../../electron/engine/host/store.js';
import { installDate } from '../../electron/engine/interop/install-date.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { readRegistry, updateRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { findFledge, type Result, Side } from './fledge-cli.js';
import { shapeOf } from './golden.js';
import { writeWasmPlugin } from './wasm-plugin.js';

let passed = 0;
let failed = 0;

async function step(
  title: string,
  check: () => Promise<string | undefined> | string | undefined,
): Promise<void> {
  try {
    const detail = await check();
    passed++;
    console.log(`ok    ${title}${detail ? ` (${detail})` : ''}`);
  } catch (err) {
    failed++;
    console.log(`FAIL  ${title}\n      ${String((err as Error).message ?? err).replace(/\n/g, '\n      ')}`);
  }
}

function must(r: Result, what: string): Result {
  if (r.code !== 0)
    throw new Error(`${what} exited ${r.code}: ${(r.stderr + r.stdout).trim().slice(0, 600)}`);
  return r;
}

function expect(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** The JSON document in a CLI answer (the CLI may print a progress line before it). */
function json(r: Result): Record<string, unknown> {
  const at = r.stdout.indexOf('{');
  expect(at >= 0, `no JSON in: ${r.stdout.slice(0, 300)}`);
  return JSON.parse(r.stdout.slice(at)) as Record<string, unknown>;
}

const exists = (p: string) =>
  existsSync(p) ||
  (() => {
    try {
      return lstatSync(p).isSymbolicLink();
    } catch {
      return false;
    }
  })();

async function main(): Promise<number> {
  const fledge = findFledge();
  if (!fledge) {
    console.log(
      'interop: no fledge CLI found (nothing named "fledge" on PATH, FLEDGE_BIN unset): nothing to check against, skipped.',
    );
    console.log('interop: to run it, install fledge 1.8 (cargo install fledge) and put it on PATH.');
    return 0;
  }
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'fledge-interop-')));
  const side = new Side(fledge, join(root, 'home'), root);
  const version = side.cli(['--version']);
  if (version.code !== 0 || !/^fledge \d/.test(version.stdout)) {
    rmSync(root, { recursive: true, force: true });
    console.log(
      `interop: ${fledge} is not a working fledge CLI ("--version" answered: ${(version.stdout + version.stderr).trim() || `exit ${version.code}`}).`,
    );
    console.log('0 passed, 1 failed');
    return 1;
  }
  if (!/^fledge 1\.8\./.test(version.stdout))
    console.log(`interop: warning: written against fledge 1.8; this is ${version.stdout.trim()}`);
  console.log(`interop: ${version.stdout.trim()} (${fledge}) beside this project's CLI, HOME=${side.home}`);
  const config = side.configDir;
  const plugins = join(config, 'plugins');
  const service = new PluginService(config, root);
  try {
    // ── Installed here, used there ──────────────────────────────────────────────────────────────
    const mine = await writeWasmPlugin(join(root, 'src', 'app-wasm'), {
      name: 'fledge-app-wasm',
      command: 'app-wasm',
      storeKeys: 3,
      text: 'hello from a plugin installed by fledge-desktop',
    });
    await step('app: plugins install <folder> --yes installs a WASM plugin', () => {
      must(side.app(['plugins', 'install', mine, '--yes']), 'plugins install');
      return undefined;
    });
    await step('plugins.toml entry is in the CLI shape (local date, capabilities table)', async () => {
      const text = readFileSync(join(config, 'plugins.toml'), 'utf8');
      expect(text.includes(`installed = "${installDate()}"`), `installed is not the local date:\n${text}`);
      expect(
        text.includes(
          '[plugins.capabilities]\nexec = false\nstore = true\nmetadata = false\nnetwork = false\n',
        ),
        `no CLI capabilities table:\n${text}`,
      );
      return undefined;
    });
    await step('app made the bin/fledge-app-wasm link the CLI dispatches through', () => {
      const link = join(plugins, 'bin', 'fledge-app-wasm');
      const target = readFileSync(link).length;
      expect(target > 0, 'link does not reach the wasm');
      return `-> ${execFileSync('readlink', [link], { encoding: 'utf8' }).trim()}`;
    });
    await step('fledge plugins list --json lists it', () => {
      const doc = json(must(side.cli(['plugins', 'list', '--json']), 'fledge plugins list'));
      const row = (doc.plugins as { name: string; commands: string[] }[]).find(
        (p) => p.name === 'fledge-app-wasm',
      );
      expect(row?.commands.includes('app-wasm'), `not listed: ${JSON.stringify(doc)}`);
      return `schema_version ${doc.schema_version}`;
    });
    await step('fledge app-wasm runs it (the WASM plugin installed here)', () => {
      const r = must(side.cli(['app-wasm']), 'fledge app-wasm');
      expect(r.stdout.includes('hello from a plugin installed by fledge-desktop'), `output: ${r.stdout}`);
      return r.stdout.trim().split('\n').join(' | ');
    });
    await step('fledge plugins run app-wasm runs it', () => {
      const r = must(side.cli(['plugins', 'run', 'app-wasm']), 'fledge plugins run');
      expect(r.stdout.includes('hello from a plugin installed by fledge-desktop'), `output: ${r.stdout}`);
      return undefined;
    });
    await step('fledge plugins audit --json shows what we granted', () => {
      const doc = json(must(side.cli(['plugins', 'audit', '--json']), 'fledge plugins audit'));
      const row = (
        doc.audit as { name: string; capabilities: Record<string, unknown>; sandboxed: boolean }[]
      ).find((p) => p.name === 'fledge-app-wasm');
      expect(
        row?.sandboxed === true && row.capabilities.store === true && row.capabilities.exec === false,
        JSON.stringify(row),
      );
      return 'store granted, sandboxed';
    });
    await step('the store the CLI run wrote is read here', async () => {
      const entries = await new PluginStore(join(plugins, 'fledge-app-wasm')).entries();
      expect(entries['app-wasm-000'] === undefined && entries['cli-000'] === 'v', JSON.stringify(entries));
      return `${Object.keys(entries).length} keys`;
    });
    await step('fledge plugins remove removes what the app installed, and the app sees it gone', async () => {
      must(side.cli(['plugins', 'remove', 'fledge-app-wasm']), 'fledge plugins remove');
      const reg = await readRegistry(join(config, 'plugins.toml'));
      expect(!reg.plugins.some((p) => p.name === 'fledge-app-wasm'), 'still in the registry');
      expect(!exists(join(plugins, 'bin', 'fledge-app-wasm')), 'bin link left');
      expect(
        !must(side.app(['plugins', 'list']), 'app plugins list').stdout.includes('fledge-app-wasm'),
        'app still lists it',
      );
      return undefined;
    });
    await step('app remove leaves no dangling bin link and nothing of ours in the CLI plugins dir', () => {
      must(side.app(['plugins', 'install', mine, '--yes']), 'plugins install');
      must(side.app(['plugins', 'remove', 'fledge-app-wasm']), 'plugins remove');
      expect(!exists(join(plugins, 'bin', 'fledge-app-wasm')), 'bin link left');
      const left = readdirSync(plugins).filter((n) => n !== 'bin');
      expect(left.length === 0, `left in plugins/: ${left.join(', ')}`);
      const r = side.cli(['app-wasm']);
      expect(r.code !== 0, 'fledge still runs it');
      return `plugins/ holds: ${readdirSync(plugins).join(', ')}`;
    });

    // ── Installed there, used here ──────────────────────────────────────────────────────────────
    const theirs = await writeWasmPlugin(join(root, 'src', 'cli-wasm'), {
      name: 'fledge-cli-wasm',
      command: 'cli-wasm',
      text: 'hello from a plugin installed by the fledge CLI',
    });
    await step('fledge plugins install <folder> --yes (a linked local install)', () => {
      must(side.cli(['plugins', 'install', theirs, '--yes']), 'fledge plugins install');
      expect(lstatSync(join(plugins, 'fledge-cli-wasm')).isSymbolicLink(), 'not a link');
      return undefined;
    });
    await step('app audit shows it linked to its folder, installed by the CLI, for review', async () => {
      const row = (await service.audit()).find((r) => r.name === 'fledge-cli-wasm');
      expect(row?.linkedTo === theirs, `linkedTo: ${row?.linkedTo}`);
      expect(row.changedByCli === 'installed' && row.installedBy === 'fledge-cli', JSON.stringify(row));
      return `linked to ${row.linkedTo}`;
    });
    await step('app run asks for a review first (not an error about a broken plugin)', () => {
      const r = side.app(['run', 'cli-wasm']);
      expect(
        r.code === 1 && /installed by the fledge CLI/.test(r.stderr) && /plugins approve/.test(r.stderr),
        r.stderr,
      );
      return r.stderr.trim().replace(/^fledge-desktop run: /, '');
    });
    await step('app approve, then app run runs the CLI-installed plugin', () => {
      must(side.app(['plugins', 'approve', 'fledge-cli-wasm']), 'plugins approve');
      const r = must(side.app(['run', 'cli-wasm']), 'run');
      expect(r.stdout.includes('hello from a plugin installed by the fledge CLI'), r.stdout);
      return r.stdout.trim();
    });
    await step('app remove of the linked install removes the link only, never the folder', () => {
      must(side.app(['plugins', 'remove', 'fledge-cli-wasm']), 'plugins remove');
      expect(
        existsSync(join(theirs, 'plugin.toml')) && existsSync(join(theirs, 'plugin.wasm')),
        'the folder was touched',
      );
      expect(
        !exists(join(plugins, 'fledge-cli-wasm')) && !exists(join(plugins, 'bin', 'fledge-cli-wasm')),
        'link left',
      );
      const doc = json(must(side.cli(['plugins', 'list', '--json']), 'fledge plugins list'));
      expect((doc.plugins as unknown[]).length === 0, JSON.stringify(doc));
      return undefined;
    });
    const bare = await bareRepository(root, 'fledge-pinned-wasm', 'pinned-wasm');
    await step(
      'fledge installs from git at a tag (pinned_ref); the app reads, approves and runs it',
      async () => {
        must(side.cli(['plugins', 'install', `file://${bare}@v0.1.0`, '--yes']), 'fledge plugins install');
        const reg = await readRegistry(join(config, 'plugins.toml'));
        const entry = reg.plugins.find((p) => p.name === 'fledge-pinned-wasm');
        expect(entry?.pinned_ref === 'v0.1.0' && entry.version === '0.1.0', JSON.stringify(entry));
        must(side.app(['plugins', 'approve', 'fledge-pinned-wasm']), 'plugins approve');
        const r = must(side.app(['run', 'pinned-wasm']), 'run');
        expect(r.stdout.includes('hello from pinned-wasm'), r.stdout);
        return `pinned_ref ${entry.pinned_ref}`;
      },
    );

    await step(
      'app update of that git install keeps its source and pinned_ref as the CLI wrote them; fledge still runs it',
      async () => {
        const before = (await readRegistry(join(config, 'plugins.toml'))).plugins.find(
          (p) => p.name === 'fledge-pinned-wasm',
        );
        must(side.app(['plugins', 'update', 'fledge-pinned-wasm', '--yes']), 'app plugins update');
        const after = (await readRegistry(join(config, 'plugins.toml'))).plugins.find(
          (p) => p.name === 'fledge-pinned-wasm',
        );
        expect(
          after?.source === before?.source && after?.pinned_ref === 'v0.1.0',
          `${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
        );
        const r = must(side.cli(['pinned-wasm']), 'fledge pinned-wasm');
        expect(r.stdout.includes('hello from pinned-wasm'), r.stdout);
        const doc = json(must(side.cli(['plugins', 'list', '--json']), 'fledge plugins list'));
        const row = (doc.plugins as { name: string; trust_tier: string }[]).find(
          (p) => p.name === 'fledge-pinned-wasm',
        );
        return `source ${after?.source.replace(root, '<tmp>')}, fledge says ${row?.trust_tier}`;
      },
    );

    // ── Both writing at once ────────────────────────────────────────────────────────────────────
    const shared = await writeWasmPlugin(join(root, 'src', 'both-wasm'), {
      name: 'fledge-both-wasm',
      command: 'both-wasm',
      storeKeys: 120,
      keyPrefix: 'cli',
      spinPerKey: 2_000_000,
    });
    must(side.app(['plugins', 'install', shared, '--yes']), 'plugins install');
    await step(
      'one store written by fledge (120 keys) and this app (120 keys) at once loses nothing',
      async () => {
        const store = new PluginStore(join(plugins, 'fledge-both-wasm'));
        const cli = side.cliAsync(['both-wasm']);
        for (let i = 0; i < 120; i++) await store.set(`app-${String(i).padStart(3, '0')}`, 'v');
        must(await cli, 'fledge both-wasm');
        const keys = Object.keys(await store.entries());
        const cliKeys = keys.filter((k) => k.startsWith('cli-')).length;
        const appKeys = keys.filter((k) => k.startsWith('app-')).length;
        expect(cliKeys === 120 && appKeys === 120, `cli ${cliKeys}/120, app ${appKeys}/120`);
        return `${keys.length} keys`;
      },
    );
    const late: string[] = [];
    for (let i = 0; i < 40; i++)
      late.push(
        await writeWasmPlugin(join(root, 'src', `late-${i}`), {
          name: `fledge-late-${i}`,
          command: `late-${i}`,
        }),
      );
    await step(
      'plugins.toml: fledge installs while this app keeps rewriting the file; none is undone',
      async () => {
        let writes = 0;
        let installed = 0;
        let done = false;
        const cli = (async () => {
          for (const dir of late) {
            must(await side.cliAsync(['plugins', 'install', dir, '--yes']), 'fledge plugins install');
            installed++;
            if (writes >= 40) break;
          }
        })().finally(() => {
          done = true;
        });
        let attempts = 0;
        while (!done) {
          // What a grant or revoke does; counts how often a CLI write landed under it and it was re-applied.
          await updateRegistry(join(config, 'plugins.toml'), (reg) => {
            attempts++;
            const e = reg.plugins.find((p) => p.name === 'fledge-both-wasm');
            if (e?.capabilities) e.capabilities.metadata = !e.capabilities.metadata;
          });
          writes++;
        }
        await cli;
        const reg = await readRegistry(join(config, 'plugins.toml'));
        const missing = late
          .slice(0, installed)
          .map((_, i) => `fledge-late-${i}`)
          .filter((n) => !reg.plugins.some((p) => p.name === n));
        expect(missing.length === 0, `undone after ${writes} app writes: ${missing.join(', ')}`);
        expect(
          reg.plugins.some((p) => p.name === 'fledge-both-wasm'),
          'the app entry is gone',
        );
        return `${installed} fledge installs and ${writes} app writes at once; ${attempts - writes} app writes re-applied over a CLI write that landed first; none undone`;
      },
    );

    // ── The same JSON ───────────────────────────────────────────────────────────────────────────
    await step('validate --json: the same document as fledge plugins validate --json', () => {
      const broken = join(root, 'src', 'broken');
      mkdirSync(broken, { recursive: true });
      writeFileSync(join(broken, 'plugin.toml'), '[plugin]\nname = "fledge-broken"\nversion = "1.0"\n');
      for (const dir of [shared, broken]) {
        const theirs = side.cli(['plugins', 'validate', dir, '--json']);
        const ours = side.app(['validate', dir, '--json']);
        expect(
          theirs.code === ours.code,
          `exit codes differ for ${dir}: fledge ${theirs.code}, app ${ours.code}`,
        );
        const [t, o] = [json(theirs), json(ours)];
        expect(
          JSON.stringify(shapeOf(t)) === JSON.stringify(shapeOf(o)),
          `shapes differ:\n${JSON.stringify(t)}\n${JSON.stringify(o)}`,
        );
        expect(t.path === o.path && t.plugin_name === o.plugin_name, `${t.path} ${o.path}`);
      }
      return 'schema_version 1, path, plugin_name, errors, warnings; same exit codes';
    });
    await step('install --json and remove --json: the same documents as fledge prints', async () => {
      const copy = await writeWasmPlugin(join(root, 'src', 'json-wasm'), {
        name: 'fledge-json-wasm',
        command: 'json-wasm',
        storeKeys: 1,
      });
      const oursIn = json(
        must(side.app(['plugins', 'install', copy, '--yes', '--json']), 'app install --json'),
      );
      const oursOut = must(
        side.app(['plugins', 'remove', 'fledge-json-wasm', '--json']),
        'app remove --json',
      ).stdout;
      const theirsIn = json(
        must(side.cli(['plugins', 'install', copy, '--yes', '--json']), 'fledge install --json'),
      );
      const theirsOut = must(
        side.cli(['plugins', 'remove', 'fledge-json-wasm', '--json']),
        'fledge remove --json',
      ).stdout;
      expect(
        JSON.stringify(oursIn) === JSON.stringify(theirsIn),
        `install documents differ:\n${JSON.stringify(oursIn)}\n${JSON.stringify(theirsIn)}`,
      );
      expect(oursOut === theirsOut, `remove documents differ:\n${oursOut}\n${theirsOut}`);
      return 'install field for field, remove byte for byte';
    });
    await step('update --json: the same envelope as fledge plugins update --json', () => {
      const theirs = json(must(side.cli(['plugins', 'update', '--json']), 'fledge update --json'));
      const ours = json(
        must(side.app(['plugins', 'update', 'fledge-both-wasm', '--yes', '--json']), 'app update --json'),
      );
      const keys = (d: Record<string, unknown>) => Object.keys(d).sort().join(',');
      expect(keys(theirs) === keys(ours), `${keys(theirs)} vs ${keys(ours)}`);
      expect(
        JSON.stringify(shapeOf(theirs.summary)) === JSON.stringify(shapeOf(ours.summary)),
        'summary differs',
      );
      return keys(ours);
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { cwd, stdio: 'ignore' });
}

async function bareRepository(root: string, name: string, command: string): Promise<string> {
  const work = join(root, 'work', name);
  mkdirSync(work, { recursive: true });
  await writeWasmPlugin(work, { name, command, version: '0.1.0' });
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'v0.1.0');
  git(work, 'tag', 'v0.1.0');
  const bare = join(root, 'repos', `${name}.git`);
  mkdirSync(join(root, 'repos'), { recursive: true });
  execFileSync('git', ['clone', '-q', '--bare', work, bare], { stdio: 'ignore' });
  return bare;
}

process.exitCode = await main();
