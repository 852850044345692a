// Builds the native addon the sandbox worker uses for V8's compiled-code cache
// (native/wasm-code-cache, electron/sandbox/v8-wasm-serializer.ts), with node-gyp from node_modules:
// - for the Node that runs this (every bundle, when the addon is older than its sources), with the
//   headers that came with this Node (Debian's /usr/include/node, or an official build's include/);
// - with --electron, for the Electron in node_modules (`npm run dist`), with Electron's headers,
//   fetched by node-gyp from Electron's server, into native/wasm-code-cache/electron/ (the Node build
//   is rebuilt after it).
// Best effort: without the addon every run compiles its module as before (slower, nothing else).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const addonDir = join(root, 'native', 'wasm-code-cache');
export const addonFile = join(addonDir, 'build', 'Release', 'wasm_code_cache.node');
export const electronAddonFile = join(addonDir, 'electron', 'wasm_code_cache.node');
const sources = ['binding.gyp', 'wasm_code_cache.cc'].map((f) => join(addonDir, f));
/** Which Node the build/ addon is for: another Node (another ABI) cannot load it, so it is rebuilt. */
const builtFor = join(addonDir, 'build', 'built-for');
const thisNode = `node ${process.version} abi ${process.versions.modules}\n`;

function upToDate(file, forNode = false) {
  if (!existsSync(file)) return false;
  if (forNode && (!existsSync(builtFor) || readFileSync(builtFor, 'utf8') !== thisNode)) return false;
  const built = statSync(file).mtimeMs;
  return sources.every((s) => statSync(s).mtimeMs <= built);
}

/** The folder holding include/node/node.h for this Node, if it has one (else node-gyp's default). */
function nodeDir() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function nodeGyp(args, what) {
  let gyp;
  try {
    gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    console.warn(`The compiled-code cache addon was not built ${what}: node-gyp is not installed (npm ci).`);
    return false;
  }
  const r = spawnSync(process.execPath, [gyp, 'rebuild', ...args], {
    cwd: addonDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  if (r.status !== 0 || !existsSync(addonFile)) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').slice(-6).join('\n');
    console.warn(
      `The compiled-code cache addon was not built ${what} (runs compile their modules every time):\n${why}`,
    );
    return false;
  }
  return true;
}

/** For this Node, unless up to date. */
export function buildNative() {
  return upToDate(addonFile, true) || buildForThisNode();
}

function buildForThisNode() {
  const dir = nodeDir();
  const ok = nodeGyp(dir ? [`--nodedir=${dir}`] : [], 'for this Node');
  if (ok) writeFileSync(builtFor, thisNode);
  return ok;
}

/** For the Electron in node_modules (packaging), then for this Node again. */
export function buildNativeForElectron() {
  if (upToDate(electronAddonFile)) return true;
  const pkg = join(root, 'node_modules', 'electron', 'package.json');
  if (!existsSync(pkg)) return false;
  const { version } = JSON.parse(readFileSync(pkg, 'utf8'));
  const ok = nodeGyp(
    [`--target=${version}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'],
    `for Electron ${version}`,
  );
  if (ok) {
    mkdirSync(dirname(electronAddonFile), { recursive: true });
    copyFileSync(addonFile, electronAddonFile);
  }
  buildForThisNode(); // the folder's build/ is Electron's now: back to this Node's
  return ok;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--electron')) buildNativeForElectron();
  else buildNative();
}
