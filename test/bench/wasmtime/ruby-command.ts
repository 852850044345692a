// ruby.wasm as a WASI command, for `npm run bench:wasmtime`. The npm builds of @ruby/3.4-wasm-wasi are
// reactors for ruby.wasm's JS API: `_initialize` and canonical-ABI exports (ruby-init,
// rb-eval-string-protect, ...), imports from "rb-js-abi-host" and "canonical_abi". Neither the fledge
// CLI nor Wasmtime's `_start` can run that, so this links the reactor (binaryen's wasm-merge, from
// the assemblyscript devDependency) with:
// - a `_start` that does what the JS API's RubyVM does (`_initialize`, ruby-init with its default
//   arguments, ruby-init-loadpath) and then evaluates one script, exiting 1 if it raised;
// - stubs for the JS imports: `unreachable` (a script without `require "js"` never calls them), and
//   the canonical ABI's resource table as the identity (handles are the values themselves);
// and keeps only `memory` and `_start` exported (a host that also called `_initialize` would start Ruby
// twice). Ruby's own code is unchanged: the stdlib comes from the module's embedded file system.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import wabtInit from 'wabt';
import { Reader, Writer } from '../../../electron/sandbox/prepare/bytes.js';
import {
  readImports,
  readTypes,
  SEC_EXPORT,
  SEC_IMPORT,
  SEC_TYPE,
  splitSections,
} from '../../../electron/sandbox/prepare/sections.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** The arguments the JS API gives ruby-init (RubyVM's default). */
const RUBY_ARGS = ['ruby.wasm', '-EUTF-8', '-e_=0'];
const EXPORTS = {
  init: 'ruby-init: func(args: list<string>) -> ()',
  loadpath: 'ruby-init-loadpath: func() -> ()',
  evaluate: 'rb-eval-string-protect: func(str: string) -> tuple<handle<rb-abi-value>, s32>',
};

/** Whether `wasm` is the ruby.wasm reactor this file knows how to turn into a command. */
export function isRubyReactor(wasm: Uint8Array): boolean {
  const m = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  const names = new Set(WebAssembly.Module.exports(m).map((e) => e.name));
  return (
    names.has('_initialize') && names.has('cabi_realloc') && Object.values(EXPORTS).every((n) => names.has(n))
  );
}

const VALTYPE: Record<number, string> = { 127: 'i32', 126: 'i64', 125: 'f32', 124: 'f64' };
const quote = (s: string) => JSON.stringify(s);

/** One stub module (WAT) per module the reactor imports from other than WASI. */
function stubModules(reactor: Uint8Array): Map<string, string> {
  const sections = splitSections(reactor);
  const types = readTypes(
    reactor,
    sections.find((s) => s.id === SEC_TYPE),
  );
  const importSec = sections.find((s) => s.id === SEC_IMPORT);
  const funcs = new Map<string, string[]>();
  for (const imp of importSec ? readImports(reactor, importSec) : []) {
    if (imp.module === 'wasi_snapshot_preview1') continue;
    if (imp.kind !== 0)
      throw new Error(`ruby.wasm imports a non-function from ${imp.module}: not the reactor expected`);
    const t = types[imp.type!]!;
    const vals = (a: number, b: number) =>
      [...reactor.subarray(a, b)].map((v) => VALTYPE[v] ?? `unknown value type ${v}`).join(' ');
    const resource = imp.module === 'canonical_abi' && imp.name.startsWith('resource_');
    const body = !resource ? 'unreachable' : imp.name.startsWith('resource_drop') ? '' : 'local.get 0';
    const list = funcs.get(imp.module) ?? [];
    list.push(
      `(func (export ${quote(imp.name)}) (param ${vals(t.paramsStart, t.paramsEnd)}) (result ${vals(t.resultsStart, t.resultsEnd)}) ${body})`,
    );
    funcs.set(imp.module, list);
  }
  return new Map([...funcs].map(([m, fs]) => [m, `(module\n${fs.join('\n')})`]));
}

/** WAT that writes `bytes` at the address in `local` (8 bytes a store; the block is padded). */
function storeBytes(local: string, bytes: Uint8Array): { code: string; size: number } {
  const padded = new Uint8Array(Math.ceil(bytes.length / 8) * 8 || 8);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  let code = '';
  for (let o = 0; o < padded.length; o += 8)
    code += `(i64.store offset=${o} (local.get ${local}) (i64.const ${view.getBigInt64(o, true)}))\n`;
  return { code, size: padded.length };
}

/** The `_start` module (WAT): initialise Ruby as the JS API does, evaluate `script`. */
function startModule(script: string): string {
  const enc = new TextEncoder();
  const alloc = (size: number) =>
    `(call $alloc (i32.const 0) (i32.const 0) (i32.const 8) (i32.const ${size}))`;
  const locals: string[] = ['(local $list i32)', '(local $script i32)', '(local $result i32)'];
  let code = '(call $initialize)\n';
  RUBY_ARGS.forEach((arg, k) => {
    const s = storeBytes(`$arg${k}`, enc.encode(arg));
    locals.push(`(local $arg${k} i32)`);
    code += `(local.set $arg${k} ${alloc(s.size)})\n${s.code}`;
  });
  // list<string>: (pointer, length) pairs.
  code += `(local.set $list ${alloc(RUBY_ARGS.length * 8)})\n`;
  RUBY_ARGS.forEach((arg, k) => {
    code += `(i32.store offset=${k * 8} (local.get $list) (local.get $arg${k}))\n`;
    code += `(i32.store offset=${k * 8 + 4} (local.get $list) (i32.const ${enc.encode(arg).length}))\n`;
  });
  code += `(call $init (local.get $list) (i32.const ${RUBY_ARGS.length}))\n(call $loadpath)\n`;
  const text = enc.encode(script);
  const s = storeBytes('$script', text);
  code += `(local.set $script ${alloc(s.size)})\n${s.code}`;
  // The result is a pointer to (handle, status): status 0 = no exception.
  code += `(local.set $result (call $evaluate (local.get $script) (i32.const ${text.length})))\n`;
  code += '(if (i32.load offset=4 (local.get $result)) (then (call $exit (i32.const 1))))\n';
  return `(module
  (import "ruby" "memory" (memory 0))
  (import "ruby" "_initialize" (func $initialize))
  (import "ruby" "cabi_realloc" (func $alloc (param i32 i32 i32 i32) (result i32)))
  (import "ruby" ${quote(EXPORTS.init)} (func $init (param i32 i32)))
  (import "ruby" ${quote(EXPORTS.loadpath)} (func $loadpath))
  (import "ruby" ${quote(EXPORTS.evaluate)} (func $evaluate (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "_start") ${locals.join(' ')}
${code}))`;
}

/** `module` with only the exports named in `keep`. */
function keepExports(module: Uint8Array, keep: Set<string>): Uint8Array {
  const out = new Writer(module.length + 16);
  out.bytes(module, 0, 8);
  let pos = 8;
  for (const sec of splitSections(module)) {
    if (sec.id !== SEC_EXPORT) {
      out.bytes(module, pos, sec.end);
    } else {
      const r = new Reader(module, sec.start, sec.end);
      const body = new Writer(sec.end - sec.start);
      const entries: { name: string; kind: number; index: number }[] = [];
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const name = r.name();
        const kind = r.u8();
        const index = r.u32();
        if (keep.has(name)) entries.push({ name, kind, index });
      }
      body.u32(entries.length);
      for (const e of entries) {
        body.name(e.name);
        body.u8(e.kind);
        body.u32(e.index);
      }
      out.sized(SEC_EXPORT, body);
    }
    pos = sec.end;
  }
  return out.buf.slice(0, out.pos);
}

/** Links the ruby.wasm reactor at `reactorPath` with a `_start` that runs `script`: a WASI command. */
export async function rubyCommand(reactorPath: string, script: string): Promise<Uint8Array> {
  const reactor = new Uint8Array(readFileSync(reactorPath));
  if (!isRubyReactor(reactor))
    throw new Error(`${reactorPath} is not the ruby.wasm reactor of @ruby/3.4-wasm-wasi`);
  const wabt = await wabtInit();
  const dir = mkdtempSync(join(tmpdir(), 'fledge-bench-ruby-'));
  try {
    const compile = (name: string, text: string) => {
      const m = wabt.parseWat(`${name}.wat`, text, { multi_value: true, bulk_memory: true });
      try {
        const file = join(dir, `${name}.wasm`);
        writeFileSync(file, m.toBinary({}).buffer);
        return file;
      } finally {
        m.destroy();
      }
    };
    const args = [reactorPath, 'ruby'];
    let k = 0;
    for (const [name, text] of stubModules(reactor)) args.push(compile(`stub${k++}`, text), name);
    args.push(compile('start', startModule(script)), 'start');
    const merged = join(dir, 'merged.wasm');
    execFileSync(
      join(ROOT, 'node_modules', '.bin', 'wasm-merge'),
      [...args, '--all-features', '-o', merged],
      {
        stdio: 'pipe',
      },
    );
    return keepExports(new Uint8Array(readFileSync(merged)), new Set(['memory', '_start']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
