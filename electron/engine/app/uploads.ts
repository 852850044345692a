/**
 * Archive bytes dropped in the browser, kept until they are checked or installed: decoded from
 * base64 with the size cap enforced on the bytes, written under a fresh folder of the app's data
 * with the name validated as a plain file name (the same rules as a path: no folders, no `..`,
 * no control characters), a few at a time, forgotten after use or after 30 minutes.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { MAX_UPLOAD_BYTES } from '../../../shared/ipc/schemas/plugins.js';
import { HostError } from '../host/errors.js';

const MAX_KEPT = 8;
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TTL_MS = 30 * 60_000;

interface Upload {
  id: string;
  dir: string;
  file: string;
  fileName: string;
  bytes: number;
  at: number;
}

export class Uploads {
  private readonly kept = new Map<string, Upload>();

  constructor(
    private readonly root: string,
    private readonly maxBytes = MAX_UPLOAD_BYTES,
  ) {}

  async put(
    fileName: string,
    base64: string,
  ): Promise<{ uploadId: string; fileName: string; bytes: number }> {
    await this.expire();
    // The contract checked the name; check again here, where it becomes a path.
    if (
      basename(fileName) !== fileName ||
      fileName === '.' ||
      fileName === '..' ||
      /[\\/\u0000-\u001f]/.test(fileName)
    )
      throw new HostError(
        'upload_name',
        `"${fileName}" is not a plain file name; drop the archive file itself.`,
      );
    const bytes = Buffer.from(base64, 'base64');
    if (bytes.length === 0) throw new HostError('upload_empty', `"${fileName}" is empty.`);
    if (bytes.length > this.maxBytes)
      throw new HostError(
        'upload_too_large',
        `"${fileName}" is ${(bytes.length / 1048576).toFixed(1)} MB; archives up to ${this.maxBytes / 1048576} MB can be dropped. Install it from its folder instead.`,
      );
    if (this.kept.size >= MAX_KEPT) await this.drop([...this.kept.keys()][0]!);
    const id = randomUUID();
    const dir = join(this.root, id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, fileName);
    await writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
    this.kept.set(id, { id, dir, file, fileName, bytes: bytes.length, at: Date.now() });
    return { uploadId: id, fileName, bytes: bytes.length };
  }

  /** The file of an upload; a refusal that says what to do when it is unknown or expired. */
  path(uploadId: string): string {
    const u = this.kept.get(uploadId);
    if (!u)
      throw new HostError(
        'upload_unknown',
        'That dropped file is no longer available; drop it on the window again.',
      );
    return u.file;
  }

  async drop(uploadId: string): Promise<void> {
    const u = this.kept.get(uploadId);
    if (!u) return;
    this.kept.delete(uploadId);
    await rm(u.dir, { recursive: true, force: true });
  }

  /**
   * The name a dropped file had, when `source` is where this kept one (`<root>/<id>/<name>`): what an
   * install from it records as its source, a path the person never chose and that is deleted once
   * the install is done. Null for every other source.
   */
  droppedName(source: string): string | null {
    if (!isAbsolute(source)) return null;
    const parts = relative(this.root, source).split(sep);
    return parts.length === 2 && UPLOAD_ID.test(parts[0]!) && parts[1] ? parts[1] : null;
  }

  /** A recorded source in the person's words: a dropped file by its name, any other as recorded. */
  describe(source: string): string {
    const name = this.droppedName(source);
    return name === null ? source : `${name}, dropped on this window`;
  }

  async close(): Promise<void> {
    for (const id of [...this.kept.keys()]) await this.drop(id);
  }

  private async expire(): Promise<void> {
    const now = Date.now();
    for (const u of [...this.kept.values()]) if (now - u.at > TTL_MS) await this.drop(u.id);
  }
}
