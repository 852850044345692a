// The dependency-direction rule of docs/architecture.md, made checkable: main/cli -> engine ->
// sandbox/shared, renderer -> shared, never back. Every import (static, dynamic, require) is read
// with the TypeScript scanner and checked against the layer of the file that makes it.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export type Layer =
  | 'shared'
  | 'renderer'
  | 'electron/main'
  | 'electron/preload'
  | 'electron/cli'
  | 'electron/serve'
  | 'electron/engine'
  | 'electron/sandbox'
  | 'electron/types'
  | 'other';

interface Rule {
  /** Layers this layer may import from (its own is always allowed). */
  layers: Layer[];
  node: boolean;
  electron: boolean;
  /** null: any npm package; otherwise only these. */
  packages: string[] | null;
  why: string;
}

const RULES: Partial<Record<Layer, Rule>> = {
  shared: {
    layers: [],
    node: false,
    electron: false,
    packages: ['smol-toml', 'zod'],
    why: 'shared/ is environment-free: no Node, no DOM, no Electron, nothing from other layers',
  },
  renderer: {
    layers: ['shared'],
    node: false,
    electron: false,
    packages: null,
    why: 'the renderer sees only window.fledge and shared/',
  },
  'electron/sandbox': {
    layers: ['shared', 'electron/types'],
    node: true,
    electron: false,
    packages: null,
    why: 'the sandbox runs under plain Node and knows nothing above it (engine, cli, main)',
  },
  'electron/engine': {
    layers: ['electron/sandbox', 'shared', 'electron/types'],
    node: true,
    electron: false,
    packages: null,
    why: 'the engine runs under plain Node: it never imports electron, main, preload or cli',
  },
  'electron/cli': {
    layers: ['electron/engine', 'electron/sandbox', 'shared', 'electron/types'],
    node: true,
    electron: false,
    packages: null,
    why: 'the CLI runs under plain Node over the engine',
  },
  'electron/serve': {
    layers: ['electron/engine', 'electron/sandbox', 'shared', 'electron/types'],
    node: true,
    electron: false,
    packages: null,
    why: 'browser mode runs under plain Node over the engine, like the CLI',
  },
  'electron/main': {
    layers: ['electron/engine', 'electron/sandbox', 'shared', 'electron/types'],
    node: true,
    electron: true,
    packages: null,
    why: 'main is a thin adapter over the engine',
  },
  'electron/preload': {
    layers: ['shared'],
    node: false,
    electron: true,
    // shared/ (with what it imports) and electron only: a sandboxed preload has nothing else
    packages: [],
    why: 'the preload only bridges IPC to window.fledge',
  },
};

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  message: string;
}

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|jsx)$/;
const BUILTINS = new Set(builtinModules);

export function layerOf(root: string, file: string): Layer {
  const rel = relative(root, file).split(sep).join('/');
  for (const layer of [
    'electron/main',
    'electron/preload',
    'electron/cli',
    'electron/serve',
    'electron/engine',
    'electron/sandbox',
    'electron/types',
  ] as const) {
    if (rel.startsWith(`${layer}/`)) return layer;
  }
  if (rel.startsWith('shared/')) return 'shared';
  if (rel.startsWith('renderer/')) return 'renderer';
  return 'other';
}

function* sourceFiles(dir: string): Generator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(full);
    else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts') && !/\.test\.tsx?$/.test(e.name)) yield full;
  }
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function checkImport(root: string, file: string, layer: Layer, rule: Rule, specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = layerOf(root, resolve(dirname(file), specifier));
    if (target === layer || rule.layers.includes(target)) return null;
    return `${layer} must not import from ${target === 'other' ? 'outside the layers' : target} (${rule.why})`;
  }
  const name = packageName(specifier);
  if (specifier.startsWith('node:') || BUILTINS.has(name)) {
    return rule.node ? null : `${layer} must not import the Node module "${specifier}" (${rule.why})`;
  }
  if (name === 'electron') return rule.electron ? null : `${layer} must not import electron (${rule.why})`;
  if (rule.packages && !rule.packages.includes(name))
    return `${layer} may import only ${rule.packages.join(', ')} from npm, not "${name}" (${rule.why})`;
  return null;
}

/** Checks every source file under `root` (a repository root or a fixture tree with the same layout). */
export function checkLayers(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const dir of ['shared', 'renderer', 'electron']) {
    for (const file of sourceFiles(join(root, dir))) {
      const layer = layerOf(root, file);
      const rule = RULES[layer];
      if (!rule) continue;
      const text = readFileSync(file, 'utf8');
      const info = ts.preProcessFile(text, true, true);
      for (const ref of info.importedFiles) {
        const message = checkImport(root, file, layer, rule, ref.fileName);
        if (message) {
          const line =
            ts.getLineAndCharacterOfPosition(ts.createSourceFile(file, text, ts.ScriptTarget.Latest), ref.pos)
              .line + 1;
          violations.push({ file: relative(root, file), line, specifier: ref.fileName, message });
        }
      }
    }
  }
  return violations;
}
