// The instruction set V8 runs (Node 20 and later): which immediates each opcode carries, and its fuel cost.
// One table drives the decoder, the encoder and the fuel scanner, so they cannot disagree.

import type { Reader } from './bytes.js';
import { hex, ModuleError } from './errors.js';

/** Immediate layouts. */
export enum Imm {
  None = 0,
  /** One u32 (index, label, memory index). */
  U32 = 1,
  /** Two u32s (call_indirect type+table, memory.copy, table.copy, memory.init, table.init). */
  U32x2 = 2,
  BlockType = 3,
  BrTable = 4,
  MemArg = 5,
  MemArgLane = 6,
  I32 = 7,
  I64 = 8,
  F32 = 9,
  F64 = 10,
  /** 16 raw bytes (v128.const, i8x16.shuffle). */
  V128 = 11,
  /** One lane-index byte. */
  Lane = 12,
  /** select with a vector of value types. */
  SelectT = 13,
  HeapType = 14,
  TryTable = 15,
  /** One raw byte (atomic.fence). */
  Byte = 16,
  Unknown = 255,
}

export const PREFIX_GC = 0xfb;
export const PREFIX_MISC = 0xfc;
export const PREFIX_SIMD = 0xfd;
export const PREFIX_ATOMIC = 0xfe;

function table(size: number, fill: Imm): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

/** Immediates of one-byte opcodes. */
export const PLAIN = table(256, Imm.Unknown);
/** 0xFC (saturating truncation, bulk memory, tables). */
export const MISC = table(18, Imm.Unknown);
/** 0xFD (SIMD, relaxed SIMD). */
export const SIMD = table(0x114, Imm.Unknown);
/** 0xFE (threads). */
export const ATOMIC = table(0x4f, Imm.Unknown);

function set(t: Uint8Array, from: number, to: number, imm: Imm): void {
  for (let i = from; i <= to; i++) t[i] = imm;
}

// Control.
set(PLAIN, 0x00, 0x01, Imm.None); // unreachable nop
set(PLAIN, 0x02, 0x04, Imm.BlockType); // block loop if
PLAIN[0x05] = Imm.None; // else
PLAIN[0x06] = Imm.BlockType; // try (legacy exceptions)
PLAIN[0x07] = Imm.U32; // catch tag
PLAIN[0x08] = Imm.U32; // throw tag
PLAIN[0x09] = Imm.U32; // rethrow label
PLAIN[0x0a] = Imm.None; // throw_ref
PLAIN[0x0b] = Imm.None; // end
PLAIN[0x0c] = Imm.U32; // br
PLAIN[0x0d] = Imm.U32; // br_if
PLAIN[0x0e] = Imm.BrTable;
PLAIN[0x0f] = Imm.None; // return
PLAIN[0x10] = Imm.U32; // call
PLAIN[0x11] = Imm.U32x2; // call_indirect
PLAIN[0x12] = Imm.U32; // return_call
PLAIN[0x13] = Imm.U32x2; // return_call_indirect
PLAIN[0x14] = Imm.U32; // call_ref
PLAIN[0x15] = Imm.U32; // return_call_ref
PLAIN[0x18] = Imm.U32; // delegate
PLAIN[0x19] = Imm.None; // catch_all
PLAIN[0x1a] = Imm.None; // drop
PLAIN[0x1b] = Imm.None; // select
PLAIN[0x1c] = Imm.SelectT;
PLAIN[0x1f] = Imm.TryTable;
// Variables and tables.
set(PLAIN, 0x20, 0x26, Imm.U32);
// Memory.
set(PLAIN, 0x28, 0x3e, Imm.MemArg);
set(PLAIN, 0x3f, 0x40, Imm.U32); // memory.size memory.grow
PLAIN[0x41] = Imm.I32;
PLAIN[0x42] = Imm.I64;
PLAIN[0x43] = Imm.F32;
PLAIN[0x44] = Imm.F64;
// Numeric (MVP 0x45-0xbf, sign extension 0xc0-0xc4).
set(PLAIN, 0x45, 0xc4, Imm.None);
// Reference types and typed function references.
PLAIN[0xd0] = Imm.HeapType; // ref.null
PLAIN[0xd1] = Imm.None; // ref.is_null
PLAIN[0xd2] = Imm.U32; // ref.func
PLAIN[0xd3] = Imm.None; // ref.as_non_null
PLAIN[0xd4] = Imm.U32; // br_on_null
PLAIN[0xd5] = Imm.None; // ref.eq
PLAIN[0xd6] = Imm.U32; // br_on_non_null

// 0xFC.
set(MISC, 0, 7, Imm.None); // trunc_sat
MISC[8] = Imm.U32x2; // memory.init data mem
MISC[9] = Imm.U32; // data.drop
MISC[10] = Imm.U32x2; // memory.copy
MISC[11] = Imm.U32; // memory.fill
MISC[12] = Imm.U32x2; // table.init elem table
MISC[13] = Imm.U32; // elem.drop
MISC[14] = Imm.U32x2; // table.copy
set(MISC, 15, 17, Imm.U32); // table.grow table.size table.fill

// 0xFD.
set(SIMD, 0x00, 0x0b, Imm.MemArg); // loads, splats, v128.store
SIMD[0x0c] = Imm.V128; // v128.const
SIMD[0x0d] = Imm.V128; // i8x16.shuffle
set(SIMD, 0x0e, 0x14, Imm.None); // swizzle, splats
set(SIMD, 0x15, 0x22, Imm.Lane); // extract/replace lane
set(SIMD, 0x23, 0x53, Imm.None);
set(SIMD, 0x54, 0x5b, Imm.MemArgLane); // load/store lane
set(SIMD, 0x5c, 0x5d, Imm.MemArg); // load32_zero load64_zero
set(SIMD, 0x5e, 0x113, Imm.None); // arithmetic, conversions, relaxed SIMD (0x100-0x113)
for (const unassigned of [
  0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4,
  0xe2, 0xee,
]) {
  SIMD[unassigned] = Imm.Unknown;
}

// 0xFE.
set(ATOMIC, 0x00, 0x02, Imm.MemArg); // notify wait32 wait64
ATOMIC[0x03] = Imm.Byte; // atomic.fence
set(ATOMIC, 0x10, 0x4e, Imm.MemArg);

/** Fuel cost of one-byte opcodes, as Wasmtime charges: structure, nop and drop are free, the rest costs 1. */
export const PLAIN_COST = new Uint8Array(256).fill(1);
for (const free of [0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x0b, 0x0f, 0x18, 0x19, 0x1a, 0x1f]) {
  PLAIN_COST[free] = 0;
}

/** Human name of an opcode, for messages. */
export function opcodeName(prefix: number, sub: number): string {
  return prefix < 0 ? `opcode ${hex(sub)}` : `opcode ${hex(prefix)} ${hex(sub)}`;
}

export function unmeterable(prefix: number, sub: number, offset: number): never {
  const what =
    prefix === PREFIX_GC
      ? ' (garbage-collection instructions are not supported)'
      : ' (an instruction this version does not know)';
  throw new ModuleError(
    'unmeterable',
    `cannot meter this module: it uses ${opcodeName(prefix, sub)}${what} at byte offset ${offset}`,
  );
}

/** Reads a prefixed opcode's sub-opcode and returns its immediate layout, or throws 'unmeterable'. */
export function prefixedImm(prefix: number, sub: number, offset: number): Imm {
  let imm: number | undefined;
  if (prefix === PREFIX_MISC) imm = MISC[sub];
  else if (prefix === PREFIX_SIMD) imm = SIMD[sub];
  else if (prefix === PREFIX_ATOMIC) imm = ATOMIC[sub];
  if (imm === undefined || imm === Imm.Unknown) unmeterable(prefix, sub, offset);
  return imm as Imm;
}

/** Skips a block type: empty (0x40), a value type, a (ref null? ht) type, or a type index. */
export function skipBlockType(r: Reader): void {
  const b = r.buf[r.pos];
  if (b === 0x63 || b === 0x64) {
    r.pos++;
    r.s33();
  } else {
    r.s33();
  }
}

/** Skips a value type (with its heap type for ref types). */
export function skipValType(r: Reader): void {
  const b = r.u8();
  if (b === 0x63 || b === 0x64) r.s33();
}

/** Skips a memarg: alignment (bit 6 = a memory index follows), [memory index], offset (u32 or u64). */
export function skipMemArg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32();
  r.skipLeb();
}

/** Skips the immediates of an instruction whose opcode was just read. */
export function skipImm(r: Reader, imm: Imm): void {
  switch (imm) {
    case Imm.None:
      return;
    case Imm.U32:
      r.u32();
      return;
    case Imm.U32x2:
      r.u32();
      r.u32();
      return;
    case Imm.BlockType:
      skipBlockType(r);
      return;
    case Imm.BrTable: {
      const n = r.u32();
      for (let i = 0; i <= n; i++) r.u32();
      return;
    }
    case Imm.MemArg:
      skipMemArg(r);
      return;
    case Imm.MemArgLane:
      skipMemArg(r);
      r.skip(1);
      return;
    case Imm.I32:
    case Imm.I64:
      r.skipLeb();
      return;
    case Imm.F32:
      r.skip(4);
      return;
    case Imm.F64:
      r.skip(8);
      return;
    case Imm.V128:
      r.skip(16);
      return;
    case Imm.Lane:
    case Imm.Byte:
      r.skip(1);
      return;
    case Imm.SelectT: {
      const n = r.u32();
      for (let i = 0; i < n; i++) skipValType(r);
      return;
    }
    case Imm.HeapType:
      r.s33();
      return;
    case Imm.TryTable: {
      skipBlockType(r);
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const kind = r.u8();
        if (kind <= 1) r.u32();
        r.u32();
      }
      return;
    }
    default:
      r.fail('unknown immediate layout');
  }
}
