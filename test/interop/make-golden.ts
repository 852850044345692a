// Regenerates test/fixtures/fledge-1.8/ from the REAL fledge CLI (never in CI):
//   npx tsx test/interop/make-golden.ts            (fledge on PATH, or FLEDGE_BIN=/path/to/fledge)
// Everything runs in a temp HOME; paths are written as {{ROOT}} and the install date as {{DATE}}.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { findFledge, repoRoot, Side } from './fledge-cli.js';
import { writeWasmPlugin } from './wasm-plugin.js';

const OUT = join(repoRoot, 'test', 'fixtures', 'fledge-1.8');

function localDate(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args], { cwd, stdio: 'ignore' });
}

/** A bare repository holding a WASM plugin, tagged v0.1.0, then a second commit (0.2.0). */
async function bareRepo(root: string, repoName: string, command: string): Promise<string> {
  const work = join(root, 'work', repoName);
  await writeWasmPlugin(work, { name: repoName, command, version: '0.1.0' });
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'v0.1.0');
  git(work, 'tag', 'v0.1.0');
  await writeWasmPlugin(work, { name: repoName, command, version: '0.2.0' });
  git(work, 'commit', '-q', '-am', 'v0.2.0');
  const bare = join(root, 'repos', `${repoName}.git`);
  mkdirSync(join(root, 'repos'), { recursive: true });
  execFileSync('git', ['clone', '-q', '--bare', work, bare], { stdio: 'ignore' });
  return bare;
}

function nativePlugin(dir: string): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(
    join(dir, 'plugin.toml'),
    '[plugin]\nname = "fledge-native-plain"\nversion = "1.0.0"\n\n[[commands]]\nname = "native-plain"\nbinary = "bin/native-plain"\n',
  );
  writeFileSync(join(dir, 'bin', 'native-plain'), '#!/bin/sh\necho "native $*"\n');
  chmodSync(join(dir, 'bin', 'native-plain'), 0o755);
  return dir;
}

function tree(root: string, at = root): string[] {
  const out: string[] = [];
  for (const e of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(at, e.name);
    const rel = relative(root, p);
    if (e.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(p)}`);
    else if (e.isDirectory() && e.name === '.git') out.push(`${rel}/ (a git clone)`);
    else if (e.isDirectory()) out.push(`${rel}/`, ...tree(root, p));
    else out.push(rel);
  }
  return out;
}

async function main(): Promise<void> {
  const fledge = findFledge();
  if (!fledge) throw new Error('no fledge on PATH (set FLEDGE_BIN)');
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'fledge-golden-')));
  const side = new Side(fledge, join(root, 'home'), root);
  const norm = (s: string) => s.split(root).join('{{ROOT}}').split(localDate()).join('{{DATE}}');
  const save = (name: string, text: string) => writeFileSync(join(OUT, name), norm(text));
  const must = (args: string[]) => {
    const r = side.cli(args);
    if (r.code !== 0) throw new Error(`fledge ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return r;
  };
  try {
    mkdirSync(OUT, { recursive: true });
    const linked = await writeWasmPlugin(join(root, 'src', 'wasm-linked'), {
      name: 'fledge-wasm-linked',
      command: 'wasm-linked',
      storeKeys: 3,
    });
    const copied = await writeWasmPlugin(join(root, 'src', 'wasm-copied'), {
      name: 'fledge-wasm-copied',
      command: 'wasm-copied',
    });
    const native = nativePlugin(join(root, 'src', 'native-plain'));
    const gitRepo = await bareRepo(root, 'fledge-wasm-git', 'wasm-git');
    const pinnedRepo = await bareRepo(root, 'fledge-wasm-pinned', 'wasm-pinned');

    save('install-linked.json', must(['plugins', 'install', linked, '--yes', '--json']).stdout);
    must(['plugins', 'install', copied, '--yes', '--copy']);
    must(['plugins', 'install', native, '--yes']);
    must(['plugins', 'install', `file://${gitRepo}`, '--yes']);
    must(['plugins', 'install', `file://${pinnedRepo}@v0.1.0`, '--yes']);
    save('run-linked.txt', must(['wasm-linked']).stdout);
    save('plugins.toml', readFileSync(join(side.configDir, 'plugins.toml'), 'utf8'));
    save('state.json', readFileSync(join(linked, 'state.json'), 'utf8'));
    save('list.json', must(['plugins', 'list', '--json']).stdout);
    save('audit.json', must(['plugins', 'audit', '--json']).stdout);
    save('layout.txt', `${tree(side.configDir).join('\n')}\n`);
    save('update-all.json', must(['plugins', 'update', '--json']).stdout);
    save('remove-linked.json', must(['plugins', 'remove', 'fledge-wasm-linked', '--json']).stdout);
    save('layout-after-remove.txt', `${tree(side.configDir).join('\n')}\n`);
    save('validate-valid.json', side.cli(['plugins', 'validate', copied, '--json']).stdout);
    const broken = join(root, 'src', 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(
      join(broken, 'plugin.toml'),
      '[plugin]\nname = "fledge-broken"\nversion = "1.0"\n\n[[commands]]\nname = "broken"\nbinary = "missing.wasm"\n\n[hooks]\nbuild = ""\n',
    );
    const invalid = side.cli(['plugins', 'validate', broken, '--json']);
    save('validate-invalid.json', invalid.stdout);
    save('validate-invalid.exit', `${invalid.code}\n`);
    // Arrays of several items and a path with a quote and a backslash, in a home of its own.
    const other = new Side(fledge, join(root, 'home2'), root);
    const two = await writeWasmPlugin(join(root, 'src', 'we"ird\\dir'), {
      name: 'fledge-two',
      command: 'two-a',
    });
    writeFileSync(
      join(two, 'plugin.toml'),
      `${readFileSync(join(two, 'plugin.toml'), 'utf8')}\n[[commands]]\nname = "two-b"\nbinary = "plugin.wasm"\n`,
    );
    const r = other.cli(['plugins', 'install', two, '--yes']);
    if (r.code !== 0) throw new Error(`fledge plugins install (two commands) failed: ${r.stderr}`);
    save('plugins-two-commands.toml', readFileSync(join(other.configDir, 'plugins.toml'), 'utf8'));
    other.cli(['plugins', 'remove', 'fledge-two']);
    save('plugins-empty.toml', readFileSync(join(other.configDir, 'plugins.toml'), 'utf8'));
    console.log(
      `golden files written to ${relative(repoRoot, OUT)} (from ${fledge}, ${must(['--version']).stdout.trim()})`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
