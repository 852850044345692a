import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLayers } from './support/layers.js';

const repoRoot = resolve(import.meta.dirname, '..');

describe('dependency direction', () => {
  it('the repository has no import that crosses a layer the wrong way', () => {
    const violations = checkLayers(repoRoot);
    expect(violations.map((v) => `${v.file}:${v.line} ${v.specifier}: ${v.message}`)).toEqual([]);
  });

  describe('catches wrong-way imports in a tree with the same layout', () => {
    const root = mkdtempSync(join(tmpdir(), 'layers-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const put = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    put('shared/ok.ts', "import { parse } from 'smol-toml';\nexport const x = parse;\n");
    put('shared/bad-node.ts', "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n");
    put('shared/bad-up.ts', "export * from '../electron/engine/thing.js';\n");
    put('electron/engine/thing.ts', "import { app } from 'electron';\nexport const t = app;\n");
    put(
      'electron/engine/ok.ts',
      "import '../sandbox/x.js';\nimport '../../shared/ok.js';\nimport 'node:path';\n",
    );
    put('electron/sandbox/x.ts', "const m = await import('../engine/thing.js');\nexport default m;\n");
    put('electron/main/ok.ts', "import 'electron';\nimport '../engine/ok.js';\n");
    put(
      'renderer/app.tsx',
      "import fs from 'fs';\nimport { x } from '../shared/ok.js';\nexport { fs, x };\n",
    );
    put('renderer/bad-engine.tsx', "export * from '../electron/engine/ok.js';\n");
    put('electron/preload/ok.ts', "import 'electron';\nimport '../../shared/ok.js';\n");
    put('electron/preload/bad.ts', "import 'zod';\nimport 'node:fs';\nimport '../engine/ok.js';\n");
    put(
      'renderer/ok-ui.tsx',
      "import { useState } from 'react';\nimport '../shared/ok.js';\nexport const u = useState;\n",
    );
    put(
      'renderer/bad-electron.tsx',
      "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n",
    );
    put('renderer/bad-serve.tsx', "export * from '../electron/serve/ok.js';\n");
    put('electron/serve/ok.ts', "import 'node:http';\nimport 'ws';\nimport '../engine/ok.js';\n");
    put('electron/serve/bad.ts', "import { app } from 'electron';\nexport const a = app;\n");
    put('electron/engine/bad-serve.ts', "export * from '../serve/ok.js';\n");

    const found = checkLayers(root).map((v) => `${v.file}:${v.specifier}`);

    it('flags each wrong-way import', () => {
      expect(found.sort()).toEqual(
        [
          'electron/engine/bad-serve.ts:../serve/ok.js',
          'electron/engine/thing.ts:electron',
          'electron/preload/bad.ts:zod',
          'electron/preload/bad.ts:node:fs',
          'electron/preload/bad.ts:../engine/ok.js',
          'electron/serve/bad.ts:electron',
          'electron/sandbox/x.ts:../engine/thing.js',
          'renderer/app.tsx:fs',
          'renderer/bad-electron.tsx:electron',
          'renderer/bad-serve.tsx:../electron/serve/ok.js',
          'renderer/bad-engine.tsx:../electron/engine/ok.js',
          'shared/bad-node.ts:node:fs',
          'shared/bad-up.ts:../electron/engine/thing.js',
        ].sort(),
      );
    });

    it('explains the rule in the message', () => {
      const v = checkLayers(root).find((x) => x.file === 'electron/engine/thing.ts');
      expect(v?.message).toMatch(/engine must not import electron/);
      expect(v?.line).toBe(1);
    });
  });
});
