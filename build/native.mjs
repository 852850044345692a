// Builds the native addons, with node-gyp from node_modules:
// - the sandbox worker's, for V8's compiled-code cache and huge pages (native/wasm-code-cache,
//   electron/sandbox/sandbox-addon.ts): for the Node that runs this and for the pinned Node
//   (electron/engine/runs/sandbox-node.ts) when it is installed, at every bundle when out of date,
//   each with the headers that came with it (Debian's /usr/include/node, an official build's
//   include/), into native/wasm-code-cache/node-abi-<its ABI>/: one Node cannot load another's;
//   with --electron, for the Electron in node_modules (`npm run dist`), with Electron's headers,
//   fetched by node-gyp from Electron's server, into native/wasm-code-cache/electron/;
// - fs-ext, the file lock the plugin store is written under (electron/engine/fs/flock.ts), for the
//   pinned Node (npm built node_modules/fs-ext for this one), from node_modules/fs-ext's sources
//   copied into native/fs-ext/, into native/fs-ext/node-abi-<its ABI>/: the CLI runs on the pinned
//   Node only when it has it (build/cli-launcher.mjs).
// Best effort: without the first, every run compiles its module as before (slower, nothing else);
// without the second, the CLI runs on this Node.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * An addon: `dir` is where node-gyp builds it (its binding.gyp), `built` the file it makes there
 * (build/Release/), `sources` what a build is out of date against, `copyFrom` where its sources come
 * from when they are not kept in the repository, `what` how a warning names it and `without` what
 * happens when it is not built.
 */
const codeCacheAddon = {
  what: 'The compiled-code cache addon',
  without: 'runs compile their modules every time',
  dir: join(root, 'native', 'wasm-code-cache'),
  built: 'wasm_code_cache.node',
  sources: ['binding.gyp', 'wasm_code_cache.cc'].map((f) => join(root, 'native', 'wasm-code-cache', f)),
};
const fsExtAddon = {
  what: 'The file-lock module (fs-ext)',
  without: 'the CLI runs on this Node instead',
  dir: join(root, 'native', 'fs-ext'),
  built: 'fs_ext.node',
  sources: ['binding.gyp', 'fs-ext.cc'].map((f) => join(root, 'node_modules', 'fs-ext', f)),
  copyFrom: join(root, 'node_modules', 'fs-ext'),
};
/** The addon for the Node of ABI `abi` (process.versions.modules), where its runtime looks for it. */
function nodeAddonFile(addon, abi) {
  return join(addon.dir, `node-abi-${abi}`, addon.built);
}
export const electronAddonFile = join(codeCacheAddon.dir, 'electron', codeCacheAddon.built);
/** What node-gyp writes for an addon; each build is copied out of it to where its runtime looks. */
const builtFile = (addon) => join(addon.dir, 'build', 'Release', addon.built);

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

function upToDate(addon, file, node) {
  if (!existsSync(file)) return false;
  const forFile = builtForFile(file);
  if (node && (!existsSync(forFile) || readFileSync(forFile, 'utf8') !== builtForText(node))) return false;
  const built = statSync(file).mtimeMs;
  return addon.sources.every((s) => existsSync(s) && statSync(s).mtimeMs <= built);
}

/** The folder holding include/node/node.h for a Node, if it has one (else node-gyp's default). */
function nodeDir(execPath) {
  const prefix = dirname(dirname(execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function nodeGyp(addon, args, what, execPath = process.execPath) {
  let gyp;
  try {
    gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    console.warn(`${addon.what} was not built ${what}: node-gyp is not installed (npm ci).`);
    return false;
  }
  if (addon.copyFrom) {
    // Built in a folder of its own: node_modules/fs-ext/build/ holds the build npm made for this Node.
    mkdirSync(addon.dir, { recursive: true });
    for (const s of addon.sources) copyFileSync(s, join(addon.dir, basename(s)));
  }
  // node-gyp takes npm's config from the environment (npm_config_nodedir from an .npmrc, under npm
  // scripts) over its arguments: then the pinned Node's addon was built with this Node's headers.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(config|package_config_node_gyp)_/i.test(k)),
  );
  const r = spawnSync(execPath, [gyp, 'rebuild', ...args], {
    cwd: addon.dir,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  if (r.status !== 0 || !existsSync(builtFile(addon))) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').slice(-6).join('\n');
    console.warn(`${addon.what} was not built ${what} (${addon.without}):\n${why}`);
    return false;
  }
  return true;
}

/**
 * The sandbox's addon for this Node and the pinned Node (when installed), fs-ext for the pinned Node,
 * each unless up to date. Whether fs-ext is there for the pinned Node (then the CLI may run on it).
 */
export function buildNative() {
  const nodes = [nodeOf(process.execPath)];
  const pinned = pinnedNodeBinary();
  const other = pinned && pinned !== process.execPath ? nodeOf(pinned) : undefined;
  if (other && other.abi !== nodes[0].abi) nodes.push(other);
  for (const node of nodes) {
    const file = nodeAddonFile(codeCacheAddon, node.abi);
    if (!upToDate(codeCacheAddon, file, node)) buildFor(codeCacheAddon, node, file);
  }
  if (nodes.length < 2) return { pinnedFsExt: false };
  // flock.ts loads it where node_modules/fs-ext is another Node's.
  const fsExt = nodeAddonFile(fsExtAddon, nodes[1].abi);
  return { pinnedFsExt: upToDate(fsExtAddon, fsExt, nodes[1]) || buildFor(fsExtAddon, nodes[1], fsExt) };
}

function buildFor(addon, node, file) {
  const dir = nodeDir(node.execPath);
  if (!nodeGyp(addon, dir ? [`--nodedir=${dir}`] : [], `for Node ${node.version}`, node.execPath))
    return false;
  mkdirSync(dirname(file), { recursive: true });
  copyFileSync(builtFile(addon), file);
  // Loaded once by the Node it is for: an addon built against other headers would only be refused
  // at every run, without a word.
  const load = spawnSync(node.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  if (load.status !== 0) {
    rmSync(file, { force: true });
    console.warn(
      `${addon.what} built for Node ${node.version} does not load in it (${addon.without}):\n${load.stderr.trim().split('\n').slice(0, 4).join('\n')}`,
    );
    return false;
  }
  writeFileSync(builtForFile(file), builtForText(node));
  return true;
}

/** For the Electron in node_modules (packaging). */
export function buildNativeForElectron() {
  if (upToDate(codeCacheAddon, electronAddonFile)) return true;
  const pkg = join(root, 'node_modules', 'electron', 'package.json');
  if (!existsSync(pkg)) return false;
  const { version } = JSON.parse(readFileSync(pkg, 'utf8'));
  const ok = nodeGyp(
    codeCacheAddon,
    [`--target=${version}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'],
    `for Electron ${version}`,
  );
  if (ok) {
    mkdirSync(dirname(electronAddonFile), { recursive: true });
    copyFileSync(builtFile(codeCacheAddon), electronAddonFile);
  }
  return ok;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--electron')) buildNativeForElectron();
  else buildNative();
}
