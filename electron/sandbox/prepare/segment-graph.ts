// The control flow of one function body as the meter scans it (meter.ts), for placing its charges
// (potentials.ts): which segments follow which, and how often each likely runs.
//
// Segments that can follow one segment form a group (union-find): the targets of a br_table, a
// branch target and its fall-through, an if's two ways. Each control frame has the group of its label
// (a loop's header, a block's or if's end) and an if the group of its other way (its else, or its end
// when it has none: -1 once used). EXIT_GROUP is the function's entry and every way out.
//
// How often: a static guess per run of the function (Ball and Larus's kind): a loop header
// LOOP_TRIPS times its entry, each way of a branch an equal share, a join the sum of what reaches
// it, a branch out of k loops 1/LOOP_TRIPS^k of the frequency it leaves (a loop is left once per
// entry).

import { grown } from './bytes.js';
import { EXIT_GROUP, placeCharges } from './potentials.js';

/**
 * How many times a loop is guessed to run per entry. Low, as search loops that leave by a branch
 * mostly run a few times: with 8, a tree-walking interpreter's variable lookup paid its charge before
 * its loop instead of on the rare way out past the end, and the interpreter ran 2-3 % slower
 * (test/bench/wasmtime).
 */
export const LOOP_TRIPS = 2;

export class SegmentGraph {
  /** Per event (segments only): its group, its successors' group (-1: not known yet), its frequency. */
  head = new Int32Array(1 << 12);
  succ = new Int32Array(1 << 12);
  freq = new Float64Array(1 << 12);
  /** Per control frame: its label's group, an if's other way, the loops around it, what its label received, an if's other way's frequency. */
  label = new Int32Array(256);
  alt = new Int32Array(256);
  private loops = new Int32Array(256);
  private joinFreq = new Float64Array(256);
  private altFreq = new Float64Array(256);
  /** How often the current point runs. */
  now = 1;
  /** False when some segment's successors are not known (exception handling): charges stay put. */
  placeable = true;
  private groupOf = new Int32Array(1 << 10);
  /** exitCredit's scratch, per group: on the way out; blocked from joining it (2) or free to (1). */
  private onWayOut = new Uint8Array(256);
  private blocked = new Uint8Array(256);
  private groups = 1;
  private scratch = {
    idx: new Int32Array(0),
    head: new Int32Array(0),
    succ: new Int32Array(0),
    cost: new Int32Array(0),
    weight: new Float64Array(0),
    x: new Int32Array(0),
    dense: new Int32Array(0),
  };

  /** Before each function: no groups but EXIT_GROUP, the entry running once. */
  reset(): void {
    this.groups = 1;
    this.groupOf[EXIT_GROUP] = EXIT_GROUP;
    this.placeable = true;
    this.now = 1;
  }

  /** Room for event index `i`. */
  reserveEvent(i: number): void {
    if (i < this.head.length) return;
    this.head = grown(this.head, i + 1);
    this.succ = grown(this.succ, i + 1);
    this.freq = grown(this.freq, i + 1);
  }

  /** Segment `ev` starts in group `head` (-1: not known), running `now` times. */
  start(ev: number, head: number): void {
    this.head[ev] = head;
    this.succ[ev] = -1;
    this.freq[ev] = this.now;
    if (head < 0) this.placeable = false;
  }

  /** A frame opens at `depth` with `loops` loops around it; `isIf`: it has another way. */
  open(depth: number, isIf: boolean, loops: number): void {
    if (depth >= this.label.length) {
      this.label = grown(this.label, depth + 1);
      this.alt = grown(this.alt, depth + 1);
      this.loops = grown(this.loops, depth + 1);
      this.joinFreq = grown(this.joinFreq, depth + 1);
      this.altFreq = grown(this.altFreq, depth + 1);
    }
    this.label[depth] = this.group();
    this.alt[depth] = isIf ? this.group() : -1;
    this.loops[depth] = loops;
    this.joinFreq[depth] = 0;
    this.altFreq[depth] = 0;
  }

  /** An if at frame `frame`: half the frequency takes each way. */
  splitIf(frame: number): void {
    this.now /= 2;
    this.altFreq[frame] = this.now;
  }

  /** Its else: the then-arm's frequency goes to the end, the else-arm runs the other half. */
  toElse(frame: number): void {
    this.joinFreq[frame] = this.joinFreq[frame]! + this.now;
    this.now = this.altFreq[frame]!;
    this.altFreq[frame] = 0;
  }

  /** The end of frame `frame` that is a join (a targeted block, an if): what reaches it runs. */
  join(frame: number, isIf: boolean): number {
    const j = this.label[frame]!;
    if (isIf && this.alt[frame]! >= 0) this.joinGroups(this.alt[frame]!, j);
    this.now += this.joinFreq[frame]! + this.altFreq[frame]!;
    return j;
  }

  /** A branch from inside `loops` loops to frame `frame` (not a loop) takes `share` of `now`. */
  branchTo(frame: number, loops: number, share: number): void {
    this.joinFreq[frame] = this.joinFreq[frame]! + share / LOOP_TRIPS ** (loops - this.loops[frame]!);
  }

  /** A new group (its own set). */
  group(): number {
    const g = this.groups++;
    if (g >= this.groupOf.length) this.groupOf = grown(this.groupOf, g + 1);
    this.groupOf[g] = g;
    return g;
  }

  private find(g: number): number {
    const p = this.groupOf;
    let r = g;
    while (p[r] !== r) r = p[r]!;
    while (p[g] !== r) {
      const up = p[g]!;
      p[g] = r;
      g = up;
    }
    return r;
  }

  /** Puts groups a and b together (successors of one segment); returns the joined group. */
  joinGroups(a: number, b: number): number {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return ra;
    // Keep EXIT_GROUP (0) the root of its set: the smaller index wins.
    if (ra < rb) {
      this.groupOf[rb] = ra;
      return ra;
    }
    this.groupOf[ra] = rb;
    return rb;
  }

  /**
   * Moves the charges (ev[i * 4 + 2]) of the segments among events [evStart, evEnd) whose kind is in
   * `segmentKinds` (a bit per kind): the same fuel along every path, fewer charges on the hot ones.
   * Leaves them as they are when some segment's successors are not known.
   */
  place(ev: Int32Array, evStart: number, evEnd: number, segmentKinds: number): void {
    if (!this.placeable) return;
    let n = 0;
    for (let i = evStart; i < evEnd; i++) if ((segmentKinds >> ev[i * 4]!) & 1) n++;
    if (n < 2) return;
    const p = this.scratch;
    if (p.idx.length < n) {
      p.idx = grown(p.idx, n);
      p.head = grown(p.head, n);
      p.succ = grown(p.succ, n);
      p.cost = grown(p.cost, n);
      p.weight = grown(p.weight, n);
      p.x = grown(p.x, n);
    }
    if (p.dense.length < this.groups) p.dense = grown(p.dense, this.groups);
    // Dense group ids, EXIT_GROUP first (its set's root is EXIT_GROUP: joinGroups keeps the lower).
    const dense = p.dense;
    dense.fill(-1, 0, this.groups);
    dense[EXIT_GROUP] = EXIT_GROUP;
    let groups = 1;
    let j = 0;
    for (let i = evStart; i < evEnd; i++) {
      if (!((segmentKinds >> ev[i * 4]!) & 1)) continue;
      const hs = this.head[i]!;
      const ss = this.succ[i]!;
      if (ss < 0 || hs < 0) return;
      const h = this.find(hs);
      const s = this.find(ss);
      if (dense[h]! < 0) dense[h] = groups++;
      if (dense[s]! < 0) dense[s] = groups++;
      p.idx[j] = i;
      p.head[j] = dense[h]!;
      p.succ[j] = dense[s]!;
      p.cost[j] = ev[i * 4 + 2]!;
      p.weight[j] = this.freq[i]!;
      j++;
    }
    const x = placeCharges(n, p.head, p.succ, p.cost, p.weight, groups, p.x);
    for (let k = 0; k < n; k++) ev[p.idx[k]! * 4 + 2] = x[k]!;
  }

  /**
   * How much of a function's charges its callers can pay at the call (meter.ts, "prepaid returns"),
   * after `place`. The function then returns owing q: the groups on the way out (EXIT_GROUP, and
   * those whose every segment runs free of charge into one already on the way out, such as the empty
   * join after an if/else at the end) have potential q, the others (and the entry) keep theirs. So a
   * segment that crosses onto the way out charges q less (`shift[i]` -1), one that starts on it and
   * leaves it (after a branch that may also return) q more (+1), the others the same (0), for each
   * segment among events [evStart, evEnd). q is the least charge of a crossing segment (one of them
   * then charges nothing); 0 when no segment crosses, when any charge is below zero (so the counter
   * never runs ahead of what a run that ends normally uses), or when the successors are not all
   * known. Segments that end in a trap or throw (`trapEnd`) never return: they keep their charge.
   */
  exitCredit(
    ev: Int32Array,
    evStart: number,
    evEnd: number,
    segmentKinds: number,
    trapEnd: Uint8Array,
    shift: Int8Array,
  ): number {
    if (!this.placeable) return 0;
    const groups = this.groups;
    if (this.onWayOut.length < groups) {
      this.onWayOut = new Uint8Array(Math.max(groups, this.onWayOut.length * 2));
      this.blocked = new Uint8Array(this.onWayOut.length);
    }
    const out = this.onWayOut;
    const blocked = this.blocked;
    out.fill(0, 0, groups);
    out[EXIT_GROUP] = 1;
    for (let i = evStart; i < evEnd; i++) {
      if (!((segmentKinds >> ev[i * 4]!) & 1)) continue;
      if (this.head[i]! < 0 || this.succ[i]! < 0 || ev[i * 4 + 2]! < 0) return 0;
    }
    // Groups join the way out while every segment from them runs free into it (a few rounds: the
    // empty joins at the end of nested ifs).
    for (let round = 0; round < 8; round++) {
      blocked.fill(0, 0, groups);
      for (let i = evStart + 1; i < evEnd; i++) {
        if (!((segmentKinds >> ev[i * 4]!) & 1)) continue;
        const h = this.find(this.head[i]!);
        if (out[h] === 1 || trapEnd[i] === 1) continue;
        blocked[h] = ev[i * 4 + 2] !== 0 || out[this.find(this.succ[i]!)] !== 1 ? 2 : blocked[h] || 1;
      }
      let joined = false;
      for (let g = 0; g < groups; g++) {
        if (blocked[g] === 1) {
          out[g] = 1;
          joined = true;
        }
      }
      if (!joined) break;
    }
    let q = Number.POSITIVE_INFINITY;
    for (let i = evStart; i < evEnd; i++) {
      if (!((segmentKinds >> ev[i * 4]!) & 1)) continue;
      const from = i === evStart ? 0 : out[this.find(this.head[i]!)]!;
      const to = trapEnd[i] === 1 ? from : out[this.find(this.succ[i]!)]!;
      shift[i] = from - to;
      if (shift[i] === -1 && ev[i * 4 + 2]! < q) q = ev[i * 4 + 2]!;
    }
    return q === Number.POSITIVE_INFINITY ? 0 : q;
  }
}
