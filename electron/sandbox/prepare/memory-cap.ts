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
  return joinParts(capMemoryParts(module, capBytes));
}

/** The number of bytes in the parts. */
export function partsLength(parts: readonly Uint8Array[]): number {
  return parts.reduce((n, p) => n + p.length, 0);
}

/** The parts' bytes in one buffer. */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(partsLength(parts));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * capMemory's bytes in parts, in order: views into `module` where it is unchanged (nearly all of it:
 * the code), new bytes for the sections whose limits are rewritten. joinParts of them is
 * capMemory(module, capBytes); a streaming compile takes them as they are, without copying a module
 * of tens of megabytes first (ruby.wasm: ~30 ms a run).
 */
export function capMemoryParts(module: Uint8Array, capBytes: number): Uint8Array[] {
  if (!Number.isFinite(capBytes) || capBytes < 0) throw new RangeError(`capMemory: bad cap ${capBytes}`);
  checkHeader(module);
  const sections = splitSections(module);
  const parts: Uint8Array[] = [];
  // Unchanged bytes are gathered in one run of the module, [runStart, at); `at` is where the next
  // section's header starts in it.
  let runStart = 0;
  let at = 8;
  const endRun = () => {
    if (at > runStart) parts.push(module.subarray(runStart, at));
  };
  const put = (sec: { start: number; end: number }, bytes: Uint8Array) => {
    endRun();
    parts.push(bytes);
    runStart = at = sec.end;
  };
  const tmp = new Writer(256);
  for (const sec of sections) {
    if (sec.id === SEC_IMPORT) {
      const imports = readImports(module, sec);
      if (!imports.some((i) => i.kind === EXT_MEMORY)) {
        keep(sec);
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
      put(sec, sectionBytes(SEC_IMPORT, tmp));
    } else if (sec.id === SEC_MEMORY) {
      const r = new Reader(module, sec.start, sec.end);
      const n = r.u32();
      tmp.pos = 0;
      tmp.u32(n);
      for (let i = 0; i < n; i++) writeCapped(tmp, readLimits(r), capBytes, 'the plugin');
      put(sec, sectionBytes(SEC_MEMORY, tmp));
    } else {
      keep(sec);
    }
  }
  endRun();
  return parts;

  /** A section as it was: its id and size written as LEB128 at their shortest, then its content. */
  function keep(sec: { id: number; start: number; end: number }): void {
    const header = sectionHeader(sec.id, sec.end - sec.start);
    const same = sec.start - at === header.length && header.every((b, i) => module[at + i] === b);
    if (same) {
      at = sec.end; // the run goes on through this section
      return;
    }
    endRun(); // a longer (padded) size in the module: written out shortest, as before
    parts.push(header);
    runStart = sec.start;
    at = sec.end;
  }
}

function sectionHeader(id: number, size: number): Uint8Array {
  const w = new Writer(6);
  w.u8(id);
  w.u32(size);
  return w.result();
}

function sectionBytes(id: number, content: Writer): Uint8Array {
  const w = new Writer(content.pos + 6);
  w.sized(id, content);
  return w.result();
}
