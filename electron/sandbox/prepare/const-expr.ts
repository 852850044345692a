// Copying constant expressions (global initialisers, segment offsets, element items) with global indices shifted.

import type { Reader, Writer } from './bytes.js';
import { Imm, PLAIN, prefixedImm, skipImm, unmeterable } from './opcodes.js';

/** Copies one constant expression up to and including its `end`, adding 1 to global indices >= `firstShifted`. */
export function copyConstExpr(r: Reader, w: Writer, firstShifted: number): void {
  const buf = r.buf;
  for (;;) {
    const start = r.pos;
    const op = r.u8();
    if (op === 0x0b) {
      w.u8(op);
      return;
    }
    if (op === 0x23) {
      const idx = r.u32();
      w.u8(op);
      w.u32(idx >= firstShifted ? idx + 1 : idx);
      continue;
    }
    let imm: Imm;
    if (op >= 0xfb && op <= 0xfe) {
      if (op === 0xfb) unmeterable(op, r.u32(), start);
      imm = prefixedImm(op, r.u32(), start);
    } else {
      imm = PLAIN[op] as Imm;
      if (imm === Imm.Unknown) unmeterable(-1, op, start);
    }
    skipImm(r, imm);
    w.bytes(buf, start, r.pos);
  }
}
