// Generated modules of a chosen size for the preparation-complexity checks (item 5 of the hardening
// issue): each shape stresses one part of the rewrite (the choice of threaded functions across tail
// calls, twins, control nesting, branch tables, many small functions). Written straight as binary, so
// that making a 16x module costs nothing next to preparing it.

const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
};
const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const str = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];

/** Pushes `items` into `out` without spreading (a spread of a million numbers overflows the stack). */
function append(out: number[], items: ArrayLike<number>): void {
  for (let i = 0; i < items.length; i++) out.push(items[i]!);
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  append(out, uleb(body.length));
  append(out, body);
}

function vec(items: number[][]): number[] {
  const out = uleb(items.length);
  for (const it of items) append(out, it);
  return out;
}

interface Func {
  type: number;
  /** Locals groups as [count, valtype]. */
  locals?: [number, number][];
  /** Code without the final `end`. */
  code: number[];
}

interface Spec {
  funcs: Func[];
  /** Function indices (0 = first defined function; no imports) exported by these names. */
  exports: [string, number][];
  /** Table 0 elements (from offset 0). */
  table?: number[];
}

// Types: 0 = (i32) -> (i32), 1 = () -> ()
const TYPES = [
  [0x60, 1, 0x7f, 1, 0x7f],
  [0x60, 0, 0],
];

function encode(spec: Spec): Uint8Array {
  const out: number[] = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  section(out, 1, vec(TYPES));
  section(out, 3, vec(spec.funcs.map((f) => uleb(f.type))));
  if (spec.table) section(out, 4, vec([[0x70, 0, ...uleb(spec.table.length)]]));
  section(out, 5, vec([[0, 1]])); // memory 1
  section(
    out,
    7,
    vec([[...str('memory'), 2, 0], ...spec.exports.map(([name, f]) => [...str(name), 0, ...uleb(f)])]),
  );
  if (spec.table) {
    const seg: number[] = [0, 0x41, 0, 0x0b];
    append(seg, uleb(spec.table.length));
    for (const f of spec.table) append(seg, uleb(f));
    section(out, 9, [1, ...seg]);
  }
  const code: number[] = [];
  append(code, uleb(spec.funcs.length));
  for (const f of spec.funcs) {
    const body: number[] = [];
    append(body, vec((f.locals ?? []).map(([n, t]) => [...uleb(n), t])));
    append(body, f.code);
    body.push(0x0b);
    append(code, uleb(body.length));
    append(code, body);
  }
  section(out, 10, code);
  return new Uint8Array(out);
}

const START_CALLING_0: Func = { type: 1, code: [0x41, 0, 0x10, 0, 0x1a] }; // i32.const 0; call 0; drop

/** The shapes, each a function of the scale (about `n` functions or nesting levels). */
export const SHAPES: Record<string, (n: number) => Uint8Array> = {
  // The attack: each function tail-calls the next, and the last is exported (so it cannot be
  // threaded, and neither can anything that tail-calls it, one by one back to the first).
  'tail-call chain ending in an export': (n) => {
    const funcs: Func[] = [];
    for (let i = 0; i < n - 1; i++) funcs.push({ type: 0, code: [0x20, 0, 0x12, ...uleb(i + 1)] });
    funcs.push({ type: 0, code: [0x20, 0] });
    funcs.push(START_CALLING_0);
    return encode({
      funcs,
      exports: [
        ['last', n - 1],
        ['_start', n],
      ],
    });
  },
  // The same, exported at the start and chained backwards.
  'tail-call chain from an export, backwards': (n) => {
    const funcs: Func[] = [{ type: 0, code: [0x20, 0] }];
    for (let i = 1; i < n; i++) funcs.push({ type: 0, code: [0x20, 0, 0x12, ...uleb(i - 1)] });
    funcs.push({ type: 1, code: [0x41, 0, 0x10, ...uleb(n - 1), 0x1a] });
    return encode({
      funcs,
      exports: [
        ['first', n - 1],
        ['_start', n],
      ],
    });
  },
  // Every function in table 0 (twins), tail-calling the next, the last through return_call_indirect.
  'tail-calling table functions with return_call_indirect': (n) => {
    const funcs: Func[] = [];
    for (let i = 0; i < n - 1; i++) funcs.push({ type: 0, code: [0x20, 0, 0x12, ...uleb(i + 1)] });
    funcs.push({ type: 0, code: [0x20, 0, 0x41, 0, 0x13, 0, 0] });
    funcs.push(START_CALLING_0);
    return encode({ funcs, exports: [['_start', n]], table: funcs.slice(0, n).map((_, i) => i) });
  },
  // Table functions calling each other through call_indirect, with loops (twins + parallel table).
  'table functions with loops and call_indirect': (n) => {
    const funcs: Func[] = [];
    for (let i = 0; i < n; i++)
      funcs.push({
        type: 0,
        locals: [[1, 0x7f]],
        code: [
          0x03,
          0x40,
          0x20,
          1,
          0x41,
          1,
          0x6a,
          0x22,
          1,
          0x41,
          3,
          0x49,
          0x0d,
          0,
          0x0b, // loop i++ while < 3
          0x20,
          0,
          0x41,
          ...sleb((i + 1) % n),
          0x11,
          0,
          0, // call_indirect (type 0) slot i+1
        ],
      });
    funcs.push(START_CALLING_0);
    return encode({ funcs, exports: [['_start', n]], table: funcs.slice(0, n).map((_, i) => i) });
  },
  // Many small internal functions, each calling the next (threaded).
  'many functions calling the next': (n) => {
    const funcs: Func[] = [];
    for (let i = 0; i < n - 1; i++)
      funcs.push({ type: 0, code: [0x20, 0, 0x41, 1, 0x6a, 0x10, ...uleb(i + 1)] });
    funcs.push({ type: 0, code: [0x20, 0] });
    funcs.push(START_CALLING_0);
    return encode({ funcs, exports: [['_start', n]] });
  },
  // One function nested n deep (blocks, loops and ifs), with a branch out of every level.
  'deep nesting': (n) => {
    const code: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = i % 3;
      if (k === 0) code.push(0x02, 0x40);
      else if (k === 1) code.push(0x03, 0x40);
      else code.push(0x20, 0, 0x04, 0x40);
      code.push(0x20, 0, 0x0d, ...uleb(i)); // br_if to the outermost level
    }
    for (let i = 0; i < n; i++) code.push(0x0b);
    code.push(0x20, 0);
    return encode({ funcs: [{ type: 0, code }, START_CALLING_0], exports: [['_start', 1]] });
  },
  // One br_table with n targets inside n nested blocks.
  'big br_table': (n) => {
    const code: number[] = [];
    for (let i = 0; i < n; i++) code.push(0x02, 0x40);
    code.push(0x20, 0, 0x0e, ...uleb(n));
    for (let i = 0; i < n; i++) append(code, uleb(i));
    code.push(0);
    for (let i = 0; i < n; i++) code.push(0x0b, 0x20, 0, 0x41, 1, 0x6a, 0x21, 0);
    code.push(0x20, 0);
    return encode({ funcs: [{ type: 0, code }, START_CALLING_0], exports: [['_start', 1]] });
  },
  // One function of n if/else in a row, each a join point, inside a loop.
  'long function of ifs and loops': (n) => {
    const code: number[] = [0x03, 0x40];
    for (let i = 0; i < n; i++)
      code.push(
        0x20,
        0,
        0x04,
        0x40,
        0x20,
        0,
        0x41,
        1,
        0x6a,
        0x21,
        0,
        0x05,
        0x20,
        0,
        0x41,
        1,
        0x6b,
        0x21,
        0,
        0x0b,
      );
    code.push(0x20, 0, 0x0d, 0, 0x0b, 0x20, 0);
    return encode({ funcs: [{ type: 0, code }, START_CALLING_0], exports: [['_start', 1]] });
  },
};
