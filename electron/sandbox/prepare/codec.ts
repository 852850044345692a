// A full decoder and encoder: module -> sections -> function bodies -> instructions with their immediates,
// and back. Preparation itself streams over the bytes (meter.ts); this is the structured view, used
// to check that the instruction table knows every instruction (a decode/encode round trip must give
// a module that validates and behaves the same) and for tools and tests.

import { Reader, Writer } from './bytes.js';
import { Imm, PLAIN, prefixedImm, skipBlockType, skipValType, unmeterable } from './opcodes.js';
import { SEC_CODE, splitSections } from './sections.js';
import { checkHeader } from './validate.js';

/** One instruction. `op` is the opcode byte, or (prefix << 16 | sub-opcode) for 0xFC/0xFD/0xFE. */
export interface Instr {
  op: number;
  /**
   * Immediates in encoding order: numbers for indices, lanes and 32-bit constants, bigint for i64.const,
   * raw bytes for floats, v128 and types (block types, value types, heap types), arrays for br_table labels
   * and try_table catches ([kind, tag?, label] each).
   */
  imm: (number | bigint | Uint8Array | number[])[];
}

export interface FunctionBody {
  /** Local declarations: [count, raw value type bytes]. */
  locals: [number, Uint8Array][];
  code: Instr[];
}

export interface DecodedModule {
  /** Every section in order; for the code section, `functions` holds the decoded bodies. */
  sections: { id: number; payload: Uint8Array }[];
  functions: FunctionBody[];
}

function rawOf(r: Reader, skip: (r: Reader) => void): Uint8Array {
  const s = r.pos;
  skip(r);
  return r.buf.slice(s, r.pos);
}

function decodeMemArg(r: Reader, imm: Instr['imm']): void {
  const align = r.u32();
  imm.push(align);
  if (align & 0x40) imm.push(r.u32());
  imm.push(rawOf(r, (x) => x.skipLeb())); // offset (u32 or u64), kept raw
}

/** Decodes the instructions of one body (after its locals) up to and including the final end. */
export function decodeInstructions(r: Reader): Instr[] {
  const out: Instr[] = [];
  let depth = 0;
  for (;;) {
    const p = r.pos;
    let op = r.u8();
    let kind: Imm;
    if (op >= 0xfb && op <= 0xfe) {
      const sub = r.u32();
      if (op === 0xfb) unmeterable(op, sub, p);
      kind = prefixedImm(op, sub, p);
      op = (op << 16) | sub;
    } else {
      kind = PLAIN[op] as Imm;
      if (kind === Imm.Unknown) unmeterable(-1, op, p);
    }
    const imm: Instr['imm'] = [];
    switch (kind) {
      case Imm.None:
        break;
      case Imm.U32:
      case Imm.Lane:
      case Imm.Byte:
        imm.push(kind === Imm.U32 ? r.u32() : r.u8());
        break;
      case Imm.U32x2:
        imm.push(r.u32(), r.u32());
        break;
      case Imm.BlockType:
        imm.push(rawOf(r, skipBlockType));
        break;
      case Imm.BrTable: {
        const n = r.u32();
        const labels: number[] = [];
        for (let i = 0; i < n; i++) labels.push(r.u32());
        imm.push(labels, r.u32());
        break;
      }
      case Imm.MemArg:
        decodeMemArg(r, imm);
        break;
      case Imm.MemArgLane:
        decodeMemArg(r, imm);
        imm.push(r.u8());
        break;
      case Imm.I32:
        imm.push(r.s32());
        break;
      case Imm.I64:
        imm.push(r.s64());
        break;
      case Imm.F32:
        imm.push(r.bytes(4).slice());
        break;
      case Imm.F64:
        imm.push(r.bytes(8).slice());
        break;
      case Imm.V128:
        imm.push(r.bytes(16).slice());
        break;
      case Imm.SelectT: {
        const n = r.u32();
        imm.push(n);
        imm.push(
          rawOf(r, (x) => {
            for (let i = 0; i < n; i++) skipValType(x);
          }),
        );
        break;
      }
      case Imm.HeapType:
        imm.push(rawOf(r, (x) => x.s33()));
        break;
      case Imm.TryTable: {
        imm.push(rawOf(r, skipBlockType));
        const n = r.u32();
        const catches: number[] = [];
        for (let i = 0; i < n; i++) {
          const k = r.u8();
          catches.push(k);
          if (k <= 1) catches.push(r.u32());
          catches.push(r.u32());
        }
        imm.push(catches);
        break;
      }
      default:
        r.fail('unknown immediate layout');
    }
    out.push({ op, imm });
    if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06 || op === 0x1f) depth++;
    else if (op === 0x18) depth--;
    else if (op === 0x0b) {
      if (depth === 0) return out;
      depth--;
    }
  }
}

export function encodeInstructions(code: Instr[], w: Writer): void {
  for (const ins of code) {
    let kind: Imm;
    if (ins.op > 0xff) {
      const prefix = ins.op >>> 16;
      const sub = ins.op & 0xffff;
      w.u8(prefix);
      w.u32(sub);
      kind = prefixedImm(prefix, sub, -1);
    } else {
      w.u8(ins.op);
      kind = PLAIN[ins.op] as Imm;
    }
    const imm = ins.imm;
    switch (kind) {
      case Imm.MemArg:
      case Imm.MemArgLane: {
        const align = imm[0] as number;
        w.u32(align);
        let i = 1;
        if (align & 0x40) w.u32(imm[i++] as number);
        w.bytes(imm[i++] as Uint8Array);
        if (kind === Imm.MemArgLane) w.u8(imm[i] as number);
        break;
      }
      case Imm.Lane:
      case Imm.Byte:
        w.u8(imm[0] as number);
        break;
      case Imm.I32:
        w.sNum(imm[0] as number);
        break;
      case Imm.I64:
        w.s64(imm[0] as bigint);
        break;
      case Imm.BrTable: {
        const labels = imm[0] as number[];
        w.u32(labels.length);
        for (const l of labels) w.u32(l);
        w.u32(imm[1] as number);
        break;
      }
      case Imm.SelectT:
        w.u32(imm[0] as number);
        w.bytes(imm[1] as Uint8Array);
        break;
      case Imm.TryTable: {
        w.bytes(imm[0] as Uint8Array);
        const c = imm[1] as number[];
        let n = 0;
        for (let i = 0; i < c.length; i += c[i]! <= 1 ? 3 : 2) n++;
        w.u32(n);
        for (const v of c) w.u32(v);
        break;
      }
      default:
        for (const v of imm) {
          if (v instanceof Uint8Array) w.bytes(v);
          else w.u32(v as number);
        }
    }
  }
}

/** Decodes a module (its header checked) into sections and decoded function bodies. */
export function decodeModule(bytes: Uint8Array): DecodedModule {
  checkHeader(bytes);
  const sections: DecodedModule['sections'] = [];
  const functions: FunctionBody[] = [];
  for (const s of splitSections(bytes)) {
    sections.push({ id: s.id, payload: bytes.subarray(s.start, s.end) });
    if (s.id !== SEC_CODE) continue;
    const r = new Reader(bytes, s.start, s.end);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const size = r.u32();
      const end = r.pos + size;
      const br = new Reader(bytes, r.pos, end);
      const nDecl = br.u32();
      const locals: FunctionBody['locals'] = [];
      for (let j = 0; j < nDecl; j++) locals.push([br.u32(), rawOf(br, skipValType)]);
      const code = decodeInstructions(br);
      if (br.pos !== end) br.fail('bytes after the end of a function body');
      functions.push({ locals, code });
      r.pos = end;
    }
  }
  return { sections, functions };
}

/** Encodes a decoded module; the code section is re-encoded from `functions`. */
export function encodeModule(m: DecodedModule): Uint8Array {
  const out = new Writer(1024);
  out.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  const sec = new Writer(1024);
  const body = new Writer(256);
  for (const s of m.sections) {
    if (s.id !== SEC_CODE) {
      out.u8(s.id);
      out.u32(s.payload.length);
      out.bytes(s.payload);
      continue;
    }
    sec.pos = 0;
    sec.u32(m.functions.length);
    for (const f of m.functions) {
      body.pos = 0;
      body.u32(f.locals.length);
      for (const [count, type] of f.locals) {
        body.u32(count);
        body.bytes(type);
      }
      encodeInstructions(f.code, body);
      sec.sized(-1, body);
    }
    out.sized(SEC_CODE, sec);
  }
  return out.result();
}
