// Fuel metering of one function body.
//
// Cost model (Wasmtime's): every instruction costs 1, except nop, drop, unreachable, return and the
// structural ones (block, loop, try, try_table, else, catch, catch_all, delegate, end), which are free.
//
// The body is cut into straight-line segments: a segment starts at function entry, at a loop header,
// at the start of an if/else arm or catch handler, after a conditional branch, and at a join point
// (the end of an if or try, or of a block that a branch targets). Each live segment has an exact
// static cost, charged on entry; unreachable code is not charged. Where the control flow is known (no
// exception handling in the function), the charges are then moved along the paths (potentials.ts):
// a segment is charged its cost plus what is owed on reaching it minus what is owed after it, so the
// segments of a spanning tree, the hot ones first, charge nothing, and every path that leaves the
// function still charges exactly its instructions (a dispatch loop's arm pays its block and the block
// before it in one charge). A br_if to a block or if without results is an edge of its own (EV_EDGE):
// the way taken gets a segment of cost 0 between the br_if and its target, written as
// `if … br end` only when its placed charge is not zero. Without it, the segments of a chain with side
// exits to one join all share that join's potential and each charges: strcmp's loop charged twice per
// character, a tree-walking interpreter's `if (a && b && c)` once per condition. The counter may owe
// up to MAX_OWED per active function, and never runs ahead of what a run that ends normally uses (a budget of exactly that still ends normally). Fuel used is
// the exact count of instructions executed on a run that ends normally; a trap, throw or exhaustion
// in between counts whole segments and what is owed differently, but the same on every run. Owed
// charges wait past calls: a recursion whose calls come before its first charge owes at every level
// and ends by overflowing the stack (a trap, as under Wasmtime at any realistic budget) rather than
// by a small budget; a run overshoots its budget by at most MAX_OWED per frame on the stack.
// Only function entries and loop headers check the counter (as in Wasmtime), and only where a run could
// otherwise go on without passing another check: an entry is checked only if a call can be reached from
// it outside every loop (a leaf, or a function whose calls all sit in loops, runs at most its own code
// before its next loop header), and a check whose segment runs straight into a loop header (no call on
// the way) is left to that header. That bounds every run (fib 1.33x -> 1.04x metered), and means a run
// may also END normally with the counter a little below zero (the last segments after the last check);
// the host should read that as "budget used up" too. Charges are unchanged: fuel used is exact.
// Dispatch loops: a loop whose header runs straight into a br_table, with no call on the way (an
// interpreter's `for (;;) switch (code[pc++])`), checks on every branch back to its header instead of
// at the header; targets of that br_table that are the loop itself go through a block of type
// [i32] -> [] around it, whose end checks and branches back (EV_DISPATCH). Every iteration still
// passes a check; the function's entry keeps its check (calls in the loop are reached without passing
// another), and so does the segment that ran into the header. On V8 11 (Node 20) a test-and-branch
// between the header and the br_table made a switch-dispatch VM 1.43-1.55x slower than the original,
// where the same checks on the ways back run it at 0.88-1.03x (AMD Zen 4; test/bench/wasmtime).
// Counted loops (counted-loops.ts): a loop whose body is one segment counting an i32 local from a
// known constant to a constant bound runs the same number of trips on every entry, so the segment
// that runs into it charges trips x the body's cost and keeps its own check, and the loop's header
// neither charges nor checks (a fixed-size loop runs as unmetered; the charge is capped at MAX_HOISTED).
// A loop `i <u K` counted only on entry gets a guard and an uncharged copy of its body in front of the
// metered loop (putRunTimeCount); the segment after it starts after its end, so both copies pay it.
// A loop header whose segment (straight-line, run whole on every iteration) first calls a function
// that checks on every call before it can call anything or return (its entry is checked, or runs
// straight into a loop header that keeps its check) only charges: each iteration passes the callee's
// check, before any call, so a run that runs out stops before the same I/O (a tree-walking
// interpreter's statement loop calling eval). Callees scanned later (one-pass mode) keep the check.
// Prepaid returns: a threaded function (only ever called directly; not in a table) may return owing
// part of its charges, its credit q, which its callers pay: every direct call adds q to the charge of
// the segment it is in, and the function's segments onto its way out charge q less
// (SegmentGraph.exitCredit), so its cheapest way out charges nothing (fib's base case: on V8 13+,
// which inlines fib's recursion, that charge was what metering weighed; V8 14 eager 1.22x -> 1.11x,
// V8 13 eager 1.32x -> 1.16x, dynamic tiering 1.22x -> 1.07x). Every path
// still charges exactly its instructions, the callee's counted at the call; as every charge of a
// credited function stays at or above zero, the counter runs ahead of the instructions entered only
// by the credits of the calls in flight, which a run that ends normally goes on to execute. In one
// pass, a call to a function not scanned yet has its segment's charge written padded to 5 bytes and
// patched once the callee's credit is known; a call in a segment that charges nothing leaves its
// callee without credit (no charge is added). Off in modules with tags: a throw past a call would
// skip the return that evens out its credit.
// What is left on fib under V8 13+ eager is V8's inliner, not the charges (measured with
// --trace-wasm-inlining): V8 budgets a function's inlining by its wire bytes and the module's share
// of bodies under 50 bytes, so it inlines the original fib's recursion 4 levels deep and the prepared
// (bigger) one 3. At the same depth (--wasm-inlining-factor=2 for both) metering costs 3-4 %; forced
// to 4 levels (tiny functions appended to raise the share) the prepared fib keeps one more value live
// per level, V8 spills the counter, and it runs 1.31-1.34x; at 2 levels 1.27x. So no placement or
// padding closes the last 10 %. (ruby's share of small bodies goes UP when prepared, 16 % -> 42 %,
// twins being small; lowering it back changed nothing measurable.)
//
// Three schemes, picked per function (measured on V8, see test/bench/prepare-bench.ts):
// - "threaded": internal functions (not exported, not in a table, not the start function; only ever
//   called directly) get the counter as an extra last i64 parameter and return it as an extra last
//   result, so fuel flows between them in registers, with no memory traffic per call (calls are what
//   makes V8's globals expensive: +50..80 % on recursive code otherwise). The new parameter takes the
//   index of the first declared local, which moves to the end of the locals. The body is wrapped in a
//   block so that every way out of it ends with the counter pushed as the extra result;
// - "local": other functions with loops keep a local copy of the counter (a register), write it back to
//   the global before calls to non-threaded functions, throws, `unreachable`, returns and branches out
//   of the function, and reload it after such calls and in catch handlers;
// - "global": other loop-free functions, and functions using try_table (whose catch clauses branch to
//   labels), charge the global directly.
// Functions in a private table 0 also get a threaded "twin", called by direct calls and by
// call_indirect on table 0 (from table 0 itself or a parallel table, twins.ts), so callbacks (qsort's
// compare, vtables) keep the counter in registers too.
// Traps other than fuel exhaustion (out of bounds, division by zero, stack overflow) leave the global at
// its last write-back, so fuel used after such a trap may be low (still deterministic).
// On exhaustion a negative value (the counter, or -1 where the check tests the counter before its
// charge) is stored to the global and the function executes `unreachable`, so the host can tell fuel
// exhaustion from other traps by reading the global. A threaded function that makes calls does both
// by calling one function added after all others (`exhaustFunc`): a store on each cold way out made
// V8 11 keep the global's address in a register from the function's entry on.

import { grown, Reader, type Writer } from './bytes.js';
import { MAX_FUNCTION_LOCALS } from './constants.js';
import { countedLoop, type RunTimeCount } from './counted-loops.js';
import { ModuleError } from './errors.js';
import {
  Imm,
  PLAIN,
  PLAIN_COST,
  prefixedImm,
  skipBlockType,
  skipImm,
  skipValType,
  unmeterable,
} from './opcodes.js';
import { EXIT_GROUP } from './potentials.js';
import { LOOP_TRIPS, SegmentGraph } from './segment-graph.js';

/** A segment charge (a = cost), checked (function entry, loop header) or not. */
const EV_CHARGE = 1;
const EV_CHECK = 2;
/** global.get/set of a shifted global (a = new index, b = end of the original instruction). */
const EV_GLOBAL = 3;
/** A call (a = callee for direct calls, -2 for call_indirect, -1 for call_ref; b = end of the call instruction). */
const EV_CALL = 4;
/** Before throw/rethrow/throw_ref/unreachable/return_call_indirect/return_call_ref. */
const EV_WRITEBACK = 6;
/** At the start of a catch handler. */
const EV_RELOAD = 7;
/** Before `return`. */
const EV_RETURN = 8;
/** Before the function's final `end`. */
const EV_FUNC_END = 9;
/** Before a branch to the function's own label. */
const EV_BR_OUT = 10;
/** Before return_call (a = callee, b = end of the instruction). */
const EV_RETURN_CALL = 11;
/** local.get/set/tee of the first declared local, which moves in threaded functions (b = end). */
const EV_LOCAL = 12;
/** The function entry's charge when the entry needs no check (see `scan`): a charge without the test. */
const EV_ENTRY = 13;
/**
 * Before a loop opcode (b = 0, or 1 + the loop's run-time count in `runTimeLoops`, a = its header's
 * event): where a loop counted on entry gets its guard and uncharged copy (counted-loops.ts).
 */
const EV_LOOP = 14;
/** After such a loop's end (b as EV_LOOP's): the end of the block around the guard, both copies. */
const EV_LOOP_END = 15;
/**
 * A br_if to a block or if without results, as a segment of its own between the segment it ends and
 * the target (a = its charge): the way taken charges there, inside `if … br end` written in place of
 * the br_if when that charge is not zero. So a chain of segments with side exits to one join no
 * longer shares one potential: the way through charges once, each way out once.
 */
const EV_EDGE = 16;
/**
 * A dispatch loop's br_table whose targets include the loop itself (b = that label), as a segment of its
 * own that checks: `block (param i32)` around the br_table, whose loop targets go to the block's end,
 * then the check and charge and `br` to the loop (see `dispatchType`).
 */
const EV_DISPATCH = 17;
/** The most a run-time count's guard writes (with five-byte indices and charge), besides the copy. */
const RUN_TIME_GUARD_BYTES = 256;

/**
 * b of a loop header's check: KEEP for the header a function's entry runs straight into (the check
 * every call passes) or a header whose segment first calls indirectly, else 1 + the function its
 * segment first calls (0: none).
 */
const KEEP = -1;

const K_BLOCK = 0;
const K_LOOP = 1;
const K_IF = 2;
const K_TRY = 3;
const K_TRY_TABLE = 4;

/** creditState bits: the credit is final; some caller could not prepay it (so it is 0). */
const SETTLED = 1;
const UNPAID = 2;

/** The events that are segments (whose charges potentials.ts places), a bit per kind. */
const SEGMENT_KINDS =
  (1 << EV_CHARGE) | (1 << EV_CHECK) | (1 << EV_ENTRY) | (1 << EV_EDGE) | (1 << EV_DISPATCH);

/** V8's limits on function parameters and results. */
export const MAX_PARAMS = 1000;
export const MAX_RESULTS = 1000;

/** Statistics, for tests and benchmarks. */
export interface MeterStats {
  functions: number;
  threaded: number;
  localScheme: number;
  globalScheme: number;
  charges: number;
  /** Functions whose callers pay part of their charges at the call (prepaid returns). */
  credited: number;
  /** Threaded twins of table functions with their own body (their original index becomes a wrapper; neither counted in `functions`), and shims calling the original. */
  twins: number;
  shims: number;
  /** Counted loops charged whole before they start (counted-loops.ts). */
  countedLoops: number;
  /** Dispatch loops checked on their ways back instead of at their header. */
  dispatchLoops: number;
}

/** What pass 1 learned about one function body. */
export interface ScannedFunction {
  index: number;
  end: number;
  params: number;
  results: number;
  nDecl: number;
  declStart: number;
  declEnd: number;
  /** Params plus declared locals. */
  nLocals: number;
  /** First local group: end of its count, its count, end of its type (when nDecl > 0). */
  firstCountEnd: number;
  firstCount: number;
  firstTypeEnd: number;
  evStart: number;
  evEnd: number;
  hasLoop: boolean;
  hasTryTable: boolean;
  /** Uses return_call_indirect or return_call_ref (cannot be threaded). */
  hasTailIndirect: boolean;
  /** Uses call_indirect. */
  hasIndirect: boolean;
  /** Makes a call of any kind (V8 gives it a stack check on entry either way: see `exhaustFunc`). */
  hasCall: boolean;
  /** Bytes its loops counted on entry add to the output (guards and copies). */
  extraOut: number;
}

export class Meter {
  /** Events of every scanned function, 4 ints each: kind, position in the input, a, b. */
  private ev: Int32Array;
  private nEv = 0;
  /** The segment being measured: its event index (-1 when unreachable), and liveness. */
  private seg = -1;
  private live = true;
  private ctlKind = new Uint8Array(256);
  private ctlTargeted = new Uint8Array(256);
  private ctlLive = new Uint8Array(256);
  /** Per control frame: 1 when its label takes no values (a block or if without results, a loop without params). */
  private ctlVoid = new Uint8Array(256);
  /** Per loop frame: 1 when its header does not check and every branch back to it does (a dispatch loop). */
  private ctlBackCheck = new Uint8Array(256);
  /** The control frame of the loop whose header is `loopHeader`. */
  private loopFrame = -1;
  /** Which segments follow which, and how often they run, for placing charges (segment-graph.ts). */
  private readonly graph = new SegmentGraph();
  /** Move charges to where they cost the least (potentials.ts); fuel used is the same either way. */
  mergeCharges = true;
  /** return_call edges (caller, callee), flattened. */
  readonly tailCalls: number[] = [];
  /**
   * 1 for each scanned function that checks the counter on every call before it can call anything or
   * return: its entry is checked, or runs straight into a loop header whose check stays. Kept across
   * `reset` (the functions scanned so far; in exact mode, all).
   */
  private checksOnEntry = new Uint8Array(256);
  /** Loop headers whose segment first calls a function that checks on entry leave the check to it. */
  deferChecks = true;
  /** Counted loops are charged whole before they start (counted-loops.ts). */
  chargeCountedLoops = true;
  /** A br_if to a block or if without results is a segment of its own (EV_EDGE). */
  splitEdges = true;
  /**
   * The type index of `[i32] -> []` (fuel.ts adds it), for the block around a dispatch loop's br_table
   * (EV_DISPATCH); -1: dispatch loops keep the check at their header.
   */
  dispatchType = -1;
  /**
   * The index of the function fuel.ts adds, `(param i64) local.get 0 global.set F unreachable`
   * (padded with `nop`s so that V8 14 does not inline it: fuel.ts, EXHAUST_BODY_BYTES): a threaded
   * function that makes calls stops there when it runs out (-1: every check stores the counter
   * itself). V8 hoists the address of an imported global to the entry of a function that
   * sets it on several ways out, so a check's `global.set` on its cold path cost an interpreter's
   * eval two instructions per call and a register (valgrind, Node 20: eval 1.328 -> 1.271 G
   * instructions); a call costs nothing on the hot path of a function that makes calls, but gives a
   * leaf a stack check on entry it did not have (strcmp 245 -> 261 M), so leaves keep the store.
   */
  exhaustFunc = -1;
  /** Whether the function being emitted stops through `exhaustFunc`. */
  private viaExhaust = false;
  /**
   * The last loop header scanned (counted-loops.ts): its segment (-1: none), the segment that ran into
   * it and that one's kind before the header took over its check, where the loop and its body start.
   */
  private loopHeader = -1;
  private loopEntry = -1;
  private loopEntryKind = 0;
  private loopAt = 0;
  private loopBody = 0;
  private loopEvent = -1;
  /** Loops counted on entry, indexed by their EV_LOOP's b - 1 (dropped with the events). */
  private runTimeLoops: RunTimeCount[] = [];
  /**
   * Prepaid returns (see the header): per function index, the charge its callers pay at each call
   * (its credit; from its scan, final once settled), and whether it is settled or some caller could
   * not pay (UNPAID). Kept across `reset`.
   */
  private credit = new Int32Array(256);
  private creditState = new Uint8Array(256);
  /** False when the module may throw (it has tags): a throw past a prepaid call would skip its return. */
  prepay = true;
  /** Every body was scanned before the first is written (exact mode): every credit is known. */
  allScanned = false;
  /** Per event: the segment a direct call or return_call is in (-1: unreachable code). */
  private callSeg = new Int32Array(1 << 12);
  /** Per segment event: 1 when it ends in a trap or throw (it never returns). */
  private trapEnd = new Uint8Array(1 << 12);
  /** Per segment event: how its charge moves with the function's own credit (segment-graph.ts). */
  private shift = new Int8Array(1 << 12);
  /** Per segment of the function being written: what its calls prepay, and whether it waits for a later callee's credit. */
  private adds = new Float64Array(256);
  private pads = new Uint8Array(256);
  /** Calls to functions not scanned yet (one-pass): callee, segment event; then where their charge was written. */
  private pendingCallee: number[] = [];
  private pendingSeg: number[] = [];
  /** The next of `pendingSeg` to write (emit). */
  private pendingNext = 0;
  /**
   * Charges to patch once a callee's credit is known (one-pass): a list per callee (fixHead, 1-based,
   * 0: none; fixNext), each with its writer and the offset of its padded i64.const.
   */
  private fixHead = new Int32Array(256);
  private fixNext: number[] = [0];
  private fixWriter: Writer[] = [];
  private fixAt: number[] = [0];
  /** Set when a scanned body writes table 0 (table.set/grow/fill/copy/init into it). */
  writesTable0 = false;
  /**
   * Set when a scanned body reaches table 0's elements other than by call_indirect (table.get, table.copy
   * from it, return_call_indirect through it): then the twins need a table of their own (twins.ts).
   */
  readsTable0 = false;
  /** Twins of table 0's functions and the table that holds them (twins.ts), when planned. */
  twins: { twinOf: Int32Array; table2: number; typeOf: Map<number, number> } | undefined;
  readonly stats: MeterStats = {
    functions: 0,
    threaded: 0,
    localScheme: 0,
    globalScheme: 0,
    charges: 0,
    credited: 0,
    twins: 0,
    shims: 0,
    countedLoops: 0,
    dispatchLoops: 0,
  };

  constructor(
    private readonly bytes: Uint8Array,
    /** Index of the imported fuel global; defined globals at or above it move up by one. */
    private readonly fuelGlobal: number,
    /** Size of the code section: about one event per 12 bytes of code, 4 ints each. */
    codeBytes = 0,
  ) {
    this.ev = new Int32Array(Math.max(1 << 12, Math.ceil(codeBytes / 3)));
  }

  private add(kind: number, pos: number, a: number, b: number): number {
    const i = this.nEv;
    if ((i + 1) * 4 > this.ev.length) this.ev = grown(this.ev, (i + 1) * 4);
    this.graph.reserveEvent(i);
    if (i >= this.callSeg.length) {
      this.callSeg = grown(this.callSeg, i + 1);
      this.trapEnd = grown(this.trapEnd, i + 1);
      this.shift = grown(this.shift, i + 1);
    }
    this.trapEnd[i] = 0;
    const ev = this.ev;
    ev[i * 4] = kind;
    ev[i * 4 + 1] = pos;
    ev[i * 4 + 2] = a;
    ev[i * 4 + 3] = b;
    this.nEv = i + 1;
    return i;
  }

  /**
   * Ends the current segment with `cost`, its successors in group `succ`, and starts one at `pos` in
   * group `head` (-1: none, the new one is dead), running `graph.now` times (zeroed when dead).
   */
  private next(cost: number, kind: number, pos: number, live: boolean, succ: number, head: number): void {
    const s = this.seg;
    if (s >= 0) {
      this.ev[s * 4 + 2] = cost;
      this.graph.succ[s] = succ;
    }
    this.live = live;
    if (live) {
      const n = this.add(kind, pos, 0, 0);
      this.seg = n;
      this.graph.start(n, head);
    } else {
      this.seg = -1;
      this.graph.now = 0;
    }
  }

  /** A branch to `label` taking `share` of the current frequency: what its target receives. */
  private branchFreq(label: number, depth: number, loops: number, share: number): void {
    if (label >= depth) return;
    const t = depth - 1 - label;
    if (this.ctlKind[t] === K_LOOP) return; // a back edge: in the header's LOOP_TRIPS already
    this.graph.branchTo(t, loops, share);
  }

  /**
   * A dispatch loop (see the header): the br_table at `p` ends the segment of the header of the loop
   * opened last (no call on the way), the loop's label takes no values, and every target is a label
   * inside the function. Then its header only charges, the segment that ran into it gets back the check
   * it left to the header, and every branch back to the header checks instead (`checkBackEdge`).
   * Returns the br_table's label of the loop when some target is the loop itself (an EV_DISPATCH
   * segment follows), -2 when none is, -1 when this is no dispatch loop (nothing changes).
   */
  private dispatchLoop(p: number, depth: number, n: number): number {
    const s = this.seg;
    const t = this.loopFrame;
    if (this.dispatchType < 0 || !this.live || s < 0 || s !== this.loopHeader || t < 0 || t >= depth)
      return -1;
    if (this.ev[s * 4] !== EV_CHECK || this.callSince(s) || this.ctlVoid[t] !== 1) return -1;
    const r = new Reader(this.bytes, p + 1, this.bytes.length);
    r.u32();
    let self = -2;
    for (let i = 0; i <= n; i++) {
      const label = r.u32();
      if (label >= depth) return -1;
      if (depth - 1 - label === t) self = label;
    }
    // The header only charges; the segment that ran into it, which left its check to the header, checks again.
    this.ev[s * 4] = EV_CHARGE;
    this.ev[s * 4 + 3] = 0;
    const e = this.loopEntry;
    if (e >= 0) this.ev[e * 4] = this.loopEntryKind;
    this.ctlBackCheck[t] = 1;
    this.loopHeader = -1;
    this.stats.dispatchLoops++;
    return self;
  }

  /** A branch to `label` from the current segment: it checks when it goes back to a dispatch loop's header. */
  private checkBackEdge(label: number, depth: number): void {
    if (label >= depth || this.seg < 0) return;
    const t = depth - 1 - label;
    if (this.ctlBackCheck[t] === 1 && this.ev[this.seg * 4] === EV_CHARGE) this.ev[this.seg * 4] = EV_CHECK;
  }

  /** The group a branch to `label` reaches (EXIT_GROUP for the function's own label). */
  private target(label: number, depth: number): number {
    return label < depth ? this.graph.label[depth - 1 - label]! : EXIT_GROUP;
  }

  private markChecksOnEntry(index: number): void {
    if (index >= this.checksOnEntry.length) this.checksOnEntry = grown(this.checksOnEntry, index + 1);
    this.checksOnEntry[index] = 1;
  }

  /** Whether a call was recorded after event `seg` (in the segment it starts). */
  private callSince(seg: number): boolean {
    const ev = this.ev;
    for (let i = seg + 1; i < this.nEv; i++) {
      const k = ev[i * 4]!;
      if (k === EV_CALL || k === EV_RETURN_CALL || k === EV_WRITEBACK) return true;
    }
    return false;
  }

  /** Marks the block a branch targets; returns true when the branch leaves the function (a return). */
  private mark(label: number, depth: number): boolean {
    if (label < depth) {
      this.ctlTargeted[depth - 1 - label] = 1;
      return false;
    }
    return true;
  }

  private push(depth: number, kind: number, live: boolean, loops: number, isVoid = false): void {
    if (depth >= this.ctlKind.length) {
      this.ctlKind = grown(this.ctlKind, depth + 1);
      this.ctlTargeted = grown(this.ctlTargeted, depth + 1);
      this.ctlLive = grown(this.ctlLive, depth + 1);
      this.ctlVoid = grown(this.ctlVoid, depth + 1);
      this.ctlBackCheck = grown(this.ctlBackCheck, depth + 1);
    }
    this.ctlBackCheck[depth] = 0;
    this.ctlKind[depth] = kind;
    this.ctlTargeted[depth] = 0;
    this.ctlLive[depth] = live ? 1 : 0;
    this.ctlVoid[depth] = isVoid ? 1 : 0;
    this.graph.open(depth, kind === K_IF, loops);
  }

  /**
   * Pass 1 over the body at [start, end): finds segments, calls, exits and global references.
   * `candidate`: the function may be threaded, so accesses to its first declared local are recorded.
   */
  scan(index: number, start: number, end: number, params: number, results: number, candidate: boolean) {
    const buf = this.bytes;
    const r = new Reader(buf, start, end);
    const nDecl = r.u32();
    const declStart = r.pos;
    let nLocals = params;
    let firstCountEnd = 0;
    let firstCount = 0;
    let firstTypeEnd = 0;
    for (let i = 0; i < nDecl; i++) {
      const count = r.u32();
      nLocals += count;
      if (i === 0) {
        firstCountEnd = r.pos;
        firstCount = count;
      }
      skipValType(r);
      if (i === 0) firstTypeEnd = r.pos;
    }
    const declEnd = r.pos;
    if (nLocals + 1 > MAX_FUNCTION_LOCALS) {
      throw new ModuleError(
        'unmeterable',
        `cannot meter this module: a function has ${nLocals} locals, too many to add the fuel counter`,
      );
    }
    // The first declared local's index, or -1 when there is none to move.
    const moved = candidate && nLocals > params ? params : -1;

    // `pos` is kept in a local for speed; LEB128 immediates are skipped inline (the module was
    // validated, and the final position is checked).
    const evStart = this.nEv;
    const graph = this.graph;
    graph.reset();
    this.loopHeader = -1;
    this.loopEvent = -1;
    let extraOut = 0;
    this.seg = this.add(EV_CHECK, declEnd, 0, 0);
    graph.start(this.seg, EXIT_GROUP);
    this.live = true;
    let pos = declEnd;
    let cost = 0;
    let depth = 0;
    let hasLoop = false;
    let hasTryTable = false;
    let hasTailIndirect = false;
    let hasIndirect = false;
    let hasCall = false;
    /** Loops around the current instruction, and whether a call can be reached outside every loop. */
    let loops = 0;
    let callOutsideLoop = false;
    /** The entry runs straight into a loop header, whose check stays (see `checksOnEntry`). */
    let entryIntoLoop = false;
    const fuel = this.fuelGlobal;

    for (;;) {
      const p = pos;
      if (p >= end) r.fail('function body ends without its final end');
      const op = buf[p]!;
      pos = p + 1;
      cost += PLAIN_COST[op]!;
      switch (op) {
        case 0x20: // local.get/set/tee
        case 0x21:
        case 0x22:
          if (moved >= 0 && buf[pos]! === moved && moved < 0x80) {
            pos++;
            this.add(EV_LOCAL, p, 0, pos);
          } else if (moved >= 0) {
            r.pos = pos;
            const idx = r.u32();
            pos = r.pos;
            if (idx === moved) this.add(EV_LOCAL, p, 0, pos);
          } else {
            while (buf[pos++]! & 0x80);
          }
          break;
        case 0x41: // i32.const
        case 0x42: // i64.const
          while (buf[pos++]! & 0x80);
          break;
        case 0x28: // loads and stores: memarg = align [memory] offset
        case 0x29:
        case 0x2a:
        case 0x2b:
        case 0x2c:
        case 0x2d:
        case 0x2e:
        case 0x2f:
        case 0x30:
        case 0x31:
        case 0x32:
        case 0x33:
        case 0x34:
        case 0x35:
        case 0x36:
        case 0x37:
        case 0x38:
        case 0x39:
        case 0x3a:
        case 0x3b:
        case 0x3c:
        case 0x3d:
        case 0x3e: {
          const align = buf[pos]!;
          while (buf[pos++]! & 0x80);
          if (align & 0x40) while (buf[pos++]! & 0x80);
          while (buf[pos++]! & 0x80);
          break;
        }
        case 0x23: // global.get/set
        case 0x24: {
          r.pos = pos;
          const idx = r.u32();
          pos = r.pos;
          if (idx >= fuel) this.add(EV_GLOBAL, p, idx + 1, pos);
          break;
        }
        case 0x00: // unreachable
          if (this.seg >= 0) this.trapEnd[this.seg] = 1;
          if (this.live) this.add(EV_WRITEBACK, p, 0, 0);
          this.next(cost, EV_CHARGE, pos, false, EXIT_GROUP, -1);
          cost = 0;
          break;
        case 0x02: // block
        case 0x03: // loop
        case 0x04: // if
        case 0x06: // try
          r.pos = pos;
          skipBlockType(r);
          pos = r.pos;
          this.push(
            depth++,
            op === 0x02 ? K_BLOCK : op === 0x03 ? K_LOOP : op === 0x04 ? K_IF : K_TRY,
            this.live,
            loops,
            // The label takes no values: an empty block type, or a loop's single result (no params).
            buf[p + 1] === 0x40 || (op === 0x03 && buf[p + 1]! > 0x40 && buf[p + 1]! < 0x80),
          );
          if (op === 0x03) {
            hasLoop = true;
            loops++;
            // A checked segment (the entry, a loop header) that runs straight into this loop header,
            // with no call on the way, needs no check of its own: this header checks right after.
            const s = this.seg;
            this.loopEvent = this.live ? this.add(EV_LOOP, p, 0, 0) : -1;
            this.loopEntry = s;
            this.loopEntryKind = s >= 0 ? this.ev[s * 4]! : 0;
            let keep = false;
            if (s >= 0 && this.ev[s * 4] === EV_CHECK && !this.callSince(s)) {
              this.ev[s * 4] = s === evStart ? EV_ENTRY : EV_CHARGE;
              // The header the entry runs into keeps its check: every call of this function passes it.
              keep = s === evStart || this.ev[s * 4 + 3] === KEEP;
              if (s === evStart) entryIntoLoop = true;
            }
            // The header: reached by falling in and by every branch back to it.
            const header = graph.label[depth - 1]!;
            graph.now *= LOOP_TRIPS;
            this.next(cost, EV_CHECK, pos, this.live, header, header);
            if (keep && this.seg >= 0) this.ev[this.seg * 4 + 3] = KEEP;
            this.loopHeader = this.seg;
            this.loopFrame = depth - 1;
            this.loopAt = p;
            this.loopBody = pos;
            cost = 0;
          } else if (op === 0x04) {
            // The then-arm and the other way (else-arm, or the end) follow the condition.
            const alt = graph.alt[depth - 1]!;
            graph.splitIf(depth - 1);
            this.next(cost, EV_CHARGE, pos, this.live, alt, alt);
            cost = 0;
          } else if (op === 0x06) graph.placeable = false;
          break;
        case 0x05: // else
          if (depth === 0) r.fail('else outside if');
          graph.toElse(depth - 1);
          this.next(
            cost,
            EV_CHARGE,
            pos,
            this.ctlLive[depth - 1] === 1,
            graph.label[depth - 1]!,
            graph.alt[depth - 1]!,
          );
          graph.alt[depth - 1] = -1;
          cost = 0;
          break;
        case 0x07: // catch
        case 0x19: {
          // catch_all
          if (op === 0x07) while (buf[pos++]! & 0x80);
          const handlerLive = depth > 0 && this.ctlLive[depth - 1] === 1;
          if (this.seg >= 0) this.ev[this.seg * 4 + 2] = cost;
          this.seg = -1;
          if (handlerLive) this.add(EV_RELOAD, pos, 0, 0);
          graph.placeable = false;
          this.next(0, EV_CHARGE, pos, handlerLive, -1, -1);
          cost = 0;
          break;
        }
        case 0x08: // throw
        case 0x09: // rethrow
        case 0x0a: // throw_ref
          if (op !== 0x0a) while (buf[pos++]! & 0x80);
          if (this.seg >= 0) this.trapEnd[this.seg] = 1;
          if (this.live) this.add(EV_WRITEBACK, p, 0, 0);
          this.next(cost, EV_CHARGE, pos, false, EXIT_GROUP, -1);
          cost = 0;
          break;
        case 0x0b: {
          // end
          if (depth === 0) {
            this.add(EV_FUNC_END, p, 0, 0);
            if (this.seg >= 0) {
              this.ev[this.seg * 4 + 2] = cost;
              graph.succ[this.seg] = EXIT_GROUP;
            }
            if (this.mergeCharges) graph.place(this.ev, evStart, this.nEv, SEGMENT_KINDS);
            const credit =
              candidate && this.prepay
                ? graph.exitCredit(this.ev, evStart, this.nEv, SEGMENT_KINDS, this.trapEnd, this.shift)
                : 0;
            this.setCredit(index, credit);
            // Checks bound a run: any unbounded run passes loop headers or function entries without
            // end. A function whose every call sits inside a loop (or that makes none) reaches a
            // checked loop header, or returns, before it can call anything: from its entry it runs
            // at most its own code before the next check. Its entry only charges (no test); the
            // counter may then go below zero in it, and the next check (or the host) sees that.
            if (!callOutsideLoop) this.ev[evStart * 4] = EV_ENTRY;
            if (entryIntoLoop || this.ev[evStart * 4] === EV_CHECK) this.markChecksOnEntry(index);
            r.pos = pos;
            if (pos !== end) r.fail('a function body does not end where its size says');
            return {
              index,
              end,
              params,
              results,
              nDecl,
              declStart,
              declEnd,
              nLocals,
              firstCountEnd,
              firstCount,
              firstTypeEnd,
              evStart,
              evEnd: this.nEv,
              hasLoop,
              hasTryTable,
              hasTailIndirect,
              hasIndirect,
              hasCall,
              extraOut,
            } satisfies ScannedFunction;
          }
          depth--;
          const kind = this.ctlKind[depth]!;
          if (kind === K_LOOP) {
            loops--;
            graph.now /= LOOP_TRIPS; // falling out of the loop: once per entry
            break;
          }
          if ((kind === K_BLOCK || kind === K_TRY_TABLE) && this.ctlTargeted[depth] === 0) break;
          // The join: the end of a block a branch targets, of an if, of a try.
          const join = graph.join(depth, kind === K_IF);
          this.next(cost, EV_CHARGE, pos, this.ctlLive[depth] === 1, join, join);
          cost = 0;
          break;
        }
        case 0x0c: // br
        case 0x0d: // br_if
        case 0xd4: // br_on_null
        case 0xd6: {
          // br_on_non_null
          r.pos = pos;
          const label = r.u32();
          if (this.mark(label, depth) && this.live) this.add(EV_BR_OUT, p, 0, 0);
          pos = r.pos;
          // br_if and br_on_*: the branch target and the fall-through follow.
          const to = this.target(label, depth);
          this.checkBackEdge(label, depth);
          let nextPos = pos;
          if (label === 0 && this.seg >= 0 && this.seg === this.loopHeader && buf[pos] === 0x0b) {
            // The back edge of a loop whose body is one segment: if it is a counted loop, the segment
            // that ran into it pays for every trip, keeping the check it had, and the header neither
            // checks nor charges.
            const e = this.loopEntry;
            const counted =
              this.chargeCountedLoops && e >= 0
                ? countedLoop(
                    buf,
                    this.loopBody,
                    end,
                    this.ev[e * 4 + 1]!,
                    this.loopAt,
                    e === evStart ? params : -1,
                    moved,
                  )
                : undefined;
            if (counted?.atRunTime && counted.tail === p && this.loopEvent >= 0) {
              // Counted on entry: the header keeps its check and charge (the metered copy); the segment
              // after the loop starts after its end, so that both copies pass its charge.
              this.runTimeLoops.push(counted.atRunTime);
              const d = this.runTimeLoops.length;
              this.ev[this.loopEvent * 4 + 2] = this.seg;
              this.ev[this.loopEvent * 4 + 3] = d;
              this.add(EV_LOOP_END, pos + 1, 0, d);
              nextPos = pos + 1;
              extraOut += counted.atRunTime.bodyEnd - counted.atRunTime.bodyStart + RUN_TIME_GUARD_BYTES;
            } else if (counted && counted.tail === p) {
              this.ev[e * 4] = this.loopEntryKind;
              if (e === evStart) entryIntoLoop = false;
              this.ev[e * 4 + 2] = this.ev[e * 4 + 2]! + counted.trips * cost;
              this.ev[this.seg * 4] = EV_CHARGE;
              this.ev[this.seg * 4 + 3] = 0;
              cost = 0;
              this.stats.countedLoops++;
            }
            this.loopHeader = -1;
          }
          const taken = op === 0x0c ? graph.now : graph.now / 2;
          this.branchFreq(label, depth, loops, taken);
          const t = depth - 1 - label;
          if (
            op === 0x0d &&
            this.splitEdges &&
            this.seg >= 0 &&
            label < depth &&
            this.ctlVoid[t] === 1 &&
            (this.ctlKind[t] === K_BLOCK || this.ctlKind[t] === K_IF)
          ) {
            // The way taken, its own segment (EV_EDGE), and the way through start in a group of their own.
            const g = graph.group();
            const now = graph.now;
            graph.now = taken;
            this.next(cost, EV_EDGE, p, true, g, g);
            graph.now = now - taken;
            this.next(0, EV_CHARGE, pos, true, to, g);
            cost = 0;
            break;
          }
          graph.now -= taken;
          this.next(cost, EV_CHARGE, nextPos, op !== 0x0c && this.live, to, to);
          cost = 0;
          break;
        }
        case 0x0e: {
          // br_table
          r.pos = pos;
          const n = r.u32();
          let exits = false;
          let to = -1;
          const share = graph.now / (n + 1);
          const self = this.dispatchLoop(p, depth, n);
          let back = -1;
          for (let i = 0; i <= n; i++) {
            const label = r.u32();
            exits = this.mark(label, depth) || exits;
            this.branchFreq(label, depth, loops, share);
            let t = this.target(label, depth);
            if (label === self) {
              // To the block's end, where the way back to the header checks (EV_DISPATCH).
              if (back < 0) back = graph.group();
              t = back;
            } else this.checkBackEdge(label, depth);
            to = to < 0 ? t : graph.joinGroups(to, t);
          }
          if (exits && this.live) this.add(EV_BR_OUT, p, 0, 0);
          pos = r.pos;
          const loopGroup = self >= 0 ? graph.label[depth - 1 - self]! : -1;
          this.next(cost, EV_CHARGE, pos, false, to, -1);
          if (back >= 0) {
            const e = this.add(EV_DISPATCH, p, 0, self);
            graph.now = share;
            graph.start(e, back);
            graph.succ[e] = loopGroup;
            graph.now = 0;
            extraOut += n + 1 + 16;
          }
          if (self !== -1) {
            // The entry keeps its check: calls in the loop are reached without passing the header's.
            callOutsideLoop = true;
            if (this.loopEntry === evStart) entryIntoLoop = false;
          }
          cost = 0;
          break;
        }
        case 0x0f: // return (recorded in unreachable code too: threaded functions push the counter)
          this.add(EV_RETURN, p, 0, 0);
          this.next(cost, EV_CHARGE, pos, false, EXIT_GROUP, -1);
          cost = 0;
          break;
        case 0x10: {
          // call (recorded in unreachable code too: calls to threaded functions change the stack)
          r.pos = pos;
          const callee = r.u32();
          pos = r.pos;
          hasCall = true;
          this.callSeg[this.add(EV_CALL, p, callee, pos)] = this.live ? this.seg : -1;
          if (loops === 0) callOutsideLoop = true;
          // A loop header's segment runs whole on every iteration: note its first call.
          const seg = this.seg;
          if (seg > evStart && this.ev[seg * 4] === EV_CHECK && this.ev[seg * 4 + 3] === 0)
            this.ev[seg * 4 + 3] = callee + 1;
          break;
        }
        case 0x11: // call_indirect
        case 0x14: // call_ref
          hasCall = true;
          if (loops === 0) callOutsideLoop = true;
          // The first call of a loop header's segment is not a direct one: the header keeps its check.
          if (this.seg > evStart && this.ev[this.seg * 4] === EV_CHECK && this.ev[this.seg * 4 + 3] === 0)
            this.ev[this.seg * 4 + 3] = KEEP;
          while (buf[pos++]! & 0x80);
          if (op === 0x11) {
            while (buf[pos++]! & 0x80);
            hasIndirect = true;
          }
          if (this.live) this.add(EV_CALL, p, op === 0x11 ? -2 : -1, pos);
          break;
        case 0x12: {
          // return_call
          r.pos = pos;
          const callee = r.u32();
          pos = r.pos;
          hasCall = true;
          this.callSeg[this.add(EV_RETURN_CALL, p, callee, pos)] = this.live ? this.seg : -1;
          this.tailCalls.push(index, callee);
          if (loops === 0) callOutsideLoop = true;
          this.next(cost, EV_CHARGE, pos, false, EXIT_GROUP, -1);
          cost = 0;
          break;
        }
        case 0x13: // return_call_indirect
        case 0x15: // return_call_ref
          while (buf[pos++]! & 0x80);
          if (op === 0x13) {
            r.pos = pos;
            if (r.u32() === 0) this.readsTable0 = true;
            pos = r.pos;
          }
          hasTailIndirect = true;
          hasCall = true;
          if (loops === 0) callOutsideLoop = true;
          if (this.live) this.add(EV_WRITEBACK, p, 0, 0);
          this.next(cost, EV_CHARGE, pos, false, EXIT_GROUP, -1);
          cost = 0;
          break;
        case 0x18: // delegate
          while (buf[pos++]! & 0x80);
          if (depth === 0) r.fail('delegate outside try');
          depth--;
          graph.placeable = false;
          this.next(cost, EV_CHARGE, pos, this.ctlLive[depth] === 1, -1, -1);
          cost = 0;
          break;
        case 0x1f: {
          // try_table: its catch labels are relative to the enclosing blocks.
          r.pos = pos;
          skipBlockType(r);
          const n = r.u32();
          for (let i = 0; i < n; i++) {
            const k = r.u8();
            if (k <= 1) r.u32();
            this.mark(r.u32(), depth);
          }
          pos = r.pos;
          this.push(depth++, K_TRY_TABLE, this.live, loops);
          hasTryTable = true;
          graph.placeable = false;
          break;
        }
        case 0xfb:
          r.pos = pos;
          unmeterable(op, r.u32(), p);
          break;
        case 0x25: // table.get
          r.pos = pos;
          if (r.u32() === 0) this.readsTable0 = true;
          pos = r.pos;
          break;
        case 0x26: // table.set
          r.pos = pos;
          if (r.u32() === 0) this.writesTable0 = true;
          pos = r.pos;
          break;
        case 0xfc: {
          r.pos = pos;
          const sub = r.u32();
          if (sub === 12 || sub === 14 || sub === 15 || sub === 17) {
            // table.init elem table, table.copy dst src, table.grow table, table.fill table
            if (sub === 12) r.u32();
            if (r.u32() === 0) this.writesTable0 = true;
            if (sub === 14 && r.u32() === 0) this.readsTable0 = true;
          } else skipImm(r, prefixedImm(op, sub, p));
          pos = r.pos;
          break;
        }
        case 0xfd:
        case 0xfe:
          r.pos = pos;
          skipImm(r, prefixedImm(op, r.u32(), p));
          pos = r.pos;
          break;
        default: {
          const imm = PLAIN[op]!;
          if (imm === Imm.None) break;
          if (imm === Imm.Unknown) unmeterable(-1, op, p);
          r.pos = pos;
          skipImm(r, imm as Imm);
          pos = r.pos;
        }
      }
    }
  }

  private setCredit(index: number, q: number): void {
    this.reserveFunction(index);
    this.credit[index] = q;
  }

  private reserveFunction(index: number): void {
    if (index < this.credit.length) return;
    this.credit = grown(this.credit, index + 1);
    this.creditState = grown(this.creditState, index + 1);
    this.fixHead = grown(this.fixHead, index + 1);
  }

  /** Whether calls to `g` can be prepaid at all: only direct calls ever reach it (threaded, no twin). */
  private prepayable(g: number, threaded: Uint8Array): boolean {
    if (!this.prepay || threaded[g] !== 1) return false;
    const twinOf = this.twins?.twinOf;
    return twinOf === undefined || g >= twinOf.length || twinOf[g]! < 0;
  }

  /** What a call to `g` prepays; -1 when not known yet (one-pass: `g` is scanned later). */
  private creditOf(g: number, threaded: Uint8Array): number {
    if (!this.prepayable(g, threaded)) return 0;
    this.reserveFunction(g);
    const state = this.creditState[g]!;
    if (state & UNPAID) return 0;
    if (this.allScanned || state & SETTLED) return this.credit[g]!;
    return -1;
  }

  /** Fixes `f`'s credit as it is written, and patches the charges of the calls that waited for it. */
  private settle(f: ScannedFunction, threaded: Uint8Array, asTwin: boolean): number {
    const g = f.index;
    this.reserveFunction(g);
    const q = !asTwin && this.creditOf(g, threaded) !== 0 ? this.credit[g]! : 0;
    this.credit[g] = q;
    this.creditState[g] = this.creditState[g]! | SETTLED;
    if (q !== 0) this.stats.credited++;
    if (q !== 0) {
      for (let k = this.fixHead[g]!; k !== 0; k = this.fixNext[k]!) {
        addToPaddedCharge(this.fixWriter[k - 1]!.buf, this.fixAt[k]!, q);
      }
    }
    this.fixHead[g] = 0;
    return q;
  }

  /**
   * Before writing `f` (whose own credit is `q`): what each segment's calls prepay (`adds`), and which
   * segments wait for a callee scanned later (`pads`: written padded, patched by `settle`). A segment
   * that charges nothing cannot wait: that callee gets no credit (UNPAID), so no new charge is written.
   */
  private prepaidCalls(f: ScannedFunction, threaded: Uint8Array, q: number): void {
    const n = f.evEnd - f.evStart;
    if (this.adds.length < n) {
      this.adds = new Float64Array(Math.max(n, this.adds.length * 2));
      this.pads = new Uint8Array(this.adds.length);
    }
    const adds = this.adds;
    const pads = this.pads;
    adds.fill(0, 0, n);
    pads.fill(0, 0, n);
    const pendingCallee = this.pendingCallee;
    const pendingSeg = this.pendingSeg;
    pendingCallee.length = 0;
    pendingSeg.length = 0;
    this.pendingNext = 0;
    if (!this.prepay) return;
    const ev = this.ev;
    const callSeg = this.callSeg;
    for (let i = f.evStart; i < f.evEnd; i++) {
      const kind = ev[i * 4]!;
      if (kind !== EV_CALL && kind !== EV_RETURN_CALL) continue;
      const g = ev[i * 4 + 2]!;
      const s = callSeg[i]!;
      if (g < 0 || s < 0) continue;
      const c = this.creditOf(g, threaded);
      if (c > 0) adds[s - f.evStart] = adds[s - f.evStart]! + c;
      else if (c < 0) {
        pendingCallee.push(g);
        pendingSeg.push(s);
      }
    }
    let kept = 0;
    for (let j = 0; j < pendingSeg.length; j++) {
      const s = pendingSeg[j]!;
      const g = pendingCallee[j]!;
      if (this.chargeOf(s, f.evStart, q) === 0) {
        this.creditState[g] = this.creditState[g]! | UNPAID;
        continue;
      }
      pads[s - f.evStart] = 1;
      pendingSeg[kept] = s;
      pendingCallee[kept++] = g;
    }
    pendingSeg.length = kept;
    pendingCallee.length = kept;
  }

  /** The charge segment event `i` writes: its placed charge, what its calls prepay, its share of the function's credit `q`. */
  private chargeOf(i: number, evStart: number, q: number): number {
    return checkedCharge(this.ev[i * 4 + 2]! + this.adds[i - evStart]! + (q === 0 ? 0 : this.shift[i]! * q));
  }

  /** Writes segment `i`'s charge `c` at `o` in `w`: padded, and noted for patching, when it waits for a callee. */
  private putSegmentCharge(w: Writer, o: number, i: number, evStart: number, c: number): number {
    if (this.pads[i - evStart] === 0) return putCharge(w.buf, o, c);
    const pendingSeg = this.pendingSeg;
    while (this.pendingNext < pendingSeg.length && pendingSeg[this.pendingNext] === i) {
      const g = this.pendingCallee[this.pendingNext++]!;
      this.fixWriter.push(w);
      this.fixAt.push(o);
      this.fixNext.push(this.fixHead[g]!);
      this.fixHead[g] = this.fixAt.length - 1;
    }
    return putChargePadded(w.buf, o, c);
  }

  /** Whether a scanned function can take the counter as a parameter (more checks in fuel.ts). */
  static threadable(f: ScannedFunction): boolean {
    return !f.hasTailIndirect && !f.hasTryTable && f.params < MAX_PARAMS && f.results < MAX_RESULTS;
  }

  /**
   * Pass 2: writes the metered body (without its size) to `w`. `threaded[i]` is 1 for threaded functions;
   * `wrapperType` is the encoded block type of the body wrapper when `f` itself is threaded.
   * `asTwin`: writes the threaded twin of `f` (twins.ts), whose original index is a wrapper.
   */
  emit(
    f: ScannedFunction,
    threaded: Uint8Array,
    wrapperType: Uint8Array | undefined,
    w: Writer,
    asTwin = false,
  ): void {
    const src = this.bytes;
    const ev = this.ev;
    const isT = asTwin || threaded[f.index] === 1;
    const local = isT || (f.hasLoop && !f.hasTryTable);
    this.viaExhaust = isT && f.hasCall && this.exhaustFunc >= 0;
    const stats = this.stats;
    const twins = this.twins;
    if (asTwin) stats.twins++;
    else stats.functions++;
    if (asTwin) {
      // counted above
    } else if (isT) stats.threaded++;
    else if (local) stats.localScheme++;
    else stats.globalScheme++;
    const n = f.evEnd - f.evStart;
    const credit = this.settle(f, threaded, asTwin);
    this.prepaidCalls(f, threaded, credit);
    const evStart = f.evStart;
    // Every event writes at most 56 bytes (the longest, a check that tests the counter before its
    // charge, 50 with five-byte indices and charge; a call_indirect through the twins, about 40).
    w.reserve(
      32 + (f.declEnd - f.declStart) + (wrapperType?.length ?? 0) + (f.end - f.declEnd) + n * 56 + f.extraOut,
    );
    const out = w.buf;
    let o = w.pos;
    const F = this.fuelGlobal;
    // The counter: the new parameter (threaded), or a new local after all others.
    const L = isT ? f.params : f.nLocals;
    // call_indirect to the twins takes the counter before the table index: an i32 scratch
    // local holds the index meanwhile (index nLocals + 1, after the counter or the moved first local).
    const S = twins !== undefined && f.hasIndirect && !indirectWithoutScratch(f) ? f.nLocals + 1 : -1;
    const scratch = S >= 0 ? 1 : 0;
    // Locals.
    if (isT) {
      // The first declared local moves to the end (index nLocals); the counter parameter takes its place.
      if (f.nDecl === 0) {
        out[o++] = scratch;
      } else {
        const dropGroup = f.firstCount === 1;
        o = putLeb(out, o, f.nDecl + (dropGroup ? 0 : 1) + scratch);
        if (!dropGroup) {
          o = putLeb(out, o, f.firstCount - 1);
          for (let k = f.firstCountEnd; k < f.firstTypeEnd; k++) out[o++] = src[k]!;
        }
        out.set(src.subarray(f.firstTypeEnd, f.declEnd), o);
        o += f.declEnd - f.firstTypeEnd;
        out[o++] = 1;
        for (let k = f.firstCountEnd; k < f.firstTypeEnd; k++) out[o++] = src[k]!;
      }
      if (scratch) {
        out[o++] = 1;
        out[o++] = 0x7f;
      }
      out[o++] = 0x02; // block: every way out of the body passes its end, then pushes the counter
      out.set(wrapperType!, o);
      o += wrapperType!.length;
    } else {
      // The originals plus one i64 (the counter copy, or a scratch for the entry check).
      o = putLeb(out, o, f.nDecl + 1 + scratch);
      out.set(src.subarray(f.declStart, f.declEnd), o);
      o += f.declEnd - f.declStart;
      out[o++] = 1;
      out[o++] = 0x7e;
      if (scratch) {
        out[o++] = 1;
        out[o++] = 0x7f;
      }
    }
    let copied = f.declEnd;
    let charges = 0;
    const checksOnEntry = this.checksOnEntry;
    for (let i = f.evStart; i < f.evEnd; i++) {
      let kind = ev[i * 4]!;
      if (kind === EV_CHECK && i !== f.evStart && this.deferChecks) {
        // A loop header whose segment (run whole on every iteration) first calls a function that
        // checks on entry: every iteration passes the callee's check, so this one only charges.
        const b = ev[i * 4 + 3]!;
        if (b > 0 && b <= checksOnEntry.length && checksOnEntry[b - 1] === 1) kind = EV_CHARGE;
      }
      const pos = ev[i * 4 + 1]!;
      if (pos > copied) {
        const len = pos - copied;
        if (len < 16) for (let k = copied; k < pos; k++) out[o++] = src[k]!;
        else {
          out.set(src.subarray(copied, pos), o);
          o += len;
        }
        copied = pos;
      }
      switch (kind) {
        case EV_CHECK:
          charges++;
          o = this.putCheck(w, o, i, evStart, credit, local, isT, L, F);
          break;
        case EV_ENTRY: {
          // The entry's charge without the check: [global.get F | local.get L] i64.const c i64.sub
          // [local.set L | global.set F].
          const c = this.chargeOf(i, evStart, credit);
          const fromGlobal = !isT;
          const toLocal = local;
          if (c === 0 && fromGlobal === !toLocal) break;
          charges++;
          out[o++] = fromGlobal ? 0x23 : 0x20;
          o = putLeb(out, o, fromGlobal ? F : L);
          if (c !== 0) o = this.putSegmentCharge(w, o, i, evStart, c);
          out[o++] = toLocal ? 0x21 : 0x24;
          o = putLeb(out, o, toLocal ? L : F);
          break;
        }
        case EV_CHARGE: {
          const c = this.chargeOf(i, evStart, credit);
          if (c === 0) break;
          charges++;
          o = this.putChargeOp(w, o, i, evStart, c, local ? L : -1, F);
          break;
        }
        case EV_DISPATCH: {
          // block (type [i32] -> []) br_table(the loop's label -> 0, others + 1) end, check, br loop.
          const self = ev[i * 4 + 3]!;
          const er = new Reader(src, pos + 1, f.end);
          const n = er.u32();
          out[o++] = 0x02;
          o = putLeb(out, o, this.dispatchType, 0x40);
          out[o++] = 0x0e;
          o = putLeb(out, o, n);
          for (let k = 0; k <= n; k++) {
            const label = er.u32();
            o = putLeb(out, o, label === self ? 0 : label + 1);
          }
          out[o++] = 0x0b;
          charges++;
          o = this.putCheck(w, o, i, evStart, credit, local, isT, L, F);
          out[o++] = 0x0c;
          o = putLeb(out, o, self);
          copied = er.pos;
          break;
        }
        case EV_EDGE: {
          // br_if L, or when the way taken charges: if (charge) br L+1 end.
          const c = this.chargeOf(i, evStart, credit);
          if (c === 0) break;
          charges++;
          const er = new Reader(src, pos + 1, f.end);
          const label = er.u32();
          out[o++] = 0x04;
          out[o++] = 0x40;
          o = this.putChargeOp(w, o, i, evStart, c, local ? L : -1, F);
          out[o++] = 0x0c;
          o = putLeb(out, o, label + 1);
          out[o++] = 0x0b;
          copied = er.pos;
          break;
        }
        case EV_GLOBAL:
          out[o++] = src[pos]!;
          o = putLeb(out, o, ev[i * 4 + 2]!);
          copied = ev[i * 4 + 3]!;
          break;
        case EV_LOCAL:
          if (isT) {
            out[o++] = src[pos]!;
            o = putLeb(out, o, f.nLocals);
            copied = ev[i * 4 + 3]!;
          }
          break;
        case EV_CALL: {
          let callee = ev[i * 4 + 2]!;
          const callEnd = ev[i * 4 + 3]!;
          // Direct calls to a function with a twin call the twin; call_indirect on table 0 goes through
          // the twins (twins.ts) with the threaded type.
          let rewrite = false;
          let indirectType = -1;
          if (twins !== undefined) {
            if (callee >= 0 && twins.twinOf[callee]! >= 0) {
              callee = twins.twinOf[callee]!;
              rewrite = true;
            } else if (callee === -2 && S >= 0) {
              const cr = new Reader(src, pos + 1, callEnd);
              const type = cr.u32();
              if (cr.u32() === 0) {
                indirectType = twins.typeOf.get(type)!;
                rewrite = true;
              }
            }
          }
          const toThreaded = indirectType >= 0 || (callee >= 0 && threaded[callee] === 1);
          if (indirectType >= 0) {
            // Pass the counter as the last argument, under the table index.
            out[o++] = 0x21;
            o = putLeb(out, o, S);
            out[o++] = local ? 0x20 : 0x23;
            o = putLeb(out, o, local ? L : F);
            out[o++] = 0x20;
            o = putLeb(out, o, S);
          } else if (toThreaded) {
            // Pass the counter as the last argument.
            out[o++] = local ? 0x20 : 0x23;
            o = putLeb(out, o, local ? L : F);
          } else if (local) {
            o = writeBack(out, o, L, F);
          }
          if (!rewrite) {
            // Immediates written in their shortest form: compilers leave them padded to 5 bytes (for the
            // linker), and V8's feedback-driven inlining (dynamic tiering) budgets by size in bytes (fib
            // on V8 14: one level more, 1.22x -> 1.07x with prepaid returns).
            out[o++] = src[pos]!;
            if (callee >= 0) o = putLeb(out, o, callee);
            else if (src[pos] === 0x11) {
              const cr = new Reader(src, pos + 1, callEnd);
              o = putLeb(out, o, cr.u32());
              o = putLeb(out, o, cr.u32());
            } else for (let k = pos + 1; k < callEnd; k++) out[o++] = src[k]!;
          } else if (indirectType >= 0) {
            out[o++] = 0x11;
            o = putLeb(out, o, indirectType);
            o = putLeb(out, o, twins!.table2);
          } else {
            out[o++] = 0x10;
            o = putLeb(out, o, callee);
          }
          copied = callEnd;
          if (toThreaded) {
            // Take the counter back from the last result.
            out[o++] = local ? 0x21 : 0x24;
            o = putLeb(out, o, local ? L : F);
          } else if (local) {
            o = reload(out, o, F, L);
          }
          break;
        }
        case EV_RETURN:
        case EV_RETURN_CALL:
          if (isT) {
            // return: the counter is the last result; return_call: the last argument (of a threaded callee).
            out[o++] = 0x20;
            o = putLeb(out, o, L);
            const callee = ev[i * 4 + 2]!;
            if (
              kind === EV_RETURN_CALL &&
              twins !== undefined &&
              threaded[callee] !== 1 &&
              twins.twinOf[callee]! >= 0
            ) {
              out[o++] = 0x12;
              o = putLeb(out, o, twins.twinOf[callee]!);
              copied = ev[i * 4 + 3]!;
            }
            break;
          }
          if (local) {
            o = writeBack(out, o, L, F);
          }
          break;
        case EV_FUNC_END:
          if (isT) {
            out[o++] = 0x0b; // end of the wrapper block
            out[o++] = 0x20;
            o = putLeb(out, o, L);
            break;
          }
          if (local) {
            o = writeBack(out, o, L, F);
          }
          break;
        case EV_BR_OUT:
          // Threaded functions: the branch goes to the wrapper block's end, which pushes the counter.
          if (local && !isT) {
            o = writeBack(out, o, L, F);
          }
          break;
        case EV_WRITEBACK:
          if (local) {
            o = writeBack(out, o, L, F);
          }
          break;
        case EV_RELOAD:
          if (local) {
            o = reload(out, o, F, L);
          }
          break;
        case EV_LOOP: {
          const d = ev[i * 4 + 3]!;
          if (d === 0 || !local) break;
          // The header's charge is what the metered copy takes on each trip.
          const c = this.chargeOf(ev[i * 4 + 2]!, evStart, credit);
          o = putRunTimeCount(out, o, src, this.runTimeLoops[d - 1]!, c, L, F);
          if (!asTwin) stats.countedLoops++;
          break;
        }
        case EV_LOOP_END:
          if (ev[i * 4 + 3] !== 0 && local) out[o++] = 0x0b;
          break;
      }
    }
    out.set(src.subarray(copied, f.end), o);
    o += f.end - copied;
    w.pos = o;
    stats.charges += charges;
  }

  /**
   * Writes segment `i`'s charge `c` at `o`: `local.get L | global.get F, i64.const c, i64.sub,
   * local.set L | global.set F` (L < 0: the global).
   */
  private putChargeOp(
    w: Writer,
    o: number,
    i: number,
    evStart: number,
    c: number,
    L: number,
    F: number,
  ): number {
    const out = w.buf;
    out[o++] = L >= 0 ? 0x20 : 0x23;
    o = putLeb(out, o, L >= 0 ? L : F);
    o = this.putSegmentCharge(w, o, i, evStart, c);
    out[o++] = L >= 0 ? 0x21 : 0x24;
    return putLeb(out, o, L >= 0 ? L : F);
  }

  /**
   * Writes segment `i`'s check (and charge) at `o`: out of fuel, the function stops (see the header).
   */
  private putCheck(
    w: Writer,
    o: number,
    i: number,
    evStart: number,
    credit: number,
    local: boolean,
    isT: boolean,
    L: number,
    F: number,
  ): number {
    const out = w.buf;
    if (local) {
      const entryLoad = i === evStart && !isT;
      const c = this.chargeOf(i, evStart, credit);
      out[o++] = entryLoad ? 0x23 : 0x20;
      o = putLeb(out, o, entryLoad ? F : L);
      if (c > 0 && this.pads[i - evStart] === 0) {
        // [global.get F local.tee L | local.get L] i64.const c i64.lt_s
        // if i64.const -1 global.set F unreachable end local.get L i64.const c i64.sub local.set L
        // The test is on the counter before the charge (the same condition as L - c < 0), so
        // the branch does not wait for the subtraction: V8 14 runs fib's call-heavy loop about
        // 5 % faster this way (V8 11: fib unchanged). On exhaustion the global only has to be
        // negative (runtime.ts counts all of the budget used).
        if (entryLoad) {
          out[o++] = 0x22;
          o = putLeb(out, o, L);
        }
        o = putCharge(out, o, c);
        out[o - 1] = 0x53; // i64.lt_s in place of putCharge's i64.sub
        out.set(OUT_OF_FUEL_HEAD, o);
        o = this.putStop(out, o + OUT_OF_FUEL_HEAD.length, F);
        out[o++] = 0x00;
        out[o++] = 0x0b;
        out[o++] = 0x20;
        o = putLeb(out, o, L);
        o = putCharge(out, o, c);
        out[o++] = 0x21;
        return putLeb(out, o, L);
      }
      // No charge, a refund, or a charge that waits for a callee's credit (padded, patched later):
      // [global.get F | local.get L] i64.const c i64.sub local.tee L i64.const 0 i64.lt_s
      // if local.get L global.set F unreachable end
      if (c !== 0) o = this.putSegmentCharge(w, o, i, evStart, c);
      if (c !== 0 || entryLoad) {
        out[o++] = 0x22;
        o = putLeb(out, o, L);
      }
      out.set(IF_NEGATIVE, o);
      o += IF_NEGATIVE.length;
      out[o++] = 0x20;
      o = this.putStop(out, putLeb(out, o, L), F);
      out[o++] = 0x00;
      out[o++] = 0x0b;
    } else {
      // global.get F i64.const c i64.sub local.tee L global.set F local.get L i64.const 0 i64.lt_s
      // if unreachable end
      const c = this.chargeOf(i, evStart, credit);
      out[o++] = 0x23;
      o = putLeb(out, o, F);
      if (c !== 0) {
        o = this.putSegmentCharge(w, o, i, evStart, c);
        out[o++] = 0x22;
        o = putLeb(out, o, L);
        out[o++] = 0x24;
        o = putLeb(out, o, F);
        out[o++] = 0x20;
        o = putLeb(out, o, L);
      }
      out.set(IF_NEGATIVE, o);
      o += IF_NEGATIVE.length;
      out[o++] = 0x00;
      out[o++] = 0x0b;
    }
    return o;
  }

  /** `global.set F`, or `call exhaustFunc` (which sets it) in a function that stops through it. */
  private putStop(out: Uint8Array, o: number, F: number): number {
    out[o++] = this.viaExhaust ? 0x10 : 0x24;
    return putLeb(out, o, this.viaExhaust ? this.exhaustFunc : F);
  }

  /** Drops the recorded events (after the code section is written). */
  reset(): void {
    this.nEv = 0;
    this.runTimeLoops.length = 0;
    this.tailCalls.length = 0;
  }
}

/**
 * A body with call_indirect but no room for the scratch local that passes the counter under the table
 * index: its calls through table 0 stay as they are, on the originals' types.
 */
export function indirectWithoutScratch(f: ScannedFunction): boolean {
  return f.hasIndirect && f.nLocals + 2 > MAX_FUNCTION_LOCALS;
}

/**
 * Writes a non-negative v as LEB128 at out[o] and returns the position after it. `limit` 0x80 gives the
 * unsigned encoding; 0x40 the signed one (a non-negative value whose top bit is set needs one more byte).
 */
export function putLeb(out: Uint8Array, o: number, v: number, limit = 0x80): number {
  while (v >= limit) {
    out[o++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[o++] = v;
  return o;
}

/** `i64.const |c|` then `i64.sub` (a charge) or, for c < 0, `i64.add` (a refund: potentials.ts). */
function putCharge(out: Uint8Array, o: number, c: number): number {
  out[o++] = 0x42;
  o = putLeb(out, o, c < 0 ? -c : c, 0x40);
  out[o++] = c < 0 ? 0x7c : 0x7d;
  return o;
}

/**
 * The guard of a loop counted on entry (counted-loops.ts), then its uncharged copy, opening the
 * blocks that EV_LOOP_END closes after the metered copy:
 *
 *   block                                  ;; closed by EV_LOOP_END
 *     block                                ;; the metered copy follows its end
 *       s <s 1 -> br_if 0; K + s >u 2^32 -> br_if 0; i + s >u 2^32 - 1 -> br_if 0
 *       L -= (K >u i + s ? (K - i + s - 1) / s : 1) * c; L < 0 -> out of fuel
 *       loop <the body as it is> end
 *       br 1
 *     end
 *
 * (i, s, K as u32 in i64.) The count is the do-while's exactly: no value wraps around on the way.
 */
function putRunTimeCount(
  out: Uint8Array,
  o: number,
  src: Uint8Array,
  d: RunTimeCount,
  c: number,
  L: number,
  F: number,
): number {
  const copy = (from: number, to: number) => {
    for (let k = from; k < to; k++) out[o++] = src[k]!;
  };
  const step32 = () => copy(d.stepAt, d.stepEnd);
  const step64 = () => {
    step32();
    out[o++] = 0xad; // i64.extend_i32_u
  };
  const bound64 = () => {
    copy(d.boundAt, d.boundEnd);
    out[o++] = 0xad;
  };
  const local64 = () => {
    out[o++] = 0x20;
    o = putLeb(out, o, d.local);
    out[o++] = 0xad;
  };
  const bytes = (...b: number[]) => {
    for (const x of b) out[o++] = x;
  };
  bytes(0x02, 0x40, 0x02, 0x40);
  // The step is at least 1, as a signed value.
  step32();
  bytes(0x41, 0x01, 0x48, 0x0d, 0x00);
  // K + s <= 2^32.
  bound64();
  step64();
  bytes(0x7c, 0x42, 0x80, 0x80, 0x80, 0x80, 0x10, 0x56, 0x0d, 0x00);
  // i + s <= 2^32 - 1.
  local64();
  step64();
  bytes(0x7c, 0x42, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x56, 0x0d, 0x00);
  // The counter less the count times the charge per trip.
  out[o++] = 0x20;
  o = putLeb(out, o, L);
  bound64();
  local64();
  step64();
  bytes(0x7c, 0x56, 0x04, 0x7e); // i64.add i64.gt_u if (result i64)
  bound64();
  local64();
  out[o++] = 0x7d;
  step64();
  bytes(0x7c, 0x42, 0x01, 0x7d);
  step64();
  bytes(0x80, 0x05, 0x42, 0x01, 0x0b); // i64.div_u else i64.const 1 end
  out[o++] = 0x42;
  o = putLeb(out, o, c, 0x40);
  out[o++] = 0x7e; // i64.mul
  out[o++] = 0x7d; // i64.sub
  out[o++] = 0x22;
  o = putLeb(out, o, L);
  bytes(0x42, 0x00, 0x53, 0x04, 0x40, 0x42, 0x7f, 0x24);
  o = putLeb(out, o, F);
  bytes(0x00, 0x0b);
  // The copy, then on to the end of the outer block.
  bytes(0x03, 0x40);
  copy(d.bodyStart, d.bodyEnd);
  bytes(0x0b, 0x0c, 0x01, 0x0b);
  return o;
}

/** Charges stay below this (putLeb works on 32 bits; a padded i64.const holds it in 5 bytes). */
const CHARGE_LIMIT = 2 ** 31;

function checkedCharge(c: number): number {
  if (c >= CHARGE_LIMIT || c <= -CHARGE_LIMIT) {
    throw new ModuleError(
      'unmeterable',
      'cannot meter this module: a stretch of straight-line code makes too many calls to count',
    );
  }
  return c;
}

/** putCharge with the constant's LEB128 padded to 5 bytes, so that `addToPaddedCharge` can change it. */
function putChargePadded(out: Uint8Array, o: number, c: number): number {
  out[o] = 0x42;
  writePaddedCharge(out, o, c);
  return o + 7;
}

function writePaddedCharge(out: Uint8Array, at: number, c: number): void {
  let m = checkedCharge(c) < 0 ? -c : c;
  for (let k = 1; k < 5; k++) {
    out[at + k] = (m % 128) | 0x80;
    m = Math.floor(m / 128);
  }
  out[at + 5] = m;
  out[at + 6] = c < 0 ? 0x7c : 0x7d;
}

/** Adds q to the padded charge at `at` (i64.const, 5 bytes, i64.sub or i64.add). */
function addToPaddedCharge(out: Uint8Array, at: number, q: number): void {
  let m = 0;
  for (let k = 4; k >= 0; k--) m = m * 128 + (out[at + 1 + k]! & 0x7f);
  writePaddedCharge(out, at, (out[at + 6] === 0x7c ? -m : m) + q);
}

/** `i64.const 0; i64.lt_s; if`: a check's test of the counter left on the stack, after its charge. */
const IF_NEGATIVE = Uint8Array.of(0x42, 0x00, 0x53, 0x04, 0x40);

/** `if; i64.const -1`: the start of a check's way out when the counter is short (`putStop` follows). */
const OUT_OF_FUEL_HEAD = Uint8Array.of(0x04, 0x40, 0x42, 0x7f);

/** `local.get L; global.set F`: the function's copy of the counter written back to the global. */
function writeBack(out: Uint8Array, o: number, L: number, F: number): number {
  out[o++] = 0x20;
  o = putLeb(out, o, L);
  out[o++] = 0x24;
  return putLeb(out, o, F);
}

/** `global.get F; local.set L`: the function's copy of the counter reloaded from the global. */
function reload(out: Uint8Array, o: number, F: number, L: number): number {
  out[o++] = 0x23;
  o = putLeb(out, o, F);
  out[o++] = 0x21;
  return putLeb(out, o, L);
}
