// Downloading one file (a source archive, a release asset) to disk under a size cap that is enforced
// while the bytes arrive: a server that lies about (or omits) its length is cut off at the cap, and
// the partial file is removed. Reports progress and stops when the install is cancelled.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { describeError, HostError, isHostError } from '../host/errors.js';
import { cancelled, type GitHubApi, tooLarge } from './github-api.js';

export interface DownloadOptions {
  maxBytes: number;
  /** For messages: "owner/repo v1.2.0 source". */
  label: string;
  signal?: AbortSignal;
  /** Called as bytes arrive (at most every 64 KB and at the end). */
  onBytes?: (bytes: number, total: number | undefined) => void;
  accept?: string;
}

export interface Downloaded {
  bytes: number;
  sha256: string;
}

/** Downloads `url` to `dest` (must not exist). On any failure `dest` is gone afterwards. */
export async function downloadToFile(
  api: GitHubApi,
  url: string,
  dest: string,
  options: DownloadOptions,
): Promise<Downloaded> {
  const handle = await fsp.open(dest, 'wx', 0o644);
  let ok = false;
  try {
    const res = await api.get(url, {
      signal: options.signal,
      accept: options.accept ?? 'application/octet-stream',
    });
    const declared = Number(res.headers.get('content-length'));
    const total =
      Number.isFinite(declared) && declared >= 0 && res.headers.has('content-length') ? declared : undefined;
    if (total !== undefined && total > options.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge(options.label, options.maxBytes);
    }
    const hash = createHash('sha256');
    let bytes = 0;
    let reported = 0;
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.byteLength;
          if (bytes > options.maxBytes) throw tooLarge(options.label, options.maxBytes);
          hash.update(value);
          await handle.write(value);
          if (bytes - reported >= 64 * 1024) {
            reported = bytes;
            options.onBytes?.(bytes, total);
          }
        }
      } catch (err) {
        await reader.cancel().catch(() => undefined);
        throw err;
      }
    }
    options.onBytes?.(bytes, total);
    ok = true;
    return { bytes, sha256: hash.digest('hex') };
  } catch (err) {
    if (options.signal?.aborted) throw cancelled();
    if (isHostError(err)) throw err;
    throw new HostError(
      'download_failed',
      `The download of ${options.label} broke off: ${describeError(err)}.`,
      {
        cause: err,
      },
    );
  } finally {
    await handle.close().catch(() => undefined);
    if (!ok) await fsp.rm(dest, { force: true }).catch(() => undefined);
  }
}
