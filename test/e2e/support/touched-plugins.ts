// Plugins for the native-access and "what it touched" tests and screenshots: a native program (a bash
// script from test/fixtures/native, run without the protocol) and a WASM plugin that writes store keys
// and reads metadata (test/fixtures/wat/store-keys.wat), each as a folder to install from.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { wat2wasm } from '../../support/wat.js';

const FIXTURES = resolve(import.meta.dirname, '..', '..', 'fixtures');

function toml(name: string, runtime: 'wasm' | 'native', binary: string, caps: string[], description: string) {
  return [
    '[plugin]',
    `name = "${name}"`,
    'version = "1.0.0"',
    `description = "${description}"`,
    ...(runtime === 'wasm' ? ['protocol = "fledge-v1"'] : []),
    `runtime = "${runtime}"`,
    '',
    '[[commands]]',
    `name = "${name}"`,
    `binary = "${binary}"`,
    '',
    '[capabilities]',
    ...caps,
    '',
  ].join('\n');
}

/** "toolbox": a native plugin (a plain program), in `root`/native-src. */
export function nativeToolFolder(root: string): string {
  const dir = join(root, 'native-src');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(FIXTURES, 'native', 'plain.sh'), join(dir, 'bin', 'tool'));
  chmodSync(join(dir, 'bin', 'tool'), 0o755);
  writeFileSync(
    join(dir, 'plugin.toml'),
    toml('toolbox', 'native', 'bin/tool', [], 'Tidies your project with a native program'),
  );
  return dir;
}

/** "keeper": a WASM plugin that writes the store keys greeting (twice), last-run and loop (`loops` times), and reads metadata. */
export async function storeKeysFolder(root: string, loops = 3): Promise<string> {
  const dir = join(root, 'keys-src');
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(join(FIXTURES, 'wat', 'store-keys.wat'), 'utf8').replaceAll(
    '{{EXTRA}}',
    String(loops),
  );
  writeFileSync(join(dir, 'plugin.wasm'), await wat2wasm(text, 'store-keys.wat'));
  writeFileSync(
    join(dir, 'plugin.toml'),
    toml(
      'keeper',
      'wasm',
      'plugin.wasm',
      ['store = true', 'metadata = true'],
      'Remembers a few things between runs',
    ),
  );
  return dir;
}
