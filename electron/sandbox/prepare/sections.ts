// Splitting a module into sections, and the few section contents preparation needs to understand.

import { Reader } from './bytes.js';
import { ModuleError } from './errors.js';
import { skipValType } from './opcodes.js';

export const SEC_CUSTOM = 0;
export const SEC_TYPE = 1;
export const SEC_IMPORT = 2;
export const SEC_FUNCTION = 3;
export const SEC_TABLE = 4;
export const SEC_MEMORY = 5;
export const SEC_GLOBAL = 6;
export const SEC_EXPORT = 7;
export const SEC_START = 8;
export const SEC_ELEMENT = 9;
export const SEC_CODE = 10;
export const SEC_DATA = 11;
export const SEC_DATACOUNT = 12;
export const SEC_TAG = 13;

/** Position of each known section in the required order (custom sections may go anywhere). */
export const SECTION_ORDER: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

export interface Section {
  id: number;
  /** Name of a custom section. */
  name?: string;
  /** Offset of the section's content (after id and size) in the module. */
  start: number;
  end: number;
}

/** Splits a module (header already checked) into its sections without looking inside them. */
export function splitSections(bytes: Uint8Array): Section[] {
  const r = new Reader(bytes, 8);
  const out: Section[] = [];
  while (!r.eof()) {
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    if (start + size > bytes.length) r.fail(`section ${id} runs past the end of the file`);
    const s: Section = { id, start, end: start + size };
    if (id === SEC_CUSTOM) {
      const nr = new Reader(bytes, start, start + size);
      s.name = nr.name();
    }
    out.push(s);
    r.pos = start + size;
  }
  return out;
}

export const EXT_FUNC = 0;
export const EXT_TABLE = 1;
export const EXT_MEMORY = 2;
export const EXT_GLOBAL = 3;
export const EXT_TAG = 4;

export interface ImportEntry {
  module: string;
  name: string;
  kind: number;
  /** The type index of an imported function. */
  type?: number;
  /** Byte range of the whole entry (module name to end of its description). */
  start: number;
  end: number;
  /** Byte range of the limits (memories only). */
  limitsStart?: number;
}

/** Reads limits: flags, min, [max]. Flags: bit0 has max, bit1 shared, bit2 64-bit, bit3 custom page size. */
export interface Limits {
  flags: number;
  min: number;
  max: number | undefined;
  pageSizeLog2: number | undefined;
}

export function readLimits(r: Reader): Limits {
  const flags = r.u8();
  if (flags > 0x0f) r.fail(`unknown limits flags ${flags}`);
  const wide = (flags & 0x04) !== 0;
  const min = wide ? readU64Number(r) : r.u32();
  const max = flags & 0x01 ? (wide ? readU64Number(r) : r.u32()) : undefined;
  const pageSizeLog2 = flags & 0x08 ? r.u32() : undefined;
  return { flags, min, max, pageSizeLog2 };
}

/** An unsigned LEB128 up to 64 bits, as a number (exact below 2^53, saturating above). */
export function readU64Number(r: Reader): number {
  let result = 0;
  let mul = 1;
  let b: number;
  let n = 0;
  do {
    b = r.u8();
    result += (b & 0x7f) * mul;
    mul *= 128;
    if (++n > 10) r.fail('integer too large');
  } while (b & 0x80);
  return Math.min(result, Number.MAX_SAFE_INTEGER);
}

export function readImports(bytes: Uint8Array, sec: Section): ImportEntry[] {
  const r = new Reader(bytes, sec.start, sec.end);
  const n = r.u32();
  const out: ImportEntry[] = [];
  for (let i = 0; i < n; i++) {
    const start = r.pos;
    const module = r.name();
    const name = r.name();
    const kind = r.u8();
    const e: ImportEntry = { module, name, kind, start, end: 0 };
    switch (kind) {
      case EXT_FUNC:
        e.type = r.u32();
        break;
      case EXT_TABLE:
        skipValType(r);
        readLimits(r);
        break;
      case EXT_MEMORY:
        e.limitsStart = r.pos;
        readLimits(r);
        break;
      case EXT_GLOBAL:
        skipValType(r);
        r.u8();
        break;
      case EXT_TAG:
        r.u8();
        r.u32();
        break;
      default:
        r.fail(`unknown import kind ${kind}`);
    }
    e.end = r.pos;
    out.push(e);
  }
  return out;
}

/** A function type: counts and byte ranges of its parameter and result value types. */
export interface FuncType {
  params: number;
  paramsStart: number;
  paramsEnd: number;
  results: number;
  resultsStart: number;
  resultsEnd: number;
}

/** The function types, indexed by type index. */
export function readTypes(bytes: Uint8Array, sec: Section | undefined): FuncType[] {
  if (!sec) return [];
  const r = new Reader(bytes, sec.start, sec.end);
  const n = r.u32();
  const out: FuncType[] = [];
  for (let i = 0; i < n; i++) {
    const form = r.u8();
    if (form !== 0x60) {
      throw new ModuleError(
        'unmeterable',
        `cannot meter this module: its type section uses form 0x${form.toString(16)} (garbage-collection types are not supported)`,
      );
    }
    const params = r.u32();
    const paramsStart = r.pos;
    for (let j = 0; j < params; j++) skipValType(r);
    const paramsEnd = r.pos;
    const results = r.u32();
    const resultsStart = r.pos;
    for (let j = 0; j < results; j++) skipValType(r);
    out.push({ params, paramsStart, paramsEnd, results, resultsStart, resultsEnd: r.pos });
  }
  if (r.pos !== sec.end) r.fail('the type section has trailing bytes');
  return out;
}

/** Type index of each defined function. */
export function readFunctionTypes(bytes: Uint8Array, sec: Section | undefined): number[] {
  if (!sec) return [];
  const r = new Reader(bytes, sec.start, sec.end);
  const n = r.u32();
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = r.u32();
  return out;
}
