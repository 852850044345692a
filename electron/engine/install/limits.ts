// Limits for what an install may unpack or copy, and the checks on entry names shared by the
// archive extractor, the folder copier and the post-clone scan.
import { isAbsolute, relative, sep } from 'node:path';
import { HostError } from '../host/errors.js';

export interface InstallLimits {
  /** Total bytes of all files (uncompressed). */
  maxTotalBytes: number;
  /** Number of files and folders. */
  maxEntries: number;
  /** uncompressed / compressed, per zip entry and for a whole tar.gz stream, checked past `ratioFloorBytes`. */
  maxRatio: number;
  /** Small things compress extremely well and are harmless: the ratio is judged only beyond this size. */
  ratioFloorBytes: number;
  /** Longest entry path, in characters. */
  maxPathLength: number;
}

export const DEFAULT_INSTALL_LIMITS: Readonly<InstallLimits> = Object.freeze({
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntries: 10_000,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
  maxPathLength: 1024,
});

export function fmtSize(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} bytes`;
}

export function isInside(child: string, parent: string): boolean {
  if (child === parent) return true;
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Validates a path stored in an archive and returns its normalised relative form ('' for the root
 * itself). Refuses absolute paths, drive letters, `..` anywhere, backslashes, NUL and control chars.
 */
export function safeEntryPath(name: string, archive: string, limits: InstallLimits): string {
  const unsafe = (why: string) =>
    new HostError(
      'archive_unsafe_path',
      `${archive} was refused: it contains an entry ${why} ("${printable(name)}").`,
    );
  if (name.length > limits.maxPathLength)
    throw unsafe(`with a path longer than ${limits.maxPathLength} characters`);
  if (/[\u0000-\u001f]/.test(name)) throw unsafe('whose name contains control characters');
  if (name.includes('\\')) throw unsafe('with a backslash in its path');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw unsafe('with an absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe('whose path climbs out with ".."');
  return parts.join('/');
}

function printable(s: string): string {
  const clean = s.replace(/[\u0000-\u001f]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 120)}...` : clean;
}

/** Counts entries and bytes against the limits as they are produced. */
export class Budget {
  entries = 0;
  bytes = 0;
  constructor(
    private readonly limits: InstallLimits,
    private readonly what: string,
  ) {}

  addEntry(): void {
    this.entries++;
    if (this.entries > this.limits.maxEntries) {
      throw new HostError(
        'install_too_many_files',
        `${this.what} was refused: it has more than ${this.limits.maxEntries.toLocaleString('en')} files and folders.`,
      );
    }
  }

  /** Called after every addBytes (the tar.gz ratio check hooks in here). */
  onBytes: (() => void) | null = null;

  addBytes(n: number): void {
    this.bytes += n;
    this.onBytes?.();
    if (this.bytes > this.limits.maxTotalBytes) {
      throw new HostError(
        'install_too_large',
        `${this.what} was refused: its contents are larger than ${fmtSize(this.limits.maxTotalBytes)}.`,
      );
    }
  }
}
