// Counted loops, which the meter charges whole before they start (meter.ts).
//
// A loop qualifies when its body is one straight-line segment (no branch, call, block or other
// control but the back edge), it ends with the counting of one i32 local,
//
//     local.get i  i32.const s  i32.add  local.tee i  [i32.const K  (i32.ne | i32.lt_s | i32.lt_u)]  br_if 0  end
//
// (without the compare: `i != 0`), i is written nowhere else in the body, and its value at the loop's
// entry is a constant: the last write to it in the straight-line segment that runs into the loop is
// `i32.const v; local.set/tee i`, or there is none and i is a declared local of a segment that starts
// at the function's entry (0). Then every entry runs the body exactly `trips` times, known here, and
// the meter charges trips x cost in the segment that enters the loop, with no charge or check inside
// it: a fixed-size loop (a matrix row, a hash round, a table walk) runs exactly as unmetered.
// A trap inside such a loop leaves the whole loop charged (the same on every run). A run whose fuel
// runs out inside it stops at the check of the segment entering it, when that segment has one (then
// before a bad access the loop would have trapped on), or else at the next check after the loop. The
// loop's charge is capped (MAX_HOISTED) so that a run out of fuel goes at most that far past a check.
// A loop `i <u K` whose start, step or bound is known only at run time (a sieve's inner loop, from 2p
// by p; s and K may then be locals the body does not write) is counted on entry instead (RunTimeCount):
// a guard computes the count where it is simple and runs an uncharged copy of the body, charged in one
// go (the guard checks that charge, so such a loop never goes past the budget); every other entry runs
// the metered loop.

import { Reader } from './bytes.js';
import { Imm, PLAIN, PLAIN_COST, prefixedImm, skipImm } from './opcodes.js';

/** The most fuel one counted loop may charge before it starts (its trips times its body's cost). */
export const MAX_HOISTED = 1 << 16;
/** Bodies longer than this are not looked at (the scan stays linear in practice). */
const MAX_BODY_INSTRUCTIONS = 400;

export interface CountedLoop {
  /** How many times the body runs on every entry; 0 for a loop counted at run time (`atRunTime`). */
  trips: number;
  /** The body's cost per run (the meter's cost model). */
  cost: number;
  /** Position of the back edge's br_if. */
  tail: number;
  /** A loop `i <u K` whose count is known only on entry (see `RunTimeCount`). */
  atRunTime?: RunTimeCount;
}

/**
 * A loop counting local i up by s while i <u K, s and K constants or locals the body does not write,
 * i's start unknown until the loop is entered (a sieve's inner loop: from 2p by p). On entry the
 * meter's guard computes the count when it is simple (s >= 1 as a signed value, no wraparound:
 * K + s <= 2^32 and i + s < 2^32) and runs an uncharged copy of the body, charged count x cost up
 * front; any other entry runs the metered loop as before. The body may not touch globals or the
 * local that moves in threaded functions, so that the copy is the body's bytes unchanged.
 */
export interface RunTimeCount {
  /** The counter local. */
  local: number;
  /** The step's and the bound's instructions in the input ([start, end): `i32.const` or `local.get`). */
  stepAt: number;
  stepEnd: number;
  boundAt: number;
  boundEnd: number;
  /** The body's bytes in the input: from after the loop's block type to the end of its back edge. */
  bodyStart: number;
  bodyEnd: number;
}

const TWO_32 = 2 ** 32;
const STARTS = new Int32Array(MAX_BODY_INSTRUCTIONS + 1);
const WRITES = new Int32Array(2 * (MAX_BODY_INSTRUCTIONS + 1));

/** Non-control one-byte opcodes a counted body may hold: nop, drop, select and everything from local.get on but refs. */
function plainBodyOp(op: number): boolean {
  if (op < 0x20) return op === 0x01 || op === 0x1a || op === 0x1b || op === 0x1c;
  return op < 0xd0;
}

/**
 * The counted loop whose body starts at `body`, entered from the straight-line segment
 * [segStart, loopAt) (`loopAt`: the loop opcode), or undefined. `declaredFrom`: in a segment that
 * starts at the function's entry, the first declared local's index (locals from it on start at 0);
 * else -1.
 */
export function countedLoop(
  buf: Uint8Array,
  body: number,
  end: number,
  segStart: number,
  loopAt: number,
  declaredFrom: number,
  /** The local that moves in a threaded function (-1: none): a body counted at run time may not touch it. */
  moved = -1,
): CountedLoop | undefined {
  const r = new Reader(buf, body, end);
  /** The body touches a global or the moved local: it cannot be copied as it is. */
  let pinned = false;
  /** Where each instruction starts, and the locals written in the body with where (scratch, reused). */
  const starts = STARTS;
  const writes = WRITES;
  let n = 0;
  let nWrites = 0;
  let cost = 0;
  let tail = -1;
  let tailEnd = -1;
  for (;;) {
    if (r.pos >= end || n >= MAX_BODY_INSTRUCTIONS) return undefined;
    const at = r.pos;
    const op = r.u8();
    if (op === 0x0d) {
      // The back edge, last before the loop's end; any other branch disqualifies.
      if (r.u32() !== 0 || buf[r.pos] !== 0x0b) return undefined;
      starts[n++] = at;
      cost += PLAIN_COST[op]!;
      tail = at;
      tailEnd = r.pos;
      break;
    }
    if (op >= 0xfc && op <= 0xfe) skipImm(r, prefixedImm(op, r.u32(), at));
    else {
      if (!plainBodyOp(op)) return undefined;
      const imm = PLAIN[op] as Imm;
      if (imm === Imm.Unknown) return undefined;
      if (op === 0x21 || op === 0x22) {
        const idx = r.u32();
        if (idx === moved) pinned = true;
        writes[nWrites++] = idx;
        writes[nWrites++] = at;
      } else if (op === 0x20) {
        if (r.u32() === moved) pinned = true;
      } else {
        if (op === 0x23 || op === 0x24) pinned = true;
        skipImm(r, imm);
      }
    }
    starts[n++] = at;
    cost += PLAIN_COST[op]!;
  }
  const opAt = (k: number) => (k >= 0 ? buf[starts[k]!]! : -1);
  const u32At = (k: number) => {
    r.pos = starts[k]! + 1;
    return r.u32();
  };
  const i32At = (k: number) => {
    r.pos = starts[k]! + 1;
    return r.s32();
  };
  // [local.get i, i32.const s, i32.add, local.tee i] then, in the first form, [i32.const K, compare].
  // (The step and the bound may also be `local.get` of a local the body does not write.)
  let cmp = 0x47; // i32.ne
  let bound = 0;
  let boundLocal = -1;
  let count = n - 5;
  const c = opAt(n - 2);
  if (c === 0x47 || c === 0x48 || c === 0x49) {
    const b = opAt(n - 3);
    if (b === 0x41) bound = i32At(n - 3);
    else if (b === 0x20) boundLocal = u32At(n - 3);
    else return undefined;
    cmp = c;
    count = n - 7;
  }
  if (count < 0 || opAt(count) !== 0x20 || opAt(count + 2) !== 0x6a || opAt(count + 3) !== 0x22)
    return undefined;
  const local = u32At(count);
  if (u32At(count + 3) !== local) return undefined;
  const s = opAt(count + 1);
  const stepLocal = s === 0x20 ? u32At(count + 1) : -1;
  if (s !== 0x41 && stepLocal < 0) return undefined;
  for (let k = 0; k < nWrites; k += 2) {
    const w = writes[k]!;
    if (w === local && writes[k + 1] !== starts[count + 3]) return undefined;
    if (w === stepLocal || w === boundLocal) return undefined;
  }
  if (stepLocal === local || boundLocal === local) return undefined;
  const first =
    stepLocal < 0 && boundLocal < 0 ? entryValue(buf, segStart, loopAt, local, declaredFrom) : undefined;
  if (first !== undefined) {
    const trips = tripCount(first, i32At(count + 1), bound, cmp);
    if (trips !== undefined && trips * cost <= MAX_HOISTED) return { trips, cost, tail };
  }
  // Counted on entry: `i <u K` only, in a loop with no block type, a body copied as it is.
  if (cmp !== 0x49 || pinned || buf[loopAt + 1] !== 0x40 || local === moved) return undefined;
  if (stepLocal === moved || boundLocal === moved) return undefined;
  if (stepLocal < 0 && i32At(count + 1) < 1) return undefined;
  return {
    trips: 0,
    cost,
    tail,
    atRunTime: {
      local,
      stepAt: starts[count + 1]!,
      stepEnd: starts[count + 2]!,
      boundAt: starts[n - 3]!,
      boundEnd: starts[n - 2]!,
      bodyStart: body,
      bodyEnd: tailEnd,
    },
  };
}

/** The value of i32 local `local` on reaching `loopAt`, when the segment from `segStart` sets it to a constant. */
function entryValue(
  buf: Uint8Array,
  segStart: number,
  loopAt: number,
  local: number,
  declaredFrom: number,
): number | undefined {
  const r = new Reader(buf, segStart, loopAt);
  let value: number | undefined = declaredFrom >= 0 && local >= declaredFrom ? 0 : undefined;
  let constAt = -1;
  let constValue = 0;
  while (r.pos < loopAt) {
    const at = r.pos;
    const op = r.u8();
    if (op >= 0xfc && op <= 0xfe) {
      skipImm(r, prefixedImm(op, r.u32(), at));
      continue;
    }
    const imm = PLAIN[op] as Imm;
    if (imm === Imm.Unknown) return undefined;
    if (op === 0x41) {
      constValue = r.s32();
      constAt = r.pos;
      continue;
    }
    if (op === 0x21 || op === 0x22) {
      const idx = r.u32();
      if (idx === local) value = constAt === at ? constValue : undefined;
      continue;
    }
    skipImm(r, imm);
  }
  return value;
}

/**
 * How many times a do-while body runs that starts with i = first, adds `step` (i32, wrapping) at its
 * end and goes on while `i cmp bound`; undefined when it would not end or its count is not simple.
 */
export function tripCount(first: number, step: number, bound: number, cmp: number): number | undefined {
  if (step === 0) return undefined;
  if (cmp === 0x47) {
    // i != bound: the first t >= 1 with first + t*step = bound (mod 2^32).
    const gap = (((bound - first) % TWO_32) + TWO_32) % TWO_32;
    if (gap === 0) return undefined;
    const forward = step > 0 ? gap : TWO_32 - gap;
    const stride = Math.abs(step);
    return forward % stride === 0 ? forward / stride : undefined;
  }
  if (step < 0) return undefined;
  // i < bound, unsigned (0x49) or signed (0x48), counting up with no wrap before the loop ends.
  const lo = cmp === 0x49 ? first >>> 0 : first;
  const hi = cmp === 0x49 ? bound >>> 0 : bound;
  const max = cmp === 0x49 ? TWO_32 - 1 : 2 ** 31 - 1;
  const trips = lo + step >= hi ? 1 : Math.ceil((hi - lo) / step);
  return lo + trips * step <= max ? trips : undefined;
}
