// `npm run cli` (and every test run) builds first: build/bundle.mjs does nothing when what it builds
// from and what it wrote are as the last build left them. Its fingerprint must change with any
// source, script, lock file, output or Node that changed, and not with the screens Vite writes.
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM build script without types
import { fingerprintOf } from '../../build/bundle.mjs';
import { tempDir } from '../support/temp.js';

const fingerprint = fingerprintOf as (dir: string, nodes: string[]) => string;

function tree(root: string): void {
  for (const [file, text] of Object.entries({
    'electron/cli/main.ts': 'main',
    'shared/x.ts': 'x',
    'renderer/bridge/install.ts': 'bridge',
    'build/bundle.mjs': 'bundle',
    'native/addon/addon.cc': 'addon',
    'package.json': '{}',
    'package-lock.json': '{}',
    'dist/cli-run.cjs': 'run',
    'dist/cli-run.cjs.node-abi-115.cache': 'cache',
    'dist/renderer/index.html': 'screens',
    'node/bin/node': 'a node',
  })) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
}

describe("the build's fingerprint (whether dist/ is up to date)", () => {
  const root = tempDir('bundle-fingerprint');

  it('holds while nothing changed, and changes with whatever the build reads or wrote', () => {
    const dir = join(root, 'project');
    tree(dir);
    const node = join(dir, 'node/bin/node');
    const first = fingerprint(dir, [node]);
    expect(fingerprint(dir, [node])).toBe(first);
    const changes: [string, () => void][] = [
      ['a source edited', () => writeFileSync(join(dir, 'electron/cli/main.ts'), 'main 2')],
      ['a source touched', () => utimesSync(join(dir, 'shared/x.ts'), new Date(), new Date(2001, 1, 1))],
      ['a source added', () => writeFileSync(join(dir, 'electron/cli/new.ts'), '')],
      ['a source removed', () => rmSync(join(dir, 'renderer/bridge/install.ts'))],
      ['the lock file', () => writeFileSync(join(dir, 'package-lock.json'), '{ }')],
      ['a build script', () => writeFileSync(join(dir, 'build/bundle.mjs'), 'bundle 2')],
      ['the addon source', () => writeFileSync(join(dir, 'native/addon/addon.cc'), 'addon 2')],
      ['an output damaged', () => writeFileSync(join(dir, 'dist/cli-run.cjs'), 'RUN')],
      ['an output removed', () => rmSync(join(dir, 'dist/cli-run.cjs.node-abi-115.cache'))],
      ['the Node replaced', () => writeFileSync(node, 'another node')],
    ];
    let last = first;
    for (const [what, change] of changes) {
      change();
      const now = fingerprint(dir, [node]);
      expect(now, what).not.toBe(last);
      last = now;
    }
    expect(fingerprint(dir, [])).not.toBe(last); // another set of Nodes
  });

  it('does not change with the screens (dist/renderer), node_modules, .git or its own file', () => {
    const dir = join(root, 'quiet');
    tree(dir);
    const before = fingerprint(dir, []);
    writeFileSync(join(dir, 'dist/renderer/index.html'), 'screens 2');
    mkdirSync(join(dir, 'electron/node_modules/x'), { recursive: true });
    writeFileSync(join(dir, 'electron/node_modules/x/index.js'), '');
    mkdirSync(join(dir, 'native/.git'), { recursive: true });
    writeFileSync(join(dir, 'native/.git/HEAD'), 'ref');
    writeFileSync(join(dir, 'dist/.bundle-fingerprint'), before);
    expect(fingerprint(dir, [])).toBe(before);
  });
});
