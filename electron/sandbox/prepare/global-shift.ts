// Global indices outside code: element segments and the name section (see fuel.ts for the rest).

import { Reader, Writer } from './bytes.js';
import { copyConstExpr } from './const-expr.js';
import { skipValType } from './opcodes.js';
import type { Section } from './sections.js';

export function rewriteElements(r: Reader, w: Writer, fuel: number): void {
  const source = r.buf;
  const n = r.u32();
  w.u32(n);
  for (let i = 0; i < n; i++) {
    let s = r.pos;
    const flags = r.u32();
    if (flags > 7) r.fail(`unknown element segment kind ${flags}`);
    if (flags === 2 || flags === 6) r.u32(); // table index
    w.bytes(source, s, r.pos);
    if ((flags & 1) === 0) copyConstExpr(r, w, fuel); // active: offset
    s = r.pos;
    if (flags & 3) {
      if (flags & 4) skipValType(r);
      else r.u8(); // elemkind
    }
    const count = r.u32();
    w.bytes(source, s, r.pos);
    if (flags & 4) {
      for (let j = 0; j < count; j++) copyConstExpr(r, w, fuel);
    } else {
      s = r.pos;
      for (let j = 0; j < count; j++) r.u32();
      w.bytes(source, s, r.pos);
    }
  }
}

/** Rewrites the "name" section's global names (subsection 7) to the shifted indices; undefined drops it. */
export function rewriteNameSection(
  source: Uint8Array,
  sec: Section,
  fuel: number,
  dropLocalNames: boolean,
): Writer | undefined {
  try {
    const r = new Reader(source, sec.start, sec.end);
    r.name();
    const w = new Writer(sec.end - sec.start + 16);
    w.bytes(source, sec.start, r.pos);
    const sub = new Writer(256);
    while (!r.eof()) {
      const id = r.u8();
      const size = r.u32();
      const s = r.pos;
      r.skip(size);
      // Threaded functions renumber their locals: drop local names rather than show wrong ones.
      if (id === 2 && dropLocalNames) continue;
      if (id !== 7) {
        w.u8(id);
        w.u32(size);
        w.bytes(source, s, s + size);
        continue;
      }
      const sr = new Reader(source, s, s + size);
      sub.pos = 0;
      const n = sr.u32();
      sub.u32(n);
      for (let i = 0; i < n; i++) {
        const idx = sr.u32();
        sub.u32(idx >= fuel ? idx + 1 : idx);
        const ns = sr.pos;
        sr.skip(sr.u32());
        sub.bytes(source, ns, sr.pos);
      }
      w.sized(7, sub);
    }
    return w;
  } catch {
    return undefined;
  }
}
