// Global indices outside code: element segments and the name section (see fuel.ts for the rest).

import { Reader, Writer } from './bytes.js';
import { copyConstExpr } from './const-expr.js';
import { skipValType } from './opcodes.js';
import type { Section } from './sections.js';

/**
 * Copies the element segments with global indices shifted; `extra` more segments will follow. With
 * `table0`, the functions of table 0's active segments are replaced by their entry in it (their twins,
 * twins.ts) where it is >= 0.
 */
export function rewriteElements(r: Reader, w: Writer, fuel: number, extra = 0, table0?: Int32Array): void {
  const source = r.buf;
  const n = r.u32();
  w.u32(n + extra);
  const mapped = (f: number) => {
    const twin = table0![f] ?? -1;
    return twin >= 0 ? twin : f;
  };
  for (let i = 0; i < n; i++) {
    let s = r.pos;
    const flags = r.u32();
    if (flags > 7) r.fail(`unknown element segment kind ${flags}`);
    const table = flags === 2 || flags === 6 ? r.u32() : 0;
    w.bytes(source, s, r.pos);
    if ((flags & 1) === 0) copyConstExpr(r, w, fuel); // active: offset
    const map = table0 !== undefined && (flags & 1) === 0 && table === 0;
    s = r.pos;
    if (flags & 3) {
      if (flags & 4) skipValType(r);
      else r.u8(); // elemkind
    }
    const count = r.u32();
    w.bytes(source, s, r.pos);
    if (flags & 4) {
      for (let j = 0; j < count; j++) {
        if (map && source[r.pos] === 0xd2) {
          r.u8();
          w.u8(0xd2);
          w.u32(mapped(r.u32()));
          if (r.u8() !== 0x0b) r.fail('an element expression of table 0 is not a lone ref.func');
          w.u8(0x0b);
        } else copyConstExpr(r, w, fuel);
      }
    } else if (map) {
      for (let j = 0; j < count; j++) w.u32(mapped(r.u32()));
    } else {
      s = r.pos;
      for (let j = 0; j < count; j++) r.u32();
      w.bytes(source, s, r.pos);
    }
  }
}

/**
 * Rewrites the "name" section's global names (subsection 7) to the shifted indices, and names each
 * twin (twins.ts: function `twins[k]` has twin `firstTwin + k`) like its original; undefined drops it.
 */
export function rewriteNameSection(
  source: Uint8Array,
  sec: Section,
  fuel: number,
  dropLocalNames: boolean,
  twins: number[] = [],
  firstTwin = 0,
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
      if (id === 1 && twins.length > 0) {
        const sr = new Reader(source, s, s + size);
        const n = sr.u32();
        const names = new Map<number, [number, number]>();
        for (let i = 0; i < n; i++) {
          const idx = sr.u32();
          const ns = sr.pos;
          sr.skip(sr.u32());
          names.set(idx, [ns, sr.pos]);
        }
        sub.pos = 0;
        let added = 0;
        for (let k = 0; k < twins.length; k++) {
          const name = names.get(twins[k]!);
          if (!name) continue;
          sub.u32(firstTwin + k);
          sub.bytes(source, name[0], name[1]);
          added++;
        }
        // The twins' indices are above every other function's: their names go last, in order.
        w.u8(1);
        const body = new Writer(size + sub.pos + 8);
        body.u32(n + added);
        const first = new Reader(source, s, s + size);
        first.u32();
        body.bytes(source, first.pos, s + size);
        body.bytes(sub.buf, 0, sub.pos);
        w.u32(body.pos);
        w.bytes(body.buf, 0, body.pos);
        continue;
      }
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
