// dist/cli.js: starts the CLI bundle (dist/cli-main.cjs) from V8's code cache of it
// (dist/cli-main.cjs.cache), so a run does not parse and compile 1.8 MB of JavaScript again.
//
// Node 20 has no module.enableCompileCache (22.1+), and it caches no ES module's code, so the bundle
// is CommonJS, compiled here with vm.Script and the cached data. build/bundle.mjs makes the cache
// right after the build (FLEDGE_CLI_CODE_CACHE=write: a run of a trivial plugin, written before the
// sandbox starts, since V8 refuses a cache made under other flags and the sandbox sets some). The cache sits beside the bundle and is as trusted as
// it (never written at run time); its header names the bundle's size and mtime, since V8 itself
// checks only the source length. A missing, stale or refused cache only means a slower start.
import { isAscii } from 'node:buffer';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

import { CODE_CACHE_POINT } from './code-cache-point.js';

const file = join(dirname(fileURLToPath(import.meta.url)), 'cli-main.cjs');
const cacheFile = `${file}.cache`;

/** The bundle this cache belongs to, and the Node that made it. */
function header(): string {
  const st = statSync(file);
  return `fledge-code-cache 1 ${st.size} ${st.mtimeMs} ${process.version}\n`;
}

function readCache(expected: string): Buffer | undefined {
  try {
    const raw = readFileSync(cacheFile);
    const head = raw.subarray(0, expected.length).toString('latin1');
    return head === expected ? raw.subarray(expected.length) : undefined;
  } catch {
    return undefined;
  }
}

const expected = header();
const bytes = readFileSync(file);
// build/bundle.mjs makes the bundle ASCII: then Latin-1 is the same text, 10-30x faster to decode.
const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
const cachedData = readCache(expected);
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: file,
  ...(cachedData ? { cachedData } : {}),
});
if (process.env.FLEDGE_CLI_CODE_CACHE === 'check')
  process.stderr.write(
    `code cache: ${cachedData ? (script.cachedDataRejected ? 'refused' : 'used') : 'none'}\n`,
  );
if (process.env.FLEDGE_CLI_CODE_CACHE === 'write') {
  // With every function compiled so far: when `run` is about to start its sandbox (CODE_CACHE_POINT,
  // before the sandbox changes V8 flags), else at exit (a command that starts none).
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([Buffer.from(expected, 'latin1'), script.createCachedData()]));
    renameSync(tmp, cacheFile);
  };
  process.once(CODE_CACHE_POINT, write);
  process.once('exit', write);
}
const cjsModule = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void).call(
  cjsModule.exports,
  cjsModule.exports,
  createRequire(file),
  cjsModule,
  file,
  dirname(file),
);
