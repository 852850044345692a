// instrumentFuel: the module-level rewrite around the per-function metering in meter.ts.
// Adds the fuel import (after every other import, so only defined globals move up by one), shifts
// global indices everywhere they appear, meters every function body, and drops custom sections whose
// code offsets the rewrite invalidates.

import { Reader, Writer } from './bytes.js';
import { copyConstExpr } from './const-expr.js';
import { FUEL_IMPORT_MODULE, FUEL_IMPORT_NAME } from './constants.js';
import { ModuleError } from './errors.js';
import { rewriteElements, rewriteNameSection } from './global-shift.js';
import {
  indirectWithoutScratch,
  MAX_PARAMS,
  MAX_RESULTS,
  Meter,
  type MeterStats,
  type ScannedFunction,
} from './meter.js';
import { skipValType } from './opcodes.js';
import {
  EXT_FUNC,
  EXT_GLOBAL,
  EXT_TAG,
  readFunctionTypes,
  readImports,
  readTypes,
  SEC_CODE,
  SEC_CUSTOM,
  SEC_DATA,
  SEC_ELEMENT,
  SEC_EXPORT,
  SEC_FUNCTION,
  SEC_GLOBAL,
  SEC_IMPORT,
  SEC_TABLE,
  SEC_TAG,
  SEC_TYPE,
  SECTION_ORDER,
  type Section,
  splitSections,
} from './sections.js';
import { chooseThreaded, escapingFunctions, needsExactChoice, threadedTypes } from './threading.js';
import { planTwins, shimBody, type TwinPlan, wrapperBody, writeTwinSegments } from './twins.js';
import { checkHeader, validateModule } from './validate.js';

/** Custom sections that point into code or are only meaningful to linkers: dropped by the rewrite. */
export function dropsCustomSection(name: string): boolean {
  return (
    name.startsWith('.debug') ||
    name === 'sourceMappingURL' ||
    name === 'external_debug_info' ||
    name === 'linking' ||
    name.startsWith('reloc.') ||
    name.startsWith('metadata.code.')
  );
}

export interface InstrumentResult {
  bytes: Uint8Array;
  /** `exact`: the one-pass mode had to start over (see instrumentOnce). */
  stats: MeterStats & { exact: boolean };
}

/** Validates `source` and returns a new module metered for fuel (imports the fuel global). Pure and deterministic. */
export function instrumentFuel(source: Uint8Array): Uint8Array {
  return instrumentFuelWithStats(source).bytes;
}

/**
 * instrumentFuel with statistics. `validate: false` skips V8's validation (tests use it to meter
 * instructions this V8 does not run; never use it on untrusted input). `twins: false` leaves table
 * functions as they are (twins.ts; for tests and benchmarks: fuel counts are the same either way).
 * `deferChecks: false` keeps the check of every loop header whose first call checks on entry
 * (meter.ts; for tests and benchmarks: fuel counts are the same either way).
 * `mergeCharges: false` charges every segment its own cost where it starts, instead of placing the
 * charges by potentials (potentials.ts; for tests and benchmarks: a run that ends normally uses the
 * same fuel either way).
 * `prepaidReturns: false` has every function pay all of its own charges, instead of its callers
 * paying part of them at the call (meter.ts; for tests and benchmarks: fuel counts are the same).
 * `countedLoops: false` charges and checks every counted loop on each trip, instead of charging it
 * whole before it starts (counted-loops.ts; for tests and benchmarks: a run that ends normally uses
 * the same fuel either way).
 * `dispatchChecks: false` keeps the check of every dispatch loop at its header, instead of on every
 * branch back to it (meter.ts, EV_DISPATCH; for tests and benchmarks: fuel counts are the same).
 * `splitEdges: false` leaves every br_if in the segment it ends, instead of giving the way taken to a
 * block or if its own charge (meter.ts, EV_EDGE; for tests and benchmarks: fuel counts are the same).
 */
export function instrumentFuelWithStats(
  source: Uint8Array,
  options: {
    validate?: boolean;
    twins?: boolean;
    deferChecks?: boolean;
    mergeCharges?: boolean;
    prepaidReturns?: boolean;
    countedLoops?: boolean;
    splitEdges?: boolean;
    dispatchChecks?: boolean;
  } = {},
): InstrumentResult {
  if (options.validate === false) checkHeader(source);
  else validateModule(source);
  let exact = false;
  let twins = options.twins !== false;
  let ownTable = false;
  for (;;) {
    try {
      return instrumentOnce(source, exact, twins, ownTable, {
        deferChecks: options.deferChecks !== false,
        mergeCharges: options.mergeCharges !== false,
        prepaidReturns: options.prepaidReturns !== false,
        countedLoops: options.countedLoops !== false,
        splitEdges: options.splitEdges !== false,
        dispatchChecks: options.dispatchChecks !== false,
      });
    } catch (e) {
      if (e === RETRY_EXACT) exact = true;
      else if (e === RETRY_NO_TWINS) twins = false;
      else if (e === RETRY_OWN_TABLE) ownTable = true;
      else throw e;
    }
  }
}

/** `[i32] -> []`: the type of the block around a dispatch loop's br_table (meter.ts, EV_DISPATCH). */
const DISPATCH_BLOCK_TYPE = Uint8Array.of(0x60, 0x01, 0x7f, 0x00);
/** `[i64] -> []`: the type of the function a threaded function that makes calls stops in (meter.ts, exhaustFunc). */
const EXHAUST_TYPE = Uint8Array.of(0x60, 0x01, 0x7e, 0x00);

/** Thrown by the one-pass mode when a function cannot be threaded after all. */
const RETRY_EXACT = new Error('retry in exact mode');
/** Thrown when code writes table 0, so it cannot have a fixed parallel table of twins (twins.ts). */
const RETRY_NO_TWINS = new Error('retry without twins');
/** Thrown when table 0's elements are reached other than by call_indirect, so twins cannot replace them there. */
const RETRY_OWN_TABLE = new Error('retry with a table of twins');

function instrumentOnce(
  source: Uint8Array,
  exact: boolean,
  withTwins: boolean,
  twinsOwnTable: boolean,
  meterOptions: {
    deferChecks: boolean;
    mergeCharges: boolean;
    prepaidReturns: boolean;
    countedLoops: boolean;
    splitEdges: boolean;
    dispatchChecks: boolean;
  },
): InstrumentResult {
  const sections = splitSections(source);
  const find = (id: number) => sections.find((s) => s.id === id);
  const importSec = find(SEC_IMPORT);
  const imports = importSec ? readImports(source, importSec) : [];
  let importedGlobals = 0;
  let importedFuncs = 0;
  for (const imp of imports) {
    if (imp.module === FUEL_IMPORT_MODULE) {
      throw new ModuleError(
        'invalid',
        `the module imports "${imp.module}" "${imp.name}", a name reserved for the sandbox's fuel counter`,
      );
    }
    if (imp.kind === EXT_GLOBAL) importedGlobals++;
    else if (imp.kind === EXT_FUNC) importedFuncs++;
  }
  const fuel = importedGlobals;
  const types = readTypes(source, find(SEC_TYPE));
  const funcTypes = readFunctionTypes(source, find(SEC_FUNCTION));
  const totalFuncs = importedFuncs + funcTypes.length;

  const codeSec = find(SEC_CODE);
  const meter = new Meter(source, fuel, exact && codeSec ? codeSec.end - codeSec.start : 0);
  meter.deferChecks = meterOptions.deferChecks;
  meter.mergeCharges = meterOptions.mergeCharges;
  meter.chargeCountedLoops = meterOptions.countedLoops;
  meter.splitEdges = meterOptions.splitEdges;
  // Types added before the threaded ones: the block type of a dispatch loop's br_table wrapper
  // (meter.ts, EV_DISPATCH), [i32] -> [], and the type of the function that stops a run out of fuel.
  const firstTypes: Uint8Array[] = [];
  if (meterOptions.dispatchChecks && codeSec) {
    meter.dispatchType = types.length + firstTypes.length;
    firstTypes.push(DISPATCH_BLOCK_TYPE);
  }
  const exhaustType = types.length + firstTypes.length;
  const withExhaust = codeSec !== undefined && funcTypes.length > 0;
  if (withExhaust) firstTypes.push(EXHAUST_TYPE);
  // Prepaid returns (meter.ts) assume every call that is entered returns: not so when the module can throw.
  meter.prepay = meterOptions.prepaidReturns && !find(SEC_TAG) && !imports.some((i) => i.kind === EXT_TAG);
  meter.allScanned = exact;
  const escaping = escapingFunctions(source, sections, totalFuncs);
  const plan: TwinPlan | undefined =
    withTwins && funcTypes.length > 0 ? planTwins(source, sections, imports, totalFuncs) : undefined;
  const twinOf = plan?.twinOf;
  // Twins take the originals' places in table 0, where V8 11 calls fastest (its instance keeps table 0's
  // signatures and targets at hand; any other table costs loads per call: ruby.wasm metered alone 1.09x ->
  // 1.06x on Node 20), unless code reaches table 0's elements other than by call_indirect: then they
  // get a parallel table of their own and table 0 keeps the originals (twins.ts).
  const inTable0 = plan !== undefined && !twinsOwnTable;
  const funcImportTypes = imports.filter((i) => i.kind === EXT_FUNC).map((i) => i.type!);
  const funcType = (f: number) => (f < importedFuncs ? funcImportTypes[f]! : funcTypes[f - importedFuncs]!);
  const threadable = (index: number) => {
    const t = types[funcTypes[index - importedFuncs]!];
    return escaping[index] === 0 && t !== undefined && t.params < MAX_PARAMS && t.results < MAX_RESULTS;
  };

  // Which functions take the counter as a parameter ("threaded") changes the type and function sections,
  // written before the code. Optimistically, every internal function is threaded, and each body is
  // metered right after it is scanned (one pass, in cache). A body that cannot be threaded (it uses
  // return_call_indirect, try_table, or tail-calls across the two conventions) is found while scanning:
  // then `exact` mode scans every body first and decides with full knowledge.
  let threaded: Uint8Array;
  let scanned: ScannedFunction[] | undefined;
  /** Exact mode: for each function with a twin, 1 if its body becomes the twin (threading.ts). */
  let twinBody: Uint8Array | undefined;
  if (exact) {
    scanned = [];
    if (codeSec) {
      const r = new Reader(source, codeSec.start, codeSec.end);
      const n = r.u32();
      if (n !== funcTypes.length) r.fail('function and code section counts differ');
      for (let i = 0; i < n; i++) {
        const size = r.u32();
        const start = r.pos;
        r.skip(size);
        const index = importedFuncs + i;
        const type = types[funcTypes[i]!] ?? r.fail(`function ${index} has an unknown type`);
        const candidate = threadable(index) || (twinOf !== undefined && twinOf[index]! >= 0);
        scanned.push(meter.scan(index, start, start + size, type.params, type.results, candidate));
      }
      if (plan && meter.writesTable0) throw RETRY_NO_TWINS;
      if (inTable0 && (meter.readsTable0 || scanned.some(indirectWithoutScratch))) throw RETRY_OWN_TABLE;
      if (r.pos !== codeSec.end) r.fail('the code section has trailing bytes');
    }
    twinBody = chooseThreaded(scanned, escaping, meter.tailCalls, totalFuncs, twinOf);
    threaded = twinBody.slice();
    if (plan) for (const f of plan.funcs) threaded[f] = 0;
  } else {
    threaded = new Uint8Array(totalFuncs);
    for (let i = importedFuncs; i < totalFuncs; i++) if (threadable(i)) threaded[i] = 1;
  }

  const {
    added: newTypes,
    typeOf: threadedType,
    wrapperOf: wrapperType,
  } = threadedTypes(source, types, funcTypes, importedFuncs, threaded, plan !== undefined, firstTypes);
  const nTwins = plan ? plan.funcs.length : 0;
  // The function that stops a run out of fuel comes after every other (and every twin).
  const nAdded = nTwins + (withExhaust ? 1 : 0);
  if (withExhaust) meter.exhaustFunc = totalFuncs + nTwins;
  if (plan) {
    // Twins are threaded functions after all others.
    const t = new Uint8Array(totalFuncs + nTwins);
    t.set(threaded);
    t.fill(1, totalFuncs);
    threaded = t;
    meter.twins = { twinOf: plan.twinOf, table2: inTable0 ? 0 : plan.table2, typeOf: threadedType };
  }
  /** Twin bodies, written after the code section's own bodies. */
  const twinCode = new Writer(plan ? 1024 : 16);
  let twinsWritten = 0;
  const writeShimsUpTo = (limit: number) => {
    // Shims of imported functions (all twins below `limit` not written yet).
    while (plan && twinsWritten < nTwins && plan.funcs[twinsWritten]! < limit) {
      const f = plan.funcs[twinsWritten++]!;
      twinCode.sized(-1, shimBody(types[funcType(f)]!.params, f, fuel));
      meter.stats.shims++;
    }
  };
  writeShimsUpTo(importedFuncs);

  const out = new Writer(Math.ceil(source.length * 1.6) + 64);
  out.bytes(source, 0, 8);
  const tmp = new Writer(1024);
  let importWritten = false;

  const writeImports = (sec: Section | undefined) => {
    tmp.pos = 0;
    tmp.u32(imports.length + 1);
    if (sec && imports.length > 0) tmp.bytes(source, imports[0]!.start, imports[imports.length - 1]!.end);
    tmp.name(FUEL_IMPORT_MODULE);
    tmp.name(FUEL_IMPORT_NAME);
    tmp.u8(0x03); // global
    tmp.u8(0x7e); // i64
    tmp.u8(0x01); // mutable
    out.sized(SEC_IMPORT, tmp);
    importWritten = true;
  };

  for (const sec of sections) {
    const order = SECTION_ORDER[sec.id] ?? 0;
    if (!importWritten && sec.id !== SEC_CUSTOM && order > 2) writeImports(undefined);
    const r = new Reader(source, sec.start, sec.end);
    tmp.pos = 0;
    switch (sec.id) {
      case SEC_CUSTOM:
        if (dropsCustomSection(sec.name ?? '')) continue;
        if (sec.name === 'name') {
          const renamed = rewriteNameSection(
            source,
            sec,
            fuel,
            threaded.includes(1),
            plan?.funcs,
            totalFuncs,
          );
          if (renamed) out.sized(SEC_CUSTOM, renamed);
          continue;
        }
        break;
      case SEC_IMPORT:
        writeImports(sec);
        continue;
      case SEC_TYPE: {
        if (newTypes.length === 0) break;
        const n = r.u32();
        tmp.u32(n + newTypes.length);
        tmp.bytes(source, r.pos, sec.end);
        for (const t of newTypes) tmp.bytes(t);
        r.pos = sec.end;
        break;
      }
      case SEC_FUNCTION: {
        if (newTypes.length === 0) break;
        const n = r.u32();
        tmp.u32(n + nAdded);
        for (let i = 0; i < n; i++) {
          const t = r.u32();
          tmp.u32(threaded[importedFuncs + i] === 1 ? threadedType.get(t)! : t);
        }
        if (plan) for (const f of plan.funcs) tmp.u32(threadedType.get(funcType(f))!);
        if (withExhaust) tmp.u32(exhaustType);
        break;
      }
      case SEC_GLOBAL: {
        const n = r.u32();
        tmp.u32(n);
        for (let i = 0; i < n; i++) {
          const s = r.pos;
          skipValType(r);
          r.u8();
          tmp.bytes(source, s, r.pos);
          copyConstExpr(r, tmp, fuel);
        }
        break;
      }
      case SEC_EXPORT: {
        const n = r.u32();
        tmp.u32(n);
        for (let i = 0; i < n; i++) {
          const s = r.pos;
          r.skip(r.u32());
          const kind = r.u8();
          tmp.bytes(source, s, r.pos);
          const idx = r.u32();
          tmp.u32(kind === EXT_GLOBAL && idx >= fuel ? idx + 1 : idx);
        }
        break;
      }
      case SEC_TABLE: {
        const n = r.u32();
        tmp.u32(n + (plan && !inTable0 ? 1 : 0));
        for (let i = 0; i < n; i++) {
          const s = r.pos;
          const withInit = source[r.pos] === 0x40;
          if (withInit) r.skip(2);
          skipValType(r);
          const flags = r.u8();
          r.skipLeb();
          if (flags & 1) r.skipLeb();
          tmp.bytes(source, s, r.pos);
          if (withInit) copyConstExpr(r, tmp, fuel);
        }
        if (plan && !inTable0) tmp.bytes(source, plan.table0[0], plan.table0[1]); // the parallel table
        break;
      }
      case SEC_ELEMENT:
        if (inTable0) rewriteElements(r, tmp, fuel, 0, plan.twinOf);
        else {
          rewriteElements(r, tmp, fuel, plan ? plan.segments.length : 0);
          if (plan) writeTwinSegments(source, plan, fuel, tmp);
        }
        break;
      case SEC_DATA: {
        const n = r.u32();
        tmp.u32(n);
        for (let i = 0; i < n; i++) {
          const s = r.pos;
          const flags = r.u32();
          if (flags === 2) r.u32();
          tmp.bytes(source, s, r.pos);
          if (flags !== 1) copyConstExpr(r, tmp, fuel);
          const s2 = r.pos;
          r.skip(r.u32());
          tmp.bytes(source, s2, r.pos);
        }
        break;
      }
      case SEC_CODE: {
        // Written straight into the output: section and body sizes as 5-byte LEB128s patched afterwards.
        out.reserve(Math.ceil((sec.end - sec.start) * 1.5) + 16);
        out.u8(SEC_CODE);
        const secSize = out.pos;
        out.pos += 5;
        const n = r.u32();
        if (n !== funcTypes.length) r.fail('function and code section counts differ');
        out.u32(n + nAdded);
        for (let i = 0; i < n; i++) {
          const index = importedFuncs + i;
          const twin = twinOf ? twinOf[index]! : -1;
          let f: ScannedFunction;
          if (scanned) f = scanned[i]!;
          else {
            const size = r.u32();
            const start = r.pos;
            r.skip(size);
            const type = types[funcTypes[i]!] ?? r.fail(`function ${index} has an unknown type`);
            meter.reset();
            f = meter.scan(
              index,
              start,
              start + size,
              type.params,
              type.results,
              threaded[index] === 1 || twin >= 0,
            );
            if (plan && meter.writesTable0) throw RETRY_NO_TWINS;
            if (inTable0 && (meter.readsTable0 || indirectWithoutScratch(f))) throw RETRY_OWN_TABLE;
            if (threaded[index] === 1 && !Meter.threadable(f)) throw RETRY_EXACT;
            if (needsExactChoice(f, meter.tailCalls, threaded, twinOf)) throw RETRY_EXACT;
          }
          const bodySize = out.pos;
          out.pos += 5;
          if (
            twin >= 0 &&
            (twinBody ? twinBody[index] === 1 : twinnable(f, meter.tailCalls, threaded, twinOf!))
          ) {
            // The body becomes the twin; this index calls it.
            const wrapper = wrapperBody(f.params, twin, fuel);
            out.bytes(wrapper.buf, 0, wrapper.pos);
            const twinSize = twinCode.pos;
            twinCode.reserve(5);
            twinCode.pos += 5;
            meter.emit(f, threaded, wrapperType.get(funcTypes[i]!), twinCode, true);
            patchPaddedU32(twinCode.buf, twinSize, twinCode.pos - twinSize - 5);
            twinsWritten++;
          } else {
            meter.emit(f, threaded, wrapperType.get(funcTypes[i]!), out);
            if (twin >= 0) {
              twinCode.sized(-1, shimBody(f.params, index, fuel));
              meter.stats.shims++;
              twinsWritten++;
            }
          }
          patchPaddedU32(out.buf, bodySize, out.pos - bodySize - 5);
        }
        if (twinsWritten !== nTwins) r.fail('twins out of step');
        out.bytes(twinCode.buf, 0, twinCode.pos);
        if (withExhaust) out.sized(-1, exhaustBody(fuel));
        if (!scanned && r.pos !== sec.end) r.fail('the code section has trailing bytes');
        patchPaddedU32(out.buf, secSize, out.pos - secSize - 5);
        meter.reset();
        continue;
      }
      default:
        out.u8(sec.id);
        out.u32(sec.end - sec.start);
        out.bytes(source, sec.start, sec.end);
        continue;
    }
    if (
      sec.id === SEC_CUSTOM ||
      ((sec.id === SEC_TYPE || sec.id === SEC_FUNCTION) && newTypes.length === 0)
    ) {
      out.u8(sec.id);
      out.u32(sec.end - sec.start);
      out.bytes(source, sec.start, sec.end);
    } else {
      if (r.pos !== sec.end) r.fail(`section ${sec.id} has trailing bytes`);
      out.sized(sec.id, tmp);
    }
  }
  if (!importWritten) writeImports(undefined);
  return { bytes: out.result(), stats: { ...meter.stats, exact } };
}

/**
 * The exhaust function's body size, in bytes, padded with `nop`s no run reaches. V8 13+ inlines
 * small wasm callees, and ranks them by size (eager compilation has no call counts to rank by);
 * inlined, the exhaust function's store and trap came back into its callers' loops. At 4096 bytes
 * V8 14 inlines it at 9 of fib's 57 call sites, and the instructions of one run (valgrind, eager
 * tiering, Node 26) went: fib 4.127 -> 3.667 G, the interpreter at a tenth of its input 1.736 ->
 * 1.660 G (original 1.637 G), strhash 3.749 -> 3.722 G, vm 4.984 -> 4.949 G, loops 3.799 ->
 * 3.770 G. At 1024 bytes strhash counted 2 % more instead; at 16384 the gains were smaller. V8 11
 * inlines no wasm: unchanged there.
 */
export const EXHAUST_BODY_BYTES = 4096;

/**
 * `(param i64) local.get 0 global.set F unreachable`, then `nop`s no run reaches, to
 * EXHAUST_BODY_BYTES: where a threaded function that makes calls stops.
 */
function exhaustBody(fuel: number): Writer {
  const w = new Writer(EXHAUST_BODY_BYTES);
  w.u8(0); // no locals
  w.u8(0x20);
  w.u8(0);
  w.u8(0x24);
  w.u32(fuel);
  w.u8(0x00);
  while (w.pos < EXHAUST_BODY_BYTES - 1) w.u8(0x01);
  w.u8(0x0b);
  return w;
}

/** Writes v as a 5-byte (padded) unsigned LEB128 at `at`. */
function patchPaddedU32(buf: Uint8Array, at: number, v: number): void {
  for (let i = 0; i < 4; i++) {
    buf[at + i] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at + 4] = v;
}

/**
 * Whether `f`'s own body can be its twin (threaded): a threadable body whose tail calls all go to
 * threaded functions or functions with twins.
 */
function twinnable(
  f: ScannedFunction,
  tailCalls: number[],
  threaded: Uint8Array,
  twinOf: Int32Array,
): boolean {
  if (!Meter.threadable(f)) return false;
  for (let k = 0; k < tailCalls.length; k += 2) {
    if (tailCalls[k] !== f.index) continue;
    const callee = tailCalls[k + 1]!;
    if (threaded[callee] !== 1 && twinOf[callee]! < 0) return false;
  }
  return true;
}
