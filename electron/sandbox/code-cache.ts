// Starts a CommonJS bundle from V8's code cache of it (BUNDLE.node-abi-<ABI>.cache beside it: one per
// Node, since the CLI runs on one and the engine's sandbox processes on the pinned one), so that a
// process or a worker does not parse and compile its JavaScript again at every start. Used by the
// CLI (dist/cli.cjs starts dist/cli-run.cjs or dist/cli-main.cjs; the run bundle loads
// dist/cli-run-limits.cjs for an installed plugin) and by the sandbox worker (dist/sandbox-worker.cjs
// starts dist/sandbox-worker-main.cjs): each is started once per run.
//
// Node 20 has no module.enableCompileCache (22.1+) and caches no ES module's code, so the bundles are
// CommonJS, compiled here with vm.Script and the cached data. build/bundle.mjs makes the caches right
// after the build (mode 'write': a run of a plugin of its own, each cache written at its
// CODE_CACHE_POINT, since V8 refuses a cache made under other flags than its own and the sandbox sets
// some). A cache sits beside its bundle and is as trusted as it (never written at run time); its
// header names the bundle's size and mtime and the Node that made it, since V8 itself checks only the
// source length. A missing, stale or refused cache only means a slower start.
import { isAscii } from 'node:buffer';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { Script } from 'node:vm';
import { CODE_CACHE_POINT } from './code-cache-point.js';

/** The bundle this cache belongs to, and the Node that made it. */
function header(file: string): string {
  const st = statSync(file);
  return `fledge-code-cache 1 ${st.size} ${st.mtimeMs} ${process.version}\n`;
}

function readCache(cacheFile: string, expected: string): Buffer | undefined {
  try {
    const raw = readFileSync(cacheFile);
    const head = raw.subarray(0, expected.length).toString('latin1');
    return head === expected ? raw.subarray(expected.length) : undefined;
  } catch {
    return undefined;
  }
}

/** Where this Node keeps its code cache of the bundle `file`. */
export function codeCacheFile(file: string): string {
  return `${file}.node-abi-${process.versions.modules}.cache`;
}

/**
 * Runs the CommonJS bundle `file` as require() would (and returns its exports), compiled from its code
 * cache when it has one.
 * `mode` (from the environment): 'write' writes the cache at CODE_CACHE_POINT (else at exit), with
 * every function compiled by then; 'check' reports on stderr whether the cache was used ("code
 * cache: used|refused|none (BUNDLE)"); anything else does neither.
 */
export function startFromCodeCache(file: string, mode: string | undefined): unknown {
  const cacheFile = codeCacheFile(file);
  const expected = header(file);
  const bytes = readFileSync(file);
  // build/bundle.mjs makes these bundles ASCII: then Latin-1 is the same text, 10-30x faster to decode.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cachedData = readCache(cacheFile, expected);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (mode === 'check')
    process.stderr.write(
      `code cache: ${cachedData ? (script.cachedDataRejected ? 'refused' : 'used') : 'none'} (${basename(file)}) on Node ${process.version}\n`,
    );
  if (mode === 'write') {
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      const tmp = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, Buffer.concat([Buffer.from(expected, 'latin1'), script.createCachedData()]));
      renameSync(tmp, cacheFile);
    };
    process.once(CODE_CACHE_POINT, write);
    process.once('exit', write);
  }
  const cjsModule: { exports: unknown } = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void).call(
    cjsModule.exports,
    cjsModule.exports,
    createRequire(file),
    cjsModule,
    file,
    dirname(file),
  );
  return cjsModule.exports;
}
