// Bundles the Node entry points (CLI, sandbox process, sandbox worker, scripts) into dist/.
// Fast enough (well under a second) to run before every CLI call and test run.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** dist name -> source entry. Add an entry here when a new process or script needs its own file. */
export const entries = {
  cli: 'electron/cli/main.ts',
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
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundle();
}
