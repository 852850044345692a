// capMemory: a section-level rewrite of memory limits (imports and the memory section); code is copied as is.

import { Reader, Writer, writeU64Number } from './bytes.js';
import { ModuleError } from './errors.js';
import {
  EXT_MEMORY,
  type Limits,
  readImports,
  readLimits,
  SEC_IMPORT,
  SEC_MEMORY,
  splitSections,
} from './sections.js';
import { checkHeader } from './validate.js';

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024 && n % (1024 * 1024 * 1024) === 0) return `${n / (1024 * 1024 * 1024)} GiB`;
  if (n >= 1024 * 1024) {
    const mib = n / (1024 * 1024);
    return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
  }
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

/** Writes limits capped at `capBytes`; throws memory_over_cap when the minimum alone is over it. */
function writeCapped(w: Writer, lim: Limits, capBytes: number, which: string): void {
  const pageSize = 2 ** (lim.pageSizeLog2 ?? 16);
  const capPages = Math.floor(capBytes / pageSize);
  if (lim.min > capPages) {
    throw new ModuleError(
      'memory_over_cap',
      `${which} needs at least ${formatBytes(lim.min * pageSize)} of memory when it starts, ` +
        `more than the limit of ${formatBytes(capBytes)}`,
    );
  }
  const max = lim.max === undefined ? capPages : Math.min(lim.max, capPages);
  const wide = (lim.flags & 0x04) !== 0;
  w.u8(lim.flags | 0x01);
  if (wide) {
    writeU64Number(w, lim.min);
    writeU64Number(w, max);
  } else {
    w.u32(lim.min);
    w.u32(max);
  }
  if (lim.pageSizeLog2 !== undefined) w.u32(lim.pageSizeLog2);
}

/** Rewrites every memory's limits (defined or imported) so it can never grow past capBytes. */
export function capMemory(module: Uint8Array, capBytes: number): Uint8Array {
  if (!Number.isFinite(capBytes) || capBytes < 0) throw new RangeError(`capMemory: bad cap ${capBytes}`);
  checkHeader(module);
  const sections = splitSections(module);
  const out = new Writer(module.length + 64);
  out.bytes(module, 0, 8);
  const tmp = new Writer(256);
  for (const sec of sections) {
    if (sec.id === SEC_IMPORT) {
      const imports = readImports(module, sec);
      if (!imports.some((i) => i.kind === EXT_MEMORY)) {
        copySection(out, module, sec.id, sec.start, sec.end);
        continue;
      }
      tmp.pos = 0;
      tmp.u32(imports.length);
      for (const imp of imports) {
        if (imp.kind !== EXT_MEMORY || imp.limitsStart === undefined) {
          tmp.bytes(module, imp.start, imp.end);
          continue;
        }
        tmp.bytes(module, imp.start, imp.limitsStart);
        const r = new Reader(module, imp.limitsStart, imp.end);
        writeCapped(tmp, readLimits(r), capBytes, `the imported memory "${imp.module}" "${imp.name}"`);
      }
      out.sized(SEC_IMPORT, tmp);
    } else if (sec.id === SEC_MEMORY) {
      const r = new Reader(module, sec.start, sec.end);
      const n = r.u32();
      tmp.pos = 0;
      tmp.u32(n);
      for (let i = 0; i < n; i++) writeCapped(tmp, readLimits(r), capBytes, 'the plugin');
      out.sized(SEC_MEMORY, tmp);
    } else {
      copySection(out, module, sec.id, sec.start, sec.end);
    }
  }
  return out.result();
}

function copySection(out: Writer, src: Uint8Array, id: number, start: number, end: number): void {
  out.u8(id);
  out.u32(end - start);
  out.bytes(src, start, end);
}
