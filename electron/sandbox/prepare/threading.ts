// Which functions get the fuel counter as a parameter ("threaded", see meter.ts), and their new types.

import { Reader, Writer } from './bytes.js';
import { Meter, putLeb, type ScannedFunction } from './meter.js';
import { skipValType, unmeterable } from './opcodes.js';
import {
  EXT_FUNC,
  type FuncType,
  SEC_ELEMENT,
  SEC_EXPORT,
  SEC_GLOBAL,
  SEC_START,
  SEC_TABLE,
  type Section,
} from './sections.js';

/**
 * Functions that may be called other than by a direct `call` from this module (so their signature must
 * stay): exported, the start function, or referenced by an element segment, a global or table
 * initialiser (every ref.func in code must be declared by an element segment). 1 = escaping.
 */
export function escapingFunctions(source: Uint8Array, sections: Section[], totalFuncs: number): Uint8Array {
  const esc = new Uint8Array(totalFuncs);
  const markExpr = (r: Reader) => {
    for (;;) {
      const op = r.u8();
      if (op === 0x0b) return;
      if (op === 0xd2) {
        const f = r.u32();
        if (f < totalFuncs) esc[f] = 1;
        continue;
      }
      r.pos--;
      skipOneConst(r);
    }
  };
  for (const sec of sections) {
    const r = new Reader(source, sec.start, sec.end);
    if (sec.id === SEC_EXPORT) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.skip(r.u32());
        const kind = r.u8();
        const idx = r.u32();
        if (kind === EXT_FUNC && idx < totalFuncs) esc[idx] = 1;
      }
    } else if (sec.id === SEC_START) {
      const idx = r.u32();
      if (idx < totalFuncs) esc[idx] = 1;
    } else if (sec.id === SEC_ELEMENT) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const flags = r.u32();
        if (flags === 2 || flags === 6) r.u32();
        if ((flags & 1) === 0) markExpr(r);
        if (flags & 3) {
          if (flags & 4) skipValType(r);
          else r.u8();
        }
        const count = r.u32();
        for (let j = 0; j < count; j++) {
          if (flags & 4) markExpr(r);
          else {
            const f = r.u32();
            if (f < totalFuncs) esc[f] = 1;
          }
        }
      }
    } else if (sec.id === SEC_GLOBAL) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        skipValType(r);
        r.u8();
        markExpr(r);
      }
    } else if (sec.id === SEC_TABLE) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const withInit = source[r.pos] === 0x40;
        if (withInit) r.skip(2);
        skipValType(r);
        const flags = r.u8();
        r.skipLeb();
        if (flags & 1) r.skipLeb();
        if (withInit) markExpr(r);
      }
    }
  }
  return esc;
}

/** Skips one constant instruction (not `end`). */
function skipOneConst(r: Reader): void {
  const start = r.pos;
  const op = r.buf[start]!;
  r.pos++;
  if (op === 0x41 || op === 0x42 || op === 0x23) r.skipLeb();
  else if (op === 0x43) r.skip(4);
  else if (op === 0x44) r.skip(8);
  else if (op === 0xd0) r.s33();
  else if (op === 0xfd) {
    if (r.u32() !== 0x0c) r.fail('unsupported SIMD constant instruction');
    r.skip(16);
  } else if ((op >= 0x6a && op <= 0x6c) || (op >= 0x7c && op <= 0x7e)) {
    // extended-const arithmetic: no immediates
  } else {
    unmeterable(-1, op, start);
  }
}

/**
 * Decides which bodies are threaded (see meter.ts), in time linear in the module. 1 = threaded: for a
 * function with a twin (twins.ts, `twinOf[f] >= 0`), 1 means that its body becomes the threaded twin
 * and its original index a wrapper; 0 that its original keeps the body and the twin is a shim.
 *
 * Tail calls must stay tail calls (constant stack) through every rewrite. A wrapper and a shim make an
 * ordinary call, and a tail call cannot cross the conventions (their results differ by the counter),
 * so along every return_call edge, caller and callee are both threaded or both not; and when any body
 * uses return_call_indirect or return_call_ref (which reach the ORIGINAL index of a table or referenced
 * function), no original becomes a wrapper. One function dropping out of the threaded set drops its
 * tail-call neighbours: a graph walk, each function and edge visited once.
 */
export function chooseThreaded(
  scanned: ScannedFunction[],
  escaping: Uint8Array,
  tailCalls: number[],
  totalFuncs: number,
  twinOf?: Int32Array,
): Uint8Array {
  const t = new Uint8Array(totalFuncs);
  let tailIndirect = false;
  for (const f of scanned) if (f.hasTailIndirect) tailIndirect = true;
  for (const f of scanned) {
    if (!Meter.threadable(f)) continue;
    const twinned = twinOf !== undefined && twinOf[f.index]! >= 0;
    if (twinned ? !tailIndirect : escaping[f.index] === 0) t[f.index] = 1;
  }
  if (tailCalls.length === 0) return t;
  // The tail-call edges, both ways, as adjacency lists (compressed rows).
  const first = new Int32Array(totalFuncs + 1);
  for (let i = 0; i < tailCalls.length; i++) first[tailCalls[i]! + 1]!++;
  for (let v = 0; v < totalFuncs; v++) first[v + 1]! += first[v]!;
  const next = first.slice(0, totalFuncs);
  const adj = new Int32Array(tailCalls.length);
  for (let i = 0; i < tailCalls.length; i += 2) {
    const a = tailCalls[i]!;
    const b = tailCalls[i + 1]!;
    adj[next[a]!++] = b;
    adj[next[b]!++] = a;
  }
  // Every function not threaded un-threads what it is tail-call-connected to.
  const stack = new Int32Array(totalFuncs);
  let top = 0;
  for (let v = 0; v < totalFuncs; v++) if (t[v] === 0 && first[v + 1]! > first[v]!) stack[top++] = v;
  while (top > 0) {
    const v = stack[--top]!;
    for (let k = first[v]!; k < first[v + 1]!; k++) {
      const u = adj[k]!;
      if (t[u] === 1) {
        t[u] = 0;
        stack[top++] = u;
      }
    }
  }
  return t;
}

/**
 * In the one-pass mode (fuel.ts: every internal function threaded, every table function's body its
 * twin), whether scanning `f` showed that the choice needs the whole module (chooseThreaded): a tail
 * call across the conventions, a tail call to or from a function with a twin, or a body using
 * return_call_indirect / return_call_ref while there are twins.
 */
export function needsExactChoice(
  f: ScannedFunction,
  tailCalls: number[],
  threaded: Uint8Array,
  twinOf: Int32Array | undefined,
): boolean {
  if (twinOf !== undefined && f.hasTailIndirect) return true;
  for (let k = 0; k < tailCalls.length; k += 2) {
    const a = tailCalls[k]!;
    const b = tailCalls[k + 1]!;
    if (threaded[a] !== threaded[b]) return true;
    if (twinOf !== undefined && (twinOf[a]! >= 0 || twinOf[b]! >= 0)) return true;
  }
  return false;
}

/** The types added for threaded functions, and the block type wrapping each threaded body. */
export interface ThreadedTypes {
  /** Encoded function types to append to the type section. */
  added: Uint8Array[];
  /** Original type index -> its threaded type index. */
  typeOf: Map<number, number>;
  /** Original type index -> encoded block type [] -> (results). */
  wrapperOf: Map<number, Uint8Array>;
}

/**
 * For each original type of a threaded function: (params i64) -> (results i64), and for multi-value
 * results the wrapper block's type [] -> (results). New types are appended, so no index moves.
 */
export function threadedTypes(
  source: Uint8Array,
  types: FuncType[],
  funcTypes: number[],
  importedFuncs: number,
  threaded: Uint8Array,
  /** Every type (for twins and call_indirect to them, see twins.ts). */
  all = false,
  /** Encoded types added before the threaded ones (at index types.length on). */
  first: Uint8Array[] = [],
): ThreadedTypes {
  const added: Uint8Array[] = [...first];
  const typeOf = new Map<number, number>();
  const wrapperOf = new Map<number, Uint8Array>();
  const wanted: number[] = [];
  if (all) for (let t = 0; t < types.length; t++) wanted.push(t);
  else
    for (let i = 0; i < funcTypes.length; i++)
      if (threaded[importedFuncs + i] === 1) wanted.push(funcTypes[i]!);
  for (const t of wanted) {
    if (typeOf.has(t)) continue;
    const ft = types[t]!;
    const w = new Writer(64);
    w.u8(0x60);
    w.u32(ft.params + 1);
    w.bytes(source, ft.paramsStart, ft.paramsEnd);
    w.u8(0x7e);
    w.u32(ft.results + 1);
    w.bytes(source, ft.resultsStart, ft.resultsEnd);
    w.u8(0x7e);
    typeOf.set(t, types.length + added.length);
    added.push(w.result());
    if (ft.results === 0) wrapperOf.set(t, new Uint8Array([0x40]));
    else if (ft.results === 1) wrapperOf.set(t, source.slice(ft.resultsStart, ft.resultsEnd));
    else {
      const b = new Writer(64);
      b.u8(0x60);
      b.u8(0);
      b.u32(ft.results);
      b.bytes(source, ft.resultsStart, ft.resultsEnd);
      const idx = types.length + added.length;
      added.push(b.result());
      const enc = new Uint8Array(5);
      wrapperOf.set(t, enc.slice(0, putLeb(enc, 0, idx, 0x40)));
    }
  }
  return { added, typeOf, wrapperOf };
}
