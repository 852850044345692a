// Threaded twins of the functions in table 0, and the table holding them (see meter.ts).
//
// call_indirect cannot pass the counter to a function whose signature must stay as it is (it is in a
// table). When table 0 is private to the module (defined, not exported, and never written by code:
// no table.set/grow/fill/copy/init into it, checked while scanning), its contents are fixed by the
// active element segments, so a table at the same indices can hold, for each element, a "twin" with
// the threaded signature (counter as an extra last parameter and result). Every call_indirect on
// table 0 then goes to the twins, with the threaded type, and the counter stays in registers. Same
// indices, same nulls and the same type checks (type X's threaded type matches a twin's iff X matches
// the element), so the same traps happen at the same places.
// Where only call_indirect reaches table 0's elements (the rule for C: a function pointer is an index
// into it), the twins take the originals' places in table 0 itself (its active segments name the
// twins), which V8 11 calls faster than any other table. Where code also reaches them as functions of
// their own types (table.get, table.copy from table 0, return_call_indirect through it, or a
// call_indirect left as it is for want of a scratch local), table 0 keeps the originals and the twins
// go to a parallel table after all the others (found while scanning: the module is prepared again).
//
// A twin is either the function's own body, threaded (its original index then becomes a thin
// wrapper: global.get, call the twin, global.set), or, for imports and bodies that cannot be
// threaded, a shim (global.set, call the original, global.get). Neither adds any charge, so fuel
// counts are unchanged. Direct calls to a twinned function go to its twin.

import { Reader, Writer } from './bytes.js';
import { copyConstExpr } from './const-expr.js';
import { EXT_TABLE, type ImportEntry, SEC_ELEMENT, SEC_EXPORT, SEC_TABLE, type Section } from './sections.js';

/** Twins of table 0's functions. */
export interface TwinPlan {
  /** Index of the parallel table (after every other table), when the twins do not go in table 0. */
  table2: number;
  /** Byte range of table 0's type and limits, copied for the parallel table. */
  table0: [number, number];
  /** Original function index -> twin index, or -1. */
  twinOf: Int32Array;
  /** Twinned functions, ascending; twin k has index totalFuncs + k. */
  funcs: number[];
  /** Active element segments of table 0: offset expression start, and items (function index or -1 for null). */
  segments: { offset: number; items: number[] }[];
}

/** Returns the plan, or undefined when table 0 is imported, exported, not funcref, or has no active segment. */
export function planTwins(
  source: Uint8Array,
  sections: Section[],
  imports: ImportEntry[],
  totalFuncs: number,
): TwinPlan | undefined {
  if (imports.some((i) => i.kind === EXT_TABLE)) return undefined;
  const tableSec = sections.find((s) => s.id === SEC_TABLE);
  const elemSec = sections.find((s) => s.id === SEC_ELEMENT);
  if (!tableSec || !elemSec) return undefined;
  const tr = new Reader(source, tableSec.start, tableSec.end);
  const nTables = tr.u32();
  if (nTables === 0 || source[tr.pos] !== 0x70) return undefined; // funcref, no initialiser
  const table0Start = tr.pos;
  tr.u8();
  const limits = tr.u8();
  if (limits > 1) return undefined; // shared or 64-bit
  tr.u32();
  if (limits & 1) tr.u32();
  const table0: [number, number] = [table0Start, tr.pos];
  const exportSec = sections.find((s) => s.id === SEC_EXPORT);
  if (exportSec) {
    const r = new Reader(source, exportSec.start, exportSec.end);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      r.skip(r.u32());
      const kind = r.u8();
      if (r.u32() === 0 && kind === EXT_TABLE) return undefined;
    }
  }
  const segments: TwinPlan['segments'] = [];
  const r = new Reader(source, elemSec.start, elemSec.end);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const flags = r.u32();
    const table = flags === 2 || flags === 6 ? r.u32() : 0;
    const active = (flags & 1) === 0;
    const offset = r.pos;
    if (active) skipExpr(r);
    let funcref = true;
    if (flags & 3) {
      const t = r.u8();
      funcref = flags & 4 ? t === 0x70 : t === 0x00;
    }
    const count = r.u32();
    const items: number[] = [];
    for (let j = 0; j < count; j++) {
      if ((flags & 4) === 0) items.push(r.u32());
      else {
        const op = r.u8();
        if (op === 0xd2) items.push(r.u32());
        else if (op === 0xd0) {
          r.u8();
          items.push(-1);
        } else return undefined; // e.g. global.get of a funcref global
        if (r.u8() !== 0x0b) return undefined;
      }
    }
    if (active && table === 0) {
      if (!funcref) return undefined;
      segments.push({ offset, items });
    }
  }
  if (segments.length === 0) return undefined;
  const twinOf = new Int32Array(totalFuncs).fill(-1);
  for (const s of segments) for (const f of s.items) if (f >= 0 && f < totalFuncs) twinOf[f] = 0;
  const funcs: number[] = [];
  for (let f = 0; f < totalFuncs; f++) {
    if (twinOf[f] === 0) {
      twinOf[f] = totalFuncs + funcs.length;
      funcs.push(f);
    }
  }
  return { table2: nTables, table0, twinOf, funcs, segments };
}

/** Skips a constant expression, its `end` included. */
function skipExpr(r: Reader): void {
  const w = new Writer(16);
  copyConstExpr(r, w, 0);
}

/** Element segments filling the parallel table with twins (appended after the originals, already in `tmp`). */
export function writeTwinSegments(source: Uint8Array, plan: TwinPlan, fuel: number, tmp: Writer): void {
  for (const s of plan.segments) {
    tmp.u32(6);
    tmp.u32(plan.table2);
    const r = new Reader(source, s.offset, source.length);
    copyConstExpr(r, tmp, fuel);
    tmp.u8(0x70);
    tmp.u32(s.items.length);
    for (const f of s.items) {
      if (f < 0 || plan.twinOf[f]! < 0) {
        tmp.u8(0xd0);
        tmp.u8(0x70);
      } else {
        tmp.u8(0xd2);
        tmp.u32(plan.twinOf[f]!);
      }
      tmp.u8(0x0b);
    }
  }
}

/** Body of the original index of a function whose body became its twin: global.get, call twin, global.set. */
export function wrapperBody(params: number, twin: number, fuel: number): Writer {
  const b = new Writer(16 + params * 3);
  b.u8(0);
  for (let i = 0; i < params; i++) {
    b.u8(0x20);
    b.u32(i);
  }
  b.u8(0x23);
  b.u32(fuel);
  b.u8(0x10);
  b.u32(twin);
  b.u8(0x24);
  b.u32(fuel);
  b.u8(0x0b);
  return b;
}

/** Body of a twin that calls the original: global.set counter, call, global.get. */
export function shimBody(params: number, original: number, fuel: number): Writer {
  const b = new Writer(16 + params * 3);
  b.u8(0);
  b.u8(0x20);
  b.u32(params);
  b.u8(0x24);
  b.u32(fuel);
  for (let i = 0; i < params; i++) {
    b.u8(0x20);
    b.u32(i);
  }
  b.u8(0x10);
  b.u32(original);
  b.u8(0x23);
  b.u32(fuel);
  b.u8(0x0b);
  return b;
}
