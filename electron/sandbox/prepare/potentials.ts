// Moving segment charges where they cost the least, keeping fuel exact (meter.ts).
//
// Each straight-line segment i of a function runs with a static cost c[i], charged on entry. The
// segments that can follow i (its successors) share one "group"; segments reached from the same
// place are in the same group (union-find in segment-graph.ts). Give every group g a potential p[g] (the
// charges still owed when control reaches it) and charge segment i
//
//     x[i] = c[i] + p[H(i)] - p[S(i)]        (H: the group of i, S: the group of its successors)
//
// instead of c[i]. Along any path the charges telescope: a run through the function from its entry to
// a way out charges exactly the sum of c over the segments it ran, as long as p is 0 at the entry and
// at every way out (one group, EXIT). Around any cycle (a loop) they charge the cycle's true cost, so
// every loop still pays for each iteration, and its checks still bound the run.
//
// A segment whose potentials differ by exactly its cost charges nothing. Choosing which ones is a
// maximum spanning forest over the groups (Knuth's placement of counters on the edges of a spanning
// tree's complement, 1973): segments are edges from H to S, weighted by how often they likely run
// (segment-graph.ts guesses it), taken greedily heaviest first when they join two trees (Kruskal). Potentials are
// kept at or above 0: the counter may lag the true count (charges owed, paid later on the path) but
// never run ahead of it, so a run whose budget is exactly what it needs still ends normally, and a
// run stops no earlier than before. A tree edge that would need a negative potential is skipped.

/** The group of every function entry and way out (its potential is 0). */
export const EXIT_GROUP = 0;

/**
 * The most a function may owe at any point (the highest potential). Owed charges are paid further on
 * the path, after the calls in between: with a frame on the stack each owing at most this, a run can
 * go past its budget by at most this times the depth of its stack before a check sees it.
 */
export const MAX_OWED = 1000;

/** Scratch arrays, grown as needed and reused: one function is placed at a time. */
let parent = new Int32Array(256);
let off = new Float64Array(256);
let low = new Float64Array(256);
let high = new Float64Array(256);
let rank = new Uint8Array(256);
let hasExit = new Uint8Array(256);
let path = new Int32Array(256);
let keys = new Float64Array(256);

/** Segment indices below this pack into a sort key with their weight's level. */
const INDEX_BITS = 2 ** 23;

/**
 * New charges for `n` segments. `head[i]` / `succ[i]`: group ids (0 .. groups-1) of segment i and of
 * its successors; `cost[i]`: its static cost; `weight[i]`: how hot it likely is (higher first).
 * Writes x[0..n) (x[i] may be negative, a refund), which sums to the costs along every path.
 */
export function placeCharges(
  n: number,
  head: Int32Array,
  succ: Int32Array,
  cost: Int32Array,
  weight: Float64Array,
  groups: number,
  x: Int32Array = new Int32Array(n),
): Int32Array {
  // Union-find over groups with potential offsets: pot(x) = off[root] + the offsets on x's path,
  // off[x] relative to its parent (absolute for a root). low/high[root]: the lowest and highest
  // potential in the tree, relative to the root's. hasExit[root]: the tree holds EXIT, pinned at 0.
  if (parent.length < groups) {
    const size = Math.max(groups, parent.length * 2);
    parent = new Int32Array(size);
    off = new Float64Array(size);
    low = new Float64Array(size);
    high = new Float64Array(size);
    rank = new Uint8Array(size);
    hasExit = new Uint8Array(size);
    path = new Int32Array(size);
  }
  for (let g = 0; g < groups; g++) parent[g] = g;
  off.fill(0, 0, groups);
  low.fill(0, 0, groups);
  high.fill(0, 0, groups);
  rank.fill(0, 0, groups);
  hasExit.fill(0, 0, groups);
  hasExit[EXIT_GROUP] = 1;

  /** Root of v, compressing the path so each node's offset becomes relative to the root. */
  const find = (v: number): number => {
    let r = v;
    let depth = 0;
    while (parent[r] !== r) {
      path[depth++] = r;
      r = parent[r]!;
    }
    // Walk back from the node nearest the root: its offset is already relative to the root.
    let acc = 0;
    for (let k = depth - 1; k >= 0; k--) {
      const y = path[k]!;
      acc += off[y]!;
      off[y] = acc;
      parent[y] = r;
    }
    return r;
  };
  const pot = (v: number, r: number): number => (v === r ? off[r]! : off[v]! + off[r]!);

  // Heaviest first; among equals, the earlier segment first. Weights sort by a level (1/8 of a
  // doubling) packed with the index, so the sort is numeric.
  if (keys.length < n) keys = new Float64Array(Math.max(n, keys.length * 2));
  const order = keys.subarray(0, n);
  if (n < INDEX_BITS) {
    for (let i = 0; i < n; i++) {
      const w = weight[i]!;
      const level = w > 0 ? Math.max(-1000, Math.min(1000, Math.round(Math.log2(w) * 8))) : -1001;
      order[i] = (1001 - level) * INDEX_BITS + i;
    }
    order.sort();
    for (let i = 0; i < n; i++) order[i] = order[i]! % INDEX_BITS;
  } else {
    const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => weight[b]! - weight[a]! || a - b);
    for (let i = 0; i < n; i++) order[i] = sorted[i]!;
  }

  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const h = head[i]!;
    const s = succ[i]!;
    if (h === s) continue;
    const a = find(h);
    const b = find(s);
    if (a === b) continue;
    const ph = pot(h, a);
    const ps = pot(s, b);
    // Shift the tree without EXIT so that p[s] = p[h] + c[i].
    let shiftA = 0;
    let shiftB = 0;
    if (hasExit[b]) shiftA = ps - cost[i]! - ph;
    else shiftB = ph + cost[i]! - ps;
    const lowA = off[a]! + low[a]! + shiftA;
    const lowB = off[b]! + low[b]! + shiftB;
    let lowAll = Math.min(lowA, lowB);
    let highAll = Math.max(off[a]! + high[a]! + shiftA, off[b]! + high[b]! + shiftB);
    let lift = 0;
    if (lowAll < 0) {
      if (hasExit[a] || hasExit[b]) continue; // would need a negative potential
      lift = -lowAll; // neither is pinned: raise both
      lowAll = 0;
      highAll += lift;
    }
    if (highAll > MAX_OWED) continue; // would owe too much at once
    off[a] = off[a]! + shiftA + lift;
    off[b] = off[b]! + shiftB + lift;
    // Attach the lower-ranked root under the other; offsets become relative to the new root.
    let top = a;
    let under = b;
    if (rank[a]! < rank[b]!) {
      top = b;
      under = a;
    } else if (rank[a] === rank[b]) rank[a] = rank[a]! + 1;
    off[under] = off[under]! - off[top]!;
    parent[under] = top;
    low[top] = lowAll - off[top]!;
    high[top] = highAll - off[top]!;
    hasExit[top] = hasExit[a]! | hasExit[b]!;
  }

  for (let i = 0; i < n; i++) {
    const h = head[i]!;
    const s = succ[i]!;
    x[i] = cost[i]! + pot(h, find(h)) - pot(s, find(s));
  }
  return x;
}
