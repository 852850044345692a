// Bundles the Node entry points (CLI, sandbox process, sandbox worker, scripts) into dist/, then
// makes their code caches. Run before every CLI call (`npm run cli`) and test run: when nothing it
// builds from or wrote has changed since (upToDate), it has nothing to do. `--force` builds anyway.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeCliLauncher } from './cli-launcher.mjs';
import { buildNative, pinnedNodeBinary } from './native.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

// CommonJS bundles: Node 20 caches no ES module's compiled code, and these are started often.
const cjsEntries = {
  // dist/cli.cjs starts dist/cli-run.cjs (electron/cli/run-main.ts: `run` alone) for a run, else
  // dist/cli-main.cjs (electron/cli/main.ts: every command), each from V8's code cache of it.
  cli: 'electron/cli/cached-entry.ts',
  'cli-main': 'electron/cli/main.ts',
  'cli-run': 'electron/cli/run-main.ts',
  // What cli-run.cjs loads to read an installed plugin's settings (with zod: most of the CLI's code).
  'cli-run-limits': 'electron/cli/run-limits-entry.ts',
  // The sandbox worker (engine/runs/in-process.ts, sandbox/host.ts), the same way: a CommonJS worker
  // starts ~9 ms of CPU sooner than an ES module one, and ~6 ms sooner again from its code cache.
  // sandbox-worker.js (worker.ts as an ES module) stays for what ships only that one.
  'sandbox-worker': 'electron/sandbox/worker-entry.ts',
  'sandbox-worker-main': 'electron/sandbox/worker.ts',
};

/** The CommonJS bundles started from a code cache (sandbox/code-cache.ts), each made ASCII for it. */
const cachedBundles = ['cli-main.cjs', 'cli-run.cjs', 'cli-run-limits.cjs', 'sandbox-worker-main.cjs'];

// ES module bundles (dist name -> source entry); optional ones appear as their sources land.
const optional = {
  'sandbox-host': 'electron/sandbox/host.ts',
  'sandbox-worker': 'electron/sandbox/worker.ts',
  'prepare-worker': 'electron/sandbox/prepare/prepare-worker.ts',
  serve: 'electron/serve/main.ts',
  // The Electron main process (package.json "main"); electron itself is provided by Electron.
  main: 'electron/main/index.ts',
};

// Sandboxed preloads must be one CommonJS file that requires only Electron's renderer modules.
const preloadEntries = {
  preload: 'electron/preload/index.ts',
};

// Browser scripts (no Node): browser mode's window.fledge bridge.
const browserEntries = {
  'fledge-bridge': 'renderer/bridge/install.ts',
};

// What the bundles, the addon and the code caches are made from (the sources, the build scripts, the
// dependencies as locked), besides the Node that runs the build and the pinned one.
const INPUTS = ['electron', 'shared', 'renderer', 'build', 'native', 'package.json', 'package-lock.json'];
const FINGERPRINT_FILE = '.bundle-fingerprint';

/**
 * A digest of the path, size and mtime of every input under `dir` and of everything in its dist/ but
 * the screens (Vite writes dist/renderer, at times while this runs), and of the Nodes (`nodes`: their
 * paths, whose files are taken too): any file edited, added, removed or rewritten (a checkout, a test
 * that damages an output) changes it. Sizes and times only: no file is read.
 */
export function fingerprintOf(dir, nodes) {
  const hash = createHash('sha256');
  const skip = new Set([join(dir, 'dist', FINGERPRINT_FILE), join(dir, 'dist', 'renderer')]);
  const add = (path) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return;
    if (!st.isDirectory()) {
      hash.update(`${path}\0${st.size}\0${st.mtimeMs}\n`);
      return;
    }
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      if (name !== 'node_modules' && name !== '.git' && !skip.has(child)) add(child);
    }
  };
  for (const input of [...INPUTS, 'dist']) add(join(dir, input));
  for (const node of nodes) {
    hash.update(`node ${node}\n`);
    add(node);
  }
  return hash.digest('hex');
}

const fingerprint = () =>
  fingerprintOf(root, [process.execPath, ...[pinnedNodeBinary()].filter((p) => typeof p === 'string')]);
const fingerprintFile = join(root, 'dist', FINGERPRINT_FILE);

/** Whether dist/ is what a build now would make (its fingerprint from the last build still holds). */
function upToDate() {
  try {
    return readFileSync(fingerprintFile, 'utf8') === fingerprint();
  } catch {
    return false;
  }
}

export async function bundle({ force = false } = {}) {
  if (!force && upToDate()) return;
  rmSync(fingerprintFile, { force: true });
  await buildAll();
  writeFileSync(fingerprintFile, fingerprint());
}

async function buildAll() {
  const entryPoints = {};
  for (const [name, src] of Object.entries(optional))
    if (existsSync(join(root, src))) entryPoints[name] = src;
  // The builds run side by side (the Node one is the long one); all are awaited at the end.
  const builds = [];
  const start = (options) => builds.push(build(options));
  start({
    absWorkingDir: root,
    entryPoints,
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['electron'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  start({
    absWorkingDir: root,
    entryPoints: cjsEntries,
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['electron'],
    inject: [join(root, 'build', 'cjs-import-meta.mjs')],
    define: { 'import.meta.url': 'import_meta_url' },
    // Less text to read and scan at every start (names are kept: stack traces stay readable).
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
  });
  const cjsBuild = builds.at(-1);
  const preload = Object.fromEntries(
    Object.entries(preloadEntries).filter(([, src]) => existsSync(join(root, src))),
  );
  if (Object.keys(preload).length)
    start({
      absWorkingDir: root,
      entryPoints: preload,
      outdir: 'dist',
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'browser',
      format: 'cjs',
      target: 'chrome140',
      external: ['electron'],
      minify: true,
      sourcemap: 'linked',
      logLevel: 'warning',
    });
  const browser = Object.fromEntries(
    Object.entries(browserEntries).filter(([, src]) => existsSync(join(root, src))),
  );
  if (Object.keys(browser).length)
    start({
      absWorkingDir: root,
      entryPoints: browser,
      outdir: 'dist',
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      minify: true,
      sourcemap: 'linked',
      logLevel: 'warning',
    });
  await Promise.all(builds);
  noDynamicImport((await cjsBuild).metafile);
  for (const name of cachedBundles) asciiOnly(join(root, 'dist', name));
  // The CLI's Node: the pinned one when the file lock could be built for it (build/cli-launcher.mjs).
  const pinned = pinnedNodeBinary();
  const cliNode = pinned && buildNative().pinnedFsExt ? pinned : process.execPath;
  writeCodeCache(cliNode, pinned);
  writeCliLauncher({
    root,
    dist: join(root, 'dist'),
    node: cliNode,
    about:
      cliNode === process.execPath
        ? `Node ${process.version}, the Node that built it (the pinned Node is not installed or has no file lock)`
        : 'the pinned Node build/setup.sh installs (build/sandbox-node)',
  });
}

/**
 * sandbox/code-cache.ts compiles these bundles with vm.Script, where a dynamic import() that esbuild left
 * in place (of an external module: a Node built-in, say) would fail when reached: refuse it here.
 */
function noDynamicImport(metafile) {
  for (const [out, meta] of Object.entries(metafile.outputs))
    for (const i of cachedBundles.some((name) => out.endsWith(name)) ? meta.imports : [])
      if (i.kind === 'dynamic-import' && i.external)
        throw new Error(
          `${out} keeps import("${i.path}"), which a CommonJS bundle started by vm.Script cannot run: import it statically (or with createRequire)`,
        );
}

/**
 * esbuild leaves non-ASCII characters in regular expression literals (one manifest check has `¹²³`).
 * Escaped as \uXXXX, which means the same in a regex, a string or a comment, the bundle is ASCII, and
 * sandbox/code-cache.ts reads it as Latin-1: ~0.4 ms for the 1.4 MB instead of 4-12 ms of UTF-8 decoding.
 * (Columns after an escaped character on its line shift in the source map.)
 */
function asciiOnly(path) {
  const text = readFileSync(path, 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) writeFileSync(path, ascii);
}

// (module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
//   (memory (export "memory") 1) (data (i32.const 0) "\10\00\00\00\01\00\00\00") (data (i32.const 16) "\n")
//   (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
// A plugin that prints one empty line: the sandbox worker's cache then holds the output path too.
const NEWLINE_PLUGIN = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 12, 2, 96, 4, 127, 127, 127, 127, 1, 127, 96, 0, 0, 2, 35, 1, 22, 119, 97,
  115, 105, 95, 115, 110, 97, 112, 115, 104, 111, 116, 95, 112, 114, 101, 118, 105, 101, 119, 49, 8, 102, 100,
  95, 119, 114, 105, 116, 101, 0, 0, 3, 2, 1, 1, 5, 3, 1, 0, 1, 7, 19, 2, 6, 109, 101, 109, 111, 114, 121, 2,
  0, 6, 95, 115, 116, 97, 114, 116, 0, 1, 10, 15, 1, 13, 0, 65, 1, 65, 0, 65, 1, 65, 8, 16, 0, 26, 11, 11, 20,
  2, 0, 65, 0, 11, 8, 16, 0, 0, 0, 1, 0, 0, 0, 0, 65, 16, 11, 1, 10,
]);

/**
 * V8's code caches of the CLI's run bundle and of the sandbox worker's, made by a run of a plugin that
 * prints an empty line, in a temp folder (sandbox/code-cache.ts, mode 'write'): the CLI's is written
 * just before its sandbox starts, with every function the run compiled on its way there; the
 * worker's after the run (the worker holds V8's flags for it: worker.ts). One cache per Node: when
 * the pinned Node is installed, a first run puts its sandbox in a process on it (for the engine's
 * sandbox processes), then the CLI's own run, in its process, makes this Node's. The same plugin,
 * installed, is then run by name (the run bundle's cache again, and the settings reader's), and the
 * whole CLI's bundle (every other command) gets its cache from a `plugins list`. Best effort: without
 * them each starts as before.
 */
function writeCodeCache(cliNode, pinned) {
  // This Node's CLI first: a run with its sandbox in a process on the pinned Node, then its own.
  writeCodeCacheOn(process.execPath, pinned && pinned !== process.execPath ? [pinned] : []);
  if (cliNode !== process.execPath) writeCodeCacheOn(cliNode, []);
}

/** The runs above with the CLI on `node`, first one for each of `sandboxNodes`. */
function writeCodeCacheOn(node, sandboxNodes) {
  const tmp = mkdtempSync(join(tmpdir(), 'fledge-code-cache-'));
  try {
    mkdirSync(join(tmp, 'config'));
    const env = { ...process.env, FLEDGE_CLI_CODE_CACHE: 'write', FLEDGE_CONFIG_DIR: join(tmp, 'config') };
    delete env.FLEDGE_CLI_SANDBOX;
    delete env.FLEDGE_SANDBOX_NODE;
    delete env.NODE_OPTIONS;
    const on = node === process.execPath ? '' : ` on ${node}`;
    /** The built CLI with these arguments, in the temp folder; says why when it fails (`what`). */
    const cli = (args, what, extraEnv = {}) => {
      const r = spawnSync(node, [join(root, 'dist', 'cli.cjs'), ...args], {
        env: { ...env, ...extraEnv },
        cwd: tmp,
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (r.status !== 0)
        console.warn(`The code caches were not made${what}${on}: ${r.stderr || r.error?.message}`);
    };
    for (const [i, sandboxNode] of [...sandboxNodes, undefined].entries()) {
      // A plugin folder per run: each run prepares its module, as a plugin's first run does.
      const plugin = join(tmp, `code-cache-${i}`);
      mkdirSync(plugin);
      writeFileSync(join(plugin, 'plugin.wasm'), NEWLINE_PLUGIN);
      writeFileSync(
        join(plugin, 'plugin.toml'),
        '[plugin]\nname = "code-cache"\nversion = "1.0.0"\nprotocol = "fledge-v1"\nruntime = "wasm"\n\n' +
          '[[commands]]\nname = "code-cache"\nbinary = "plugin.wasm"\n',
      );
      if (sandboxNode) cli(['run', plugin], ` for ${sandboxNode}`, { FLEDGE_SANDBOX_NODE: sandboxNode });
      else cli(['run', plugin], '');
    }
    // Then as the plugin installed: its run by name makes the run bundle's cache again (finding an
    // installed plugin is in it too) and the settings reader's; the whole CLI's comes last, from
    // `plugins list`.
    cli(['plugins', 'install', join(tmp, 'code-cache-0'), '--yes'], ' (plugins install)');
    cli(['run', 'code-cache'], ' (run by name)');
    cli(['plugins', 'list'], ' (plugins list)');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle({ force: process.argv.includes('--force') });
}
