// The whole programs of `npm run bench:wasmtime`: C compiled with Debian's clang for wasm32-wasi at
// bench time (programs/*.c), and ruby.wasm (the npm package @ruby/3.4-wasm-wasi, installed into the
// bench's cache on first use, or anywhere named by FLEDGE_BENCH_RUBY_WASM) running a script.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { rubyCommand } from './ruby-command.js';

export interface Program {
  name: string;
  /** What it exercises. */
  what: string;
  wasm: string;
  /** Arguments after argv[0] (the fledge CLI passes none: programs that need some are not run there). */
  args: string[];
  /** Bytes of the original module. */
  size: number;
}

const HERE = import.meta.dirname;

/** Where the benches keep the compiled programs (rebuilt when a source changes). */
export const PROGRAMS_DIR = join(tmpdir(), 'fledge-bench-wasmtime-programs-2');

const C_PROGRAMS: { name: string; what: string }[] = [
  { name: 'vm', what: 'switch-dispatch bytecode VM' },
  { name: 'interp', what: 'tree-walking interpreter running a script' },
  { name: 'fib', what: 'recursive calls (fib 38)' },
  { name: 'loops', what: 'loop kernels (sieve, matrix multiply)' },
  { name: 'strhash', what: 'strings, hashing, qsort' },
  // The CLI goal is judged on programs of a second or more under the fledge CLI, and the default
  // fuel budget (10^10) keeps instruction-bound programs near a second: this one is memory-bound.
  { name: 'memwalk', what: 'dependent loads through 16 MB (cache misses), about 1 s' },
];

/**
 * The Ruby script: method calls, blocks, strings, hashes, integers, sorting (about a second under
 * Wasmtime, with Ruby's start-up).
 */
export const RUBY_SCRIPT = [
  'def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)',
  'h = {}',
  '200_000.times { |i| h["k#{i % 5000}"] = (h["k#{i % 5000}"] || 0) + i }',
  'words = (1..60_000).map { |i| (i * 7919 % 10007).to_s(36) }.sort',
  'puts "ruby: #{fib(24)} #{h.size} #{h["k42"]} #{words.first} #{words.last}"',
  '$stdout.flush',
].join('; ');

/** The npm package of the ruby.wasm reactor, pinned. */
const RUBY_PACKAGE = '@ruby/3.4-wasm-wasi@2.10.1';

/**
 * ruby.wasm (with its standard library in the module): from FLEDGE_BENCH_RUBY_WASM, node_modules, or
 * installed once into `cacheDir` from npm (FLEDGE_BENCH_RUBY=skip leaves Ruby out).
 */
export function findRubyWasm(cacheDir?: string): string | undefined {
  const env = process.env.FLEDGE_BENCH_RUBY_WASM;
  if (env) return existsSync(env) ? resolve(env) : undefined;
  // The package's `exports` leave out package.json: look for the file itself.
  const inPackage = (root: string) => {
    const wasm = join(root, 'node_modules', '@ruby', '3.4-wasm-wasi', 'dist', 'ruby+stdlib.wasm');
    return existsSync(wasm) ? wasm : undefined;
  };
  const found = inPackage(resolve(HERE, '..', '..', '..'));
  if (found || !cacheDir || process.env.FLEDGE_BENCH_RUBY === 'skip') return found;
  const prefix = join(cacheDir, 'ruby-npm');
  const cached = inPackage(prefix);
  if (cached) return cached;
  console.log(`Installing ${RUBY_PACKAGE} (about 30 MB, once) into ${prefix} for the ruby program ...`);
  try {
    mkdirSync(prefix, { recursive: true });
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--prefix', prefix, RUBY_PACKAGE],
      {
        stdio: 'pipe',
      },
    );
  } catch (e) {
    console.log(`ruby.wasm is left out: npm could not install ${RUBY_PACKAGE} (${String(e).slice(0, 200)}).`);
    return undefined;
  }
  return inPackage(prefix);
}

/**
 * Why a module cannot run as a plain WASI command (undefined when it can): a reactor (no _start) or
 * imports from other than WASI.
 */
function notACommand(m: WebAssembly.Module): string | undefined {
  const foreign = new Set(
    WebAssembly.Module.imports(m)
      .map((i) => i.module)
      .filter((mod) => mod !== 'wasi_snapshot_preview1'),
  );
  const hasStart = WebAssembly.Module.exports(m).some((e) => e.name === '_start');
  if (!hasStart || foreign.size > 0)
    return `is not a WASI command (${hasStart ? 'has' : 'no'} _start; imports ${[...foreign].join(', ') || 'WASI only'})`;
  return undefined;
}

/**
 * The ruby program: a ruby.wasm command as it is (the script as `-e`), or the npm reactor linked into
 * a command that runs the script (ruby-command.ts), built into `outDir` once per reactor and script.
 */
async function rubyProgram(outDir: string): Promise<Program | undefined> {
  const source = findRubyWasm(outDir);
  if (!source) return undefined;
  const bytes = new Uint8Array(readFileSync(source));
  const what = 'ruby.wasm 3.4 running a script';
  const problem = notACommand(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
  if (!problem) return { name: 'ruby', what, wasm: source, args: ['-e', RUBY_SCRIPT], size: bytes.length };
  const out = join(outDir, 'ruby.wasm');
  const stampFile = join(outDir, 'ruby.stamp');
  const st = statSync(source);
  const stamp = JSON.stringify({ source, size: st.size, mtime: st.mtimeMs, script: RUBY_SCRIPT, v: 1 });
  if (!existsSync(out) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    console.log('Linking ruby.wasm into a WASI command (wasm-merge, once) ...');
    try {
      writeFileSync(out, await rubyCommand(source, RUBY_SCRIPT));
    } catch (e) {
      // rubyCommand names what it refuses (a module that is not the reactor it knows).
      console.log(`ruby.wasm is left out: ${source} ${problem}; ${(e as Error).message}.`);
      return undefined;
    }
    writeFileSync(stampFile, stamp);
  }
  return { name: 'ruby', what, wasm: out, args: [], size: statSync(out).size };
}

/** Compiles the C programs into `outDir` (once per source change) and lists every program. */
export async function buildPrograms(outDir: string, only?: string[]): Promise<Program[]> {
  mkdirSync(outDir, { recursive: true });
  const list: Program[] = [];
  for (const p of C_PROGRAMS) {
    if (only && !only.includes(p.name)) continue;
    const src = join(HERE, 'programs', `${p.name}.c`);
    const out = join(outDir, `${p.name}.wasm`);
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
      // Without node_modules/.bin on PATH: clang would run binaryen's wasm-opt (from assemblyscript) if found.
      const path = (process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('node_modules'));
      execFileSync('clang', ['--target=wasm32-wasi', '-O2', src, '-o', out], {
        stdio: 'pipe',
        env: { ...process.env, PATH: path.join(delimiter) },
      });
    }
    list.push({ ...p, wasm: out, args: [], size: statSync(out).size });
  }
  if (!only || only.includes('ruby')) {
    const ruby = await rubyProgram(outDir);
    if (ruby) list.push(ruby);
  }
  return list;
}
