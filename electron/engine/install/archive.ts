// Unpacking a plugin archive (.zip, .tar.gz/.tgz, .tar) into an empty folder, refusing anything that
// could write outside it or that is not a plain file or folder: absolute paths, `..`, symlinks, hard
// links, devices, fifos. Stops at the size, count and compression-ratio limits. On any refusal it
// throws a HostError naming the reason; the caller removes the half-filled folder.
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tarStream from 'tar-stream';
import yauzl from 'yauzl';
import { describeError, HostError, isHostError } from '../host/errors.js';
import {
  Budget,
  DEFAULT_INSTALL_LIMITS,
  fmtSize,
  type InstallLimits,
  isInside,
  safeEntryPath,
} from './limits.js';

export type ArchiveFormat = 'zip' | 'tar.gz' | 'tar';

export function archiveFormatOf(path: string): ArchiveFormat | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.tar')) return 'tar';
  return null;
}

export interface ExtractResult {
  files: number;
  bytes: number;
}

/** Extracts `archive` into `destDir` (which must exist and be empty). */
export async function extractArchive(
  archive: string,
  destDir: string,
  limits: InstallLimits = DEFAULT_INSTALL_LIMITS,
): Promise<ExtractResult> {
  const format = archiveFormatOf(archive);
  if (!format) {
    throw new HostError(
      'archive_unknown_format',
      `${basename(archive)} is not an archive this app can unpack (use .zip, .tar.gz, .tgz or .tar).`,
    );
  }
  const label = basename(archive);
  try {
    return format === 'zip'
      ? await extractZip(archive, destDir, limits, label)
      : await extractTar(archive, destDir, limits, label, format === 'tar.gz');
  } catch (err) {
    if (isHostError(err)) throw err;
    throw new HostError('archive_damaged', `${label} could not be unpacked: ${describeError(err)}.`, {
      cause: err,
    });
  }
}

/** Writes one regular file (never over an existing one) with rw-r--r-- or, if executable, rwxr-xr-x. */
async function writeEntry(
  root: string,
  rel: string,
  source: Readable,
  mode: number,
  budget: Budget,
  label: string,
): Promise<void> {
  const target = join(root, rel);
  if (!isInside(target, root))
    throw new HostError('archive_unsafe_path', `${label} was refused: "${rel}" leads outside.`);
  await fsp.mkdir(dirname(target), { recursive: true });
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(target, 'wx', mode & 0o111 ? 0o755 : 0o644);
  } catch (err) {
    source.resume();
    if ((err as { code?: string }).code === 'EEXIST') {
      throw new HostError(
        'archive_duplicate_entry',
        `${label} was refused: "${rel}" appears more than once.`,
      );
    }
    throw err;
  }
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        budget.addBytes(chunk.length);
        cb(null, chunk);
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  try {
    await pipeline(source, counter, handle.createWriteStream());
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function makeDir(root: string, rel: string): Promise<void> {
  if (rel === '') return;
  await fsp.mkdir(join(root, rel), { recursive: true });
}

// ---------------------------------------------------------------------------------------- zip

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

function zipEntryKind(entry: yauzl.Entry): 'file' | 'dir' | 'symlink' | 'special' {
  const isDirName = entry.fileName.endsWith('/');
  // Unix "made by" (high byte 3) stores st_mode in the top 16 bits of the external attributes.
  const madeByUnix = entry.versionMadeBy >> 8 === 3;
  const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
  if (madeByUnix && mode !== 0) {
    const type = mode & S_IFMT;
    if (type === S_IFLNK) return 'symlink';
    if (type === S_IFDIR) return 'dir';
    if (type === S_IFREG) return isDirName ? 'dir' : 'file';
    if (type !== 0) return 'special';
  }
  return isDirName ? 'dir' : 'file';
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    );
  });
}

function translateYauzlError(err: unknown, label: string): unknown {
  const msg = describeError(err);
  if (/^absolute path/.test(msg)) {
    return new HostError(
      'archive_unsafe_path',
      `${label} was refused: it contains an entry with an absolute path (${msg.replace(/^absolute path: /, '')}).`,
    );
  }
  if (/^invalid relative path/.test(msg)) {
    return new HostError(
      'archive_unsafe_path',
      `${label} was refused: it contains an entry whose path climbs out with ".." (${msg.replace(/^invalid relative path: /, '')}).`,
    );
  }
  if (/^invalid characters in fileName/.test(msg)) {
    return new HostError(
      'archive_unsafe_path',
      `${label} was refused: it contains an entry with a backslash in its path.`,
    );
  }
  if (/too many bytes in the stream|not enough bytes in the stream/.test(msg)) {
    return new HostError(
      'archive_damaged',
      `${label} was refused: an entry's real size differs from the size it declares.`,
    );
  }
  return err;
}

async function extractZip(
  path: string,
  root: string,
  limits: InstallLimits,
  label: string,
): Promise<ExtractResult> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw translateYauzlError(err, label);
  }
  const budget = new Budget(limits, label);
  try {
    // Judge what the central directory declares before writing anything.
    if (zip.entryCount > limits.maxEntries) {
      throw new HostError(
        'install_too_many_files',
        `${label} was refused: it has ${zip.entryCount.toLocaleString('en')} entries; at most ${limits.maxEntries.toLocaleString('en')} are allowed.`,
      );
    }
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push(entry);
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    }).catch((err: unknown) => {
      throw translateYauzlError(err, label);
    });
    for (const entry of entries) {
      const rel = safeEntryPath(entry.fileName, label, limits);
      const kind = zipEntryKind(entry);
      if (kind === 'symlink') {
        throw new HostError(
          'archive_symlink',
          `${label} was refused: it contains a symbolic link ("${rel}").`,
        );
      }
      if (kind === 'special') {
        throw new HostError(
          'archive_special_file',
          `${label} was refused: it contains "${rel}", which is a device, fifo or socket rather than a file.`,
        );
      }
      if (entry.isEncrypted()) {
        throw new HostError('archive_encrypted', `${label} was refused: "${rel}" is encrypted.`);
      }
      declared += entry.uncompressedSize;
      if (declared > limits.maxTotalBytes) {
        throw new HostError(
          'install_too_large',
          `${label} was refused: its contents would unpack to more than ${fmtSize(limits.maxTotalBytes)}.`,
        );
      }
      if (
        kind === 'file' &&
        entry.uncompressedSize > limits.ratioFloorBytes &&
        entry.uncompressedSize > entry.compressedSize * limits.maxRatio
      ) {
        const ratio = Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize));
        throw new HostError(
          'archive_ratio',
          `${label} was refused: "${rel}" expands ${ratio} times (${fmtSize(entry.compressedSize)} to ${fmtSize(entry.uncompressedSize)}); more than ${limits.maxRatio} times looks like a zip bomb.`,
        );
      }
    }
    for (const entry of entries) {
      const rel = safeEntryPath(entry.fileName, label, limits);
      budget.addEntry();
      if (zipEntryKind(entry) === 'dir') {
        await makeDir(root, rel);
        continue;
      }
      if (rel === '') continue;
      const stream = await zip.openReadStreamPromise(entry).catch((err: unknown) => {
        throw translateYauzlError(err, label);
      });
      const mode = (entry.externalFileAttributes >>> 16) & 0o777;
      await writeEntry(root, rel, stream, mode, budget, label).catch((err: unknown) => {
        throw translateYauzlError(err, label);
      });
    }
    return { files: budget.entries, bytes: budget.bytes };
  } finally {
    zip.close();
  }
}

// ---------------------------------------------------------------------------------------- tar

async function extractTar(
  path: string,
  root: string,
  limits: InstallLimits,
  label: string,
  gzipped: boolean,
): Promise<ExtractResult> {
  const budget = new Budget(limits, label);
  let compressedIn = 0;
  if (gzipped) {
    // A tar.gz is compressed as one stream: judge the ratio of everything so far, as it grows.
    budget.onBytes = () => {
      if (budget.bytes > limits.ratioFloorBytes && budget.bytes > compressedIn * limits.maxRatio) {
        throw new HostError(
          'archive_ratio',
          `${label} was refused: it expands more than ${limits.maxRatio} times (${fmtSize(compressedIn)} to over ${fmtSize(budget.bytes)}); that looks like a decompression bomb.`,
        );
      }
    };
  }
  const extract = tarStream.extract();
  const refuseType = (type: string | null | undefined, rel: string): HostError | null => {
    switch (type) {
      case 'symlink':
        return new HostError(
          'archive_symlink',
          `${label} was refused: it contains a symbolic link ("${rel}").`,
        );
      case 'link':
        return new HostError('archive_hardlink', `${label} was refused: it contains a hard link ("${rel}").`);
      case 'character-device':
      case 'block-device':
      case 'fifo':
        return new HostError(
          'archive_special_file',
          `${label} was refused: it contains "${rel}", which is a ${type.replace('-', ' ')} rather than a file.`,
        );
      case 'file':
      case 'contiguous-file':
      case 'directory':
      case null:
      case undefined:
        return null;
      default:
        return new HostError(
          'archive_special_file',
          `${label} was refused: "${rel}" is an entry of unsupported type ${type}.`,
        );
    }
  };

  const consume = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const rel = safeEntryPath(h.name, label, limits);
      const refusal = refuseType(h.type, rel);
      if (refusal) throw refusal;
      budget.addEntry();
      if (typeof h.size === 'number' && h.size > limits.maxTotalBytes - budget.bytes) {
        throw new HostError(
          'install_too_large',
          `${label} was refused: its contents are larger than ${fmtSize(limits.maxTotalBytes)}.`,
        );
      }
      if (h.type === 'directory') {
        await makeDir(root, rel);
        entry.resume();
        continue;
      }
      if (rel === '') {
        entry.resume();
        continue;
      }
      await writeEntry(root, rel, entry as unknown as Readable, h.mode ?? 0o644, budget, label);
    }
  })();

  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      compressedIn += chunk.length;
      cb(null, chunk);
    },
  });
  const source = createReadStream(path);
  const feed = gzipped
    ? pipeline(source, counter, createGunzip(), extract)
    : pipeline(source, counter, extract);
  try {
    await Promise.all([consume, feed]);
  } catch (err) {
    source.destroy();
    extract.destroy();
    await Promise.allSettled([consume, feed]);
    throw err;
  }
  return { files: budget.entries, bytes: budget.bytes };
}
