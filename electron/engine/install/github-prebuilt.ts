// Prebuilt wasm from a release: when a wasm command's binary is missing from the source, the
// release's asset named like the binary (or `<plugin-name>.wasm`) is downloaded under a size cap,
// checked to be a valid WebAssembly module (and against a published `<asset>.sha256`), and put at
// the path the manifest names. What was fetched is shown on the consent request.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { HostError } from '../host/errors.js';
import { type GitHubApi, readCapped } from './github-api.js';
import { downloadToFile } from './github-download.js';
import type { Release, ReleaseAsset } from './github-source.js';
import { fmtSize, isInside } from './limits.js';

/** The largest prebuilt wasm accepted (the sandbox caps memory at 256 MB; modules are far smaller). */
export const MAX_WASM_ASSET_BYTES = 64 * 1024 * 1024;
const MAX_CHECKSUM_BYTES = 4096;

export interface PrebuiltWasm {
  /** The manifest's binary path it was put at. */
  binary: string;
  /** The release asset it came from, and the release's tag. */
  asset: string;
  release: string;
  bytes: number;
  sha256: string;
  /** `match`: a published `<asset>.sha256` agrees; `absent`: none was published. */
  checksum: 'match' | 'absent';
}

export interface PrebuiltOptions {
  signal?: AbortSignal;
  onBytes?: (asset: string, bytes: number, total: number | undefined) => void;
  maxBytes?: number;
}

/** The wasm commands' binaries that are not in `dir` (each path once, in manifest order). */
export async function missingWasmBinaries(dir: string, manifest: PluginManifest): Promise<string[]> {
  if (manifest.runtime !== 'wasm') return [];
  const missing: string[] = [];
  for (const binary of new Set(manifest.commands.map((c) => c.binary))) {
    const st = await fsp.lstat(resolve(dir, binary)).catch(() => null);
    if (!st) missing.push(binary);
  }
  return missing;
}

/** The asset that stands for `binary`: its file name, else `<plugin-name>.wasm`. */
export function assetFor(release: Release, binary: string, pluginName: string): ReleaseAsset | null {
  const names = [basename(binary), `${pluginName}.wasm`];
  for (const name of names) {
    const asset = release.assets.find((a) => a.name === name);
    if (asset) return asset;
  }
  return null;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Refuses anything but a valid WebAssembly module, in words that say which asset it was. */
export function checkWasmBytes(bytes: Uint8Array, what: string): void {
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b))
    throw new HostError(
      'asset_not_wasm',
      `${what} is not a WebAssembly module (it does not start with "\\0asm"); it was not installed.`,
    );
  if (!WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>))
    throw new HostError(
      'asset_bad_wasm',
      `${what} starts like WebAssembly but is not a valid module; it was not installed.`,
    );
}

/**
 * Where to download an asset: the API's asset address (it answers the bytes, or a redirect to them,
 * for `Accept: application/octet-stream`, and works for private repositories with a token), else the
 * public browser_download_url.
 */
export function assetUrl(asset: ReleaseAsset): string {
  return asset.url ?? asset.browser_download_url;
}

/** The first 64-hex-digit word of a `.sha256` file (`sha256sum` format or the bare digest). */
export function parseChecksum(text: string): string | null {
  const m = /^\s*([0-9a-fA-F]{64})(?:\s|$)/.exec(text);
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * Fetches every missing binary that the release carries. Returns what was put in place; binaries the
 * release does not carry stay missing (the build hook's turn).
 */
export async function fetchPrebuiltWasm(
  api: GitHubApi,
  dir: string,
  manifest: PluginManifest,
  release: Release,
  options: PrebuiltOptions = {},
): Promise<PrebuiltWasm[]> {
  const maxBytes = options.maxBytes ?? MAX_WASM_ASSET_BYTES;
  const fetched: PrebuiltWasm[] = [];
  for (const binary of await missingWasmBinaries(dir, manifest)) {
    const asset = assetFor(release, binary, manifest.name);
    if (!asset) continue;
    const what = `The release asset ${asset.name} (${release.tag_name})`;
    if (asset.size > maxBytes)
      throw new HostError(
        'download_too_large',
        `${what} is ${fmtSize(asset.size)}, more than the ${fmtSize(maxBytes)} allowed; it was refused.`,
      );
    const target = resolve(dir, binary);
    if (!isInside(target, dir) || target === dir)
      throw new HostError(
        'asset_bad_path',
        `${manifest.name}: the binary path "${binary}" leads outside the plugin.`,
      );
    await refuseLinksOnTheWay(dir, dirname(target), manifest.name);
    await fsp.mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.download`);
    const got = await downloadToFile(api, assetUrl(asset), temp, {
      maxBytes,
      label: what,
      signal: options.signal,
      onBytes: (bytes, total) => options.onBytes?.(asset.name, bytes, total),
    });
    try {
      checkWasmBytes(await fsp.readFile(temp), what);
      const checksum = await publishedChecksum(api, release, asset, options.signal);
      if (checksum !== null && checksum !== got.sha256)
        throw new HostError(
          'asset_checksum_mismatch',
          `${what} does not match its published ${asset.name}.sha256 (expected ${checksum}, got ${got.sha256}); it was not installed.`,
        );
      await fsp.rename(temp, target);
      fetched.push({
        binary,
        asset: asset.name,
        release: release.tag_name,
        bytes: got.bytes,
        sha256: got.sha256,
        checksum: checksum === null ? 'absent' : 'match',
      });
    } finally {
      await fsp.rm(temp, { force: true });
    }
  }
  return fetched;
}

/** Every folder from the plugin root to `at` that exists must be a real folder (the archive had no links, but be sure). */
async function refuseLinksOnTheWay(root: string, at: string, name: string): Promise<void> {
  let current = root;
  for (const part of relative(root, at).split(/[\\/]/).filter(Boolean)) {
    current = join(current, part);
    const st = await fsp.lstat(current).catch(() => null);
    if (st && !st.isDirectory())
      throw new HostError(
        'asset_bad_path',
        `${name}: "${relative(root, current)}" is not a folder, so the prebuilt wasm cannot go there.`,
      );
  }
}

async function publishedChecksum(
  api: GitHubApi,
  release: Release,
  asset: ReleaseAsset,
  signal: AbortSignal | undefined,
): Promise<string | null> {
  const sums = release.assets.find((a) => a.name === `${asset.name}.sha256`);
  if (!sums) return null;
  const res = await api.get(assetUrl(sums), { signal, accept: 'application/octet-stream' });
  const text = (await readCapped(res, MAX_CHECKSUM_BYTES, `${sums.name}`)).toString('utf8');
  const digest = parseChecksum(text);
  if (!digest)
    throw new HostError(
      'asset_checksum_unreadable',
      `${sums.name} of ${release.tag_name} holds no SHA-256 digest; the wasm was not installed.`,
    );
  return digest;
}
