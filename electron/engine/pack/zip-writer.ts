// Writes a .zip of named files (each read from disk, kept in memory only as a stream) with yazl,
// atomically: a temp file beside the target, renamed into place when complete.
import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

export interface ZipEntry {
  /** The path inside the zip (forward slashes, relative). */
  name: string;
  /** The file on disk. */
  file: string;
}

/** A fixed time for every entry, so packing the same files twice gives the same bytes. */
const FIXED_TIME = new Date('2000-01-01T00:00:00Z');

export async function writeZip(target: string, entries: ZipEntry[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addFile(e.file, e.name, { mtime: FIXED_TIME, mode: 0o100644 });
  zip.end();
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await pipeline(zip.outputStream, createWriteStream(temp, { flags: 'wx' }));
    await fsp.rename(temp, target);
  } catch (err) {
    await fsp.rm(temp, { force: true });
    throw err;
  }
}
