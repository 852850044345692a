// Builds the native addon the sandbox worker uses for V8's compiled-code cache
// (native/wasm-code-cache, electron/sandbox/v8-wasm-serializer.ts) for the Node that runs this, with
// node-gyp from node_modules and the headers that came with this Node (Debian's /usr/include/node,
// or the include/node of an official build). Skipped when the addon is newer than its sources.
// Best effort: without it every run compiles its module as before (slower, nothing else changes).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const addonDir = join(root, 'native', 'wasm-code-cache');
export const addonFile = join(addonDir, 'build', 'Release', 'wasm_code_cache.node');
const sources = ['binding.gyp', 'wasm_code_cache.cc'].map((f) => join(addonDir, f));

function upToDate() {
  if (!existsSync(addonFile)) return false;
  const built = statSync(addonFile).mtimeMs;
  return sources.every((s) => statSync(s).mtimeMs <= built);
}

/** The folder holding include/node/node.h for this Node, if it has one (else node-gyp's default). */
function nodeDir() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

export function buildNative() {
  if (upToDate()) return true;
  let gyp;
  try {
    gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    console.warn('The compiled-code cache addon was not built: node-gyp is not installed (npm ci).');
    return false;
  }
  const dir = nodeDir();
  const r = spawnSync(process.execPath, [gyp, 'rebuild', ...(dir ? [`--nodedir=${dir}`] : [])], {
    cwd: addonDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  if (r.status !== 0 || !existsSync(addonFile)) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').slice(-6).join('\n');
    console.warn(
      `The compiled-code cache addon was not built (runs compile their modules every time):\n${why}`,
    );
    return false;
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildNative();
