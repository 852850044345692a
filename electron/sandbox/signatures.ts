// Checks the signatures of a module's `fledge` imports before linking. V8 links a JS function to an
// import of any signature (Wasmtime refuses a mismatch), so without this check a module that
// declares send(i64) would run with BigInt pointers; instead it is refused at load, as by the CLI.

const I32 = 0x7f;

/** Allowed (params, results) per fledge import; several result shapes where real plugins differ. */
const EXPECTED: Record<string, { params: number[]; results: number[][] }> = {
  // The seed's Rust example declares send(ptr, len) -> i32; the reference table says no result.
  send: { params: [I32, I32], results: [[], [I32]] },
  recv: { params: [I32, I32], results: [[I32]] },
  exit: { params: [I32], results: [[]] },
  exec: { params: [I32, I32], results: [[I32]] },
  store_set: { params: [I32, I32], results: [[], [I32]] },
  store_get: { params: [I32, I32], results: [[I32]] },
  metadata: { params: [I32, I32], results: [[I32]] },
};

const VALTYPE_NAMES: Record<number, string> = {
  127: 'i32',
  126: 'i64',
  125: 'f32',
  124: 'f64',
  123: 'v128',
  112: 'funcref',
  111: 'externref',
};

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}
  u8(): number {
    if (this.pos >= this.end) throw new Error('unexpected end of section');
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error('bad LEB128');
    }
  }
  skip(n: number): void {
    this.pos += n;
    if (this.pos > this.end) throw new Error('unexpected end of section');
  }
  name(): string {
    const len = this.u32();
    const start = this.pos;
    this.skip(len);
    return new TextDecoder().decode(this.bytes.subarray(start, start + len));
  }
  valtype(): number {
    const t = this.u8();
    // (ref null? ht) in the typed function references proposal: skip the heap type.
    if (t === 0x63 || t === 0x64) this.s33();
    return t;
  }
  s33(): void {
    for (;;) if ((this.u8() & 0x80) === 0) return;
  }
  limits(): void {
    const flags = this.u8();
    this.u32();
    if (flags & 1) this.u32();
  }
}

interface FuncType {
  params: number[];
  results: number[];
}

function typeText(t: FuncType): string {
  const names = (xs: number[]) => xs.map((x) => VALTYPE_NAMES[x] ?? `0x${x.toString(16)}`).join(', ');
  return `(${names(t.params)}) -> (${names(t.results)})`;
}

/**
 * Problems with the signatures of the module's fledge imports, in plain words (empty: all fine).
 * Modules this cannot parse are left to V8, which reports them precisely.
 */
export function checkFledgeSignatures(bytes: Uint8Array): string[] {
  try {
    return check(bytes);
  } catch {
    return [];
  }
}

function check(bytes: Uint8Array): string[] {
  const types: (FuncType | null)[] = [];
  const problems: string[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const head = new Reader(bytes, pos, bytes.length);
    const id = head.u8();
    const size = head.u32();
    const start = head.pos;
    const end = start + size;
    const r = new Reader(bytes, start, end);
    if (id === 1) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const form = r.u8();
        if (form !== 0x60) {
          // GC proposal forms (rec groups, sub types): not something a fledge plugin needs; let V8 decide.
          return problems;
        }
        const params: number[] = [];
        const results: number[] = [];
        for (let k = r.u32(); k > 0; k--) params.push(r.valtype());
        for (let k = r.u32(); k > 0; k--) results.push(r.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const module = r.name();
        const name = r.name();
        const kind = r.u8();
        if (kind === 0) {
          const index = r.u32();
          const expected = module === 'fledge' ? EXPECTED[name] : undefined;
          const actual = types[index];
          if (expected && actual) {
            const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, j) => x === b[j]);
            if (
              !same(actual.params, expected.params) ||
              !expected.results.some((res) => same(actual.results, res))
            )
              problems.push(
                `fledge.${name} is imported as ${typeText(actual)} but must be ${typeText({ params: expected.params, results: expected.results[0]! })}`,
              );
          }
        } else if (kind === 1) {
          r.valtype();
          r.limits();
        } else if (kind === 2) {
          r.limits();
        } else if (kind === 3) {
          r.valtype();
          r.u8();
        } else if (kind === 4) {
          r.u8();
          r.u32();
        } else return problems;
      }
      return problems;
    }
    pos = end;
  }
  return problems;
}
