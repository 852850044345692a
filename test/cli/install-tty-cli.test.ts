// On a terminal, install asks: first whether to install, then each capability, then the build hook.
// A real pseudo-terminal comes from util-linux's `script`; answers are typed when each question shows.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { repoRoot } from '../support/cli.js';
import { tempDir, writeTree } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs the CLI on a pseudo-terminal, answering the n-th "[y/N]" question with answers[n]. */
function onTerminal(args: string[], env: Record<string, string>, answers: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const cmd = ['node', join(repoRoot, 'dist/cli.cjs'), ...args].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...env } });
    let out = '';
    let asked = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const questions = out.split('[y/N]').length - 1;
      while (asked < questions) child.stdin.write(`${answers[asked++] ?? 'n'}\n`);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

describe.skipIf(!hasScript)('cli plugins install on a terminal', () => {
  it('asks for each capability and grants only what the person says yes to', async () => {
    const root = tempDir('tty');
    const wasm = await wat2wasm('(module (memory (export "memory") 1) (func (export "_start")))');
    const src = writeTree(join(root, 'src'), {
      'plugin.toml':
        '[plugin]\nname = "fledge-tty"\nversion = "1.0.0"\nprotocol = "fledge-v1"\nruntime = "wasm"\n[[commands]]\nname = "t"\nbinary = "t.wasm"\n[capabilities]\nexec = true\nstore = true\n',
      't.wasm': wasm,
    });
    const out = await onTerminal(['plugins', 'install', src], { FLEDGE_CONFIG_DIR: join(root, 'cfg') }, [
      'y',
      'n',
      'y',
    ]);
    expect(out).toContain('Install fledge-tty? [y/N]');
    expect(out).toContain('Grant "Run commands on your computer" (exec)? [y/N]');
    expect(out).toContain('Grant "Remember data between runs" (store)? [y/N]');
    const reg = parseRegistry(readFileSync(join(root, 'cfg', 'plugins.toml'), 'utf8'));
    expect(reg.plugins[0]?.capabilities).toMatchObject({ exec: false, store: true });
  });

  it('saying no to the install installs nothing', async () => {
    const root = tempDir('tty-no');
    const wasm = await wat2wasm('(module (memory (export "memory") 1) (func (export "_start")))');
    const src = writeTree(join(root, 'src'), {
      'plugin.toml':
        '[plugin]\nname = "fledge-nope"\nversion = "1.0.0"\nprotocol = "fledge-v1"\nruntime = "wasm"\n[[commands]]\nname = "t"\nbinary = "t.wasm"\n',
      't.wasm': wasm,
    });
    const out = await onTerminal(['plugins', 'install', src], { FLEDGE_CONFIG_DIR: join(root, 'cfg') }, [
      'n',
    ]);
    expect(out).toContain('declined; nothing was installed');
    expect(() => readFileSync(join(root, 'cfg', 'plugins.toml'))).toThrow();
  });
});
