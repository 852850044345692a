// Builds the native addon the sandbox worker uses for V8's compiled-code cache
// (native/wasm-code-cache, electron/sandbox/v8-wasm-serializer.ts), with node-gyp from node_modules:
// - for the Node that runs this and for the pinned Node sandbox processes are forked on when it is
//   installed (electron/engine/runs/sandbox-node.ts), at every bundle when out of date, each with the
//   headers that came with it (Debian's /usr/include/node, an official build's include/), into
//   native/wasm-code-cache/node-abi-<its ABI>/: one Node cannot load another's;
// - with --electron, for the Electron in node_modules (`npm run dist`), with Electron's headers,
//   fetched by node-gyp from Electron's server, into native/wasm-code-cache/electron/.
// Best effort: without the addon every run compiles its module as before (slower, nothing else).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const addonDir = join(root, 'native', 'wasm-code-cache');
/** What node-gyp writes; each build is copied out of it to where its runtime looks. */
const builtFile = join(addonDir, 'build', 'Release', 'wasm_code_cache.node');
/** The addon for the Node of ABI `abi` (process.versions.modules): v8-wasm-serializer.ts loads it. */
function nodeAddonFile(abi) {
  return join(addonDir, `node-abi-${abi}`, 'wasm_code_cache.node');
}
export const electronAddonFile = join(addonDir, 'electron', 'wasm_code_cache.node');
const sources = ['binding.gyp', 'wasm_code_cache.cc'].map((f) => join(addonDir, f));

/** A Node to build for: its binary, version and ABI. */
function nodeOf(execPath) {
  if (execPath === process.execPath)
    return { execPath, version: process.version, abi: process.versions.modules };
  const r = spawnSync(execPath, ['-p', 'process.version + " " + process.versions.modules'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return undefined;
  const [version, abi] = r.stdout.trim().split(' ');
  return { execPath, version, abi };
}

/** The pinned Node's binary (sandbox-node.ts's pinnedNode: build/setup.sh installs it), if installed. */
export function pinnedNodeBinary() {
  const name = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  try {
    const pkgFile = createRequire(join(root, 'build', 'sandbox-node', 'package.json')).resolve(
      `${name}/package.json`,
    );
    const { bin } = JSON.parse(readFileSync(pkgFile, 'utf8'));
    const rel = typeof bin === 'string' ? bin : bin?.node;
    const file = rel ? join(dirname(pkgFile), rel) : undefined;
    return file && existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Which Node an addon is for (beside it): one built for another Node of the same ABI is rebuilt too. */
const builtForFile = (file) => join(dirname(file), 'built-for');
const builtForText = (node) => `node ${node.version} abi ${node.abi}\n`;

function upToDate(file, node) {
  if (!existsSync(file)) return false;
  const forFile = builtForFile(file);
  if (node && (!existsSync(forFile) || readFileSync(forFile, 'utf8') !== builtForText(node))) return false;
  const built = statSync(file).mtimeMs;
  return sources.every((s) => statSync(s).mtimeMs <= built);
}

/** The folder holding include/node/node.h for a Node, if it has one (else node-gyp's default). */
function nodeDir(execPath) {
  const prefix = dirname(dirname(execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function nodeGyp(args, what, execPath = process.execPath) {
  let gyp;
  try {
    gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    console.warn(`The compiled-code cache addon was not built ${what}: node-gyp is not installed (npm ci).`);
    return false;
  }
  // node-gyp takes npm's config from the environment (npm_config_nodedir from an .npmrc, under npm
  // scripts) over its arguments: then the pinned Node's addon was built with this Node's headers.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(config|package_config_node_gyp)_/i.test(k)),
  );
  const r = spawnSync(execPath, [gyp, 'rebuild', ...args], {
    cwd: addonDir,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  if (r.status !== 0 || !existsSync(builtFile)) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').slice(-6).join('\n');
    console.warn(
      `The compiled-code cache addon was not built ${what} (runs compile their modules every time):\n${why}`,
    );
    return false;
  }
  return true;
}

/** For this Node and the pinned Node (when installed), each unless up to date. */
export function buildNative() {
  const nodes = [nodeOf(process.execPath)];
  const pinned = pinnedNodeBinary();
  const other = pinned && pinned !== process.execPath ? nodeOf(pinned) : undefined;
  if (other && other.abi !== nodes[0].abi) nodes.push(other);
  let ok = true;
  for (const node of nodes) {
    const file = nodeAddonFile(node.abi);
    if (!upToDate(file, node)) ok = buildFor(node, file) && ok;
  }
  return ok;
}

function buildFor(node, file) {
  const dir = nodeDir(node.execPath);
  if (!nodeGyp(dir ? [`--nodedir=${dir}`] : [], `for Node ${node.version}`, node.execPath)) return false;
  mkdirSync(dirname(file), { recursive: true });
  copyFileSync(builtFile, file);
  // Loaded once by the Node it is for: an addon built against other headers would only be refused
  // at every run, without a word.
  const load = spawnSync(node.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  if (load.status !== 0) {
    rmSync(file, { force: true });
    console.warn(
      `The compiled-code cache addon built for Node ${node.version} does not load in it (runs there compile their modules every time):\n${load.stderr.trim().split('\n').slice(0, 4).join('\n')}`,
    );
    return false;
  }
  writeFileSync(builtForFile(file), builtForText(node));
  return true;
}

/** For the Electron in node_modules (packaging). */
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
    copyFileSync(builtFile, electronAddonFile);
  }
  return ok;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--electron')) buildNativeForElectron();
  else buildNative();
}
