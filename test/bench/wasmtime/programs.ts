// The whole programs of `npm run bench:wasmtime`: C compiled with Debian's clang for wasm32-wasi at
// bench time (programs/*.c), and ruby.wasm (the npm package @ruby/3.4-wasm-wasi) running a script when
// it is installed (as a devDependency, or anywhere named by FLEDGE_BENCH_RUBY_WASM).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, resolve } from 'node:path';

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

/** The Ruby script: method calls, blocks, strings, hashes, integers (about a second under Wasmtime). */
export const RUBY_SCRIPT = [
  'def fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)',
  'h = {}',
  '60_000.times { |i| h["k#{i % 5000}"] = (h["k#{i % 5000}"] || 0) + i }',
  'words = (1..20_000).map { |i| (i * 7919 % 10007).to_s(36) }.sort',
  'puts "ruby: #{fib(22)} #{h.size} #{words.first} #{words.last}"',
].join('; ');

/** ruby.wasm (with its standard library in the module): from FLEDGE_BENCH_RUBY_WASM or node_modules. */
export function findRubyWasm(): string | undefined {
  const env = process.env.FLEDGE_BENCH_RUBY_WASM;
  if (env) return existsSync(env) ? resolve(env) : undefined;
  try {
    const req = createRequire(join(HERE, 'programs.ts'));
    const pkg = req.resolve('@ruby/3.4-wasm-wasi/package.json');
    const wasm = join(pkg, '..', 'dist', 'ruby+stdlib.wasm');
    return existsSync(wasm) ? wasm : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a module cannot run as a plain WASI command (undefined when it can). The npm builds of
 * @ruby/3.4-wasm-wasi are reactors (_initialize, no _start) importing a JS host ABI.
 */
function notACommand(wasm: string): string | undefined {
  const m = new WebAssembly.Module(readFileSync(wasm));
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

/** Compiles the C programs into `outDir` (once per source change) and lists every program. */
export function buildPrograms(outDir: string, only?: string[]): Program[] {
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
  const ruby = findRubyWasm();
  const rubyProblem = ruby ? notACommand(ruby) : undefined;
  if (ruby && rubyProblem)
    console.log(`ruby.wasm is left out: ${ruby} ${rubyProblem} (the fledge CLI could not run it either).`);
  if (ruby && !rubyProblem && (!only || only.includes('ruby')))
    list.push({
      name: 'ruby',
      what: 'ruby.wasm 3.4 running a script',
      wasm: ruby,
      args: ['-e', RUBY_SCRIPT],
      size: statSync(ruby).size,
    });
  return list;
}
