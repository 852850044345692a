// Bundles the Node entry points (CLI, sandbox process, sandbox worker, scripts) into dist/.
// Fast enough (well under a second) to run before every CLI call and test run.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** dist name -> source entry. Add an entry here when a new process or script needs its own file. */
export const entries = {
  // dist/cli.js starts dist/cli-main.cjs (electron/cli/main.ts) from V8's code cache of it.
  cli: 'electron/cli/cached-entry.ts',
};

// CommonJS bundles: Node 20 caches no ES module's compiled code, and these are started often.
const cjsEntries = {
  'cli-main': 'electron/cli/main.ts',
};

// Optional entries appear as their sources land.
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

export async function bundle() {
  const entryPoints = { ...entries };
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
  });
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
  writeCodeCache();
}

/**
 * V8's code cache of the CLI bundle, made by running `run --help` once (electron/cli/cached-entry.ts
 * writes it at exit, with the functions a run compiles on its way to the sandbox). Best effort: a
 * CLI without it starts as before.
 */
function writeCodeCache() {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'run', '--help'], {
    env: { ...process.env, FLEDGE_CLI_CODE_CACHE: 'write' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) console.warn(`The CLI's code cache was not made: ${r.stderr || r.error?.message}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle();
}
