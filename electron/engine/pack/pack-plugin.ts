// `pack`: makes a plugin installable without a toolchain. Builds it with its build hook (only with
// the person's approval of that exact command, and only when the toolchain is here), validates it
// as an install would (manifest, every wasm a valid module importing only declared capabilities),
// then writes <name>-<version>.zip (plugin.toml, each built wasm at the path the manifest names,
// README and LICENSE when present) and a `.sha256` beside it in `sha256sum` format.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  undeclaredImportCapabilities,
  undeclaredImportsMessage,
} from '../../../shared/capability-imports.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { visibleText } from '../../../shared/manifest/visible.js';
import { HostError } from '../host/errors.js';
import { checkWasmBytes } from '../install/github-prebuilt.js';
import { isInside } from '../install/limits.js';
import { loadManifest, MANIFEST_FILE } from '../manifest/load-manifest.js';
import { runBuildHook } from '../plugins/build-hook.js';
import { checkToolchain } from './toolchain.js';
import { writeZip, type ZipEntry } from './zip-writer.js';

/** Beside plugin.toml and the wasm, these go in when present (first match of each kind). */
export const EXTRA_FILES = [
  ['README.md', 'README', 'README.txt'],
  ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'COPYING'],
];

export interface PackOptions {
  /** The zip to write (default: <name>-<version>.zip in `cwd`). */
  output?: string;
  cwd?: string;
  /** Asked before the build hook runs; resolves true only when the person approves that exact command. */
  approveBuild: (hook: string) => Promise<boolean>;
  /** Each line the build prints. */
  onOutput?: (line: string) => void;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export interface PackResult {
  zip: string;
  sha256File: string;
  sha256: string;
  bytes: number;
  /** Paths inside the zip, in order. */
  entries: string[];
  /** Each wasm (path in the zip) with its SHA-256: what an author attaches as a release asset. */
  wasm: { path: string; sha256: string; bytes: number }[];
  built: boolean;
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fsp.readFile(file))
    .digest('hex');
}

function invalid(dir: string, errors: { message: string }[]): HostError {
  return new HostError(
    'pack_invalid',
    `${dir} is not a valid fledge plugin, so it was not packed:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`,
  );
}

/** A regular file inside the plugin (a link is followed only while it stays inside). */
async function insideFile(root: string, rel: string): Promise<string | null> {
  const path = resolve(root, rel);
  const real = await fsp.realpath(path).catch(() => null);
  if (!real || !isInside(real, await fsp.realpath(root))) return null;
  const st = await fsp.stat(real);
  return st.isFile() ? real : null;
}

export async function packPlugin(pluginDir: string, options: PackOptions): Promise<PackResult> {
  const dir = resolve(options.cwd ?? process.cwd(), pluginDir);
  let report = await loadManifest(dir);
  if (!report.manifest) throw invalid(dir, report.errors);
  let manifest: PluginManifest = report.manifest;
  if (manifest.runtime !== 'wasm')
    throw new HostError(
      'pack_not_wasm',
      `${manifest.name} is a native plugin; pack makes zips of sandboxed WebAssembly plugins (runtime = "wasm") only.`,
    );
  const hook = manifest.hooks.build;
  let built = false;
  if (hook) {
    const toolchain = await checkToolchain(hook, dir, manifest.runtime, options.env ?? process.env);
    if (toolchain.missing)
      throw new HostError('toolchain_missing', `${manifest.name} cannot be built here: ${toolchain.missing}`);
    if (!(await options.approveBuild(hook)))
      throw new HostError(
        'pack_build_declined',
        `Packing ${manifest.name} needs its build hook to run: ${visibleText(hook)}\nNothing was packed. Approve that exact command to build it (CLI: --allow-build).`,
      );
    await runBuildHook(hook, dir, undefined, { onOutput: options.onOutput, signal: options.signal });
    built = true;
    report = await loadManifest(dir);
    if (!report.manifest) throw invalid(dir, report.errors);
    manifest = report.manifest;
  }
  const entries: ZipEntry[] = [{ name: MANIFEST_FILE, file: join(dir, MANIFEST_FILE) }];
  const wasm: PackResult['wasm'] = [];
  for (const binary of new Set(manifest.commands.map((c) => c.binary))) {
    const file = await insideFile(dir, binary);
    if (!file)
      throw new HostError(
        'pack_missing_binary',
        `${manifest.name}: ${binary} does not exist${hook ? ' after the build' : ''} (or leads outside the plugin); nothing was packed.`,
      );
    const bytes = await fsp.readFile(file);
    checkWasmBytes(bytes, `${manifest.name}: ${binary}`);
    const missing = undeclaredImportCapabilities(
      WebAssembly.Module.imports(new WebAssembly.Module(bytes)),
      manifest.capabilities,
    );
    if (missing.length)
      throw new HostError(
        'pack_undeclared_capability',
        `${manifest.name}: ${binary} ${undeclaredImportsMessage(missing)} (declare ${missing.join(', ')} in plugin.toml); nothing was packed.`,
      );
    const name = binary
      .split(/[\\/]/)
      .filter((p) => p && p !== '.')
      .join('/');
    entries.push({ name, file });
    wasm.push({ path: name, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
  }
  for (const kind of EXTRA_FILES) {
    for (const candidate of kind) {
      const file = await insideFile(dir, candidate);
      if (file) {
        entries.push({ name: candidate, file });
        break;
      }
    }
  }
  const zip = resolve(
    options.cwd ?? process.cwd(),
    options.output ?? `${manifest.name}-${manifest.version}.zip`,
  );
  if (!zip.toLowerCase().endsWith('.zip'))
    throw new HostError(
      'pack_bad_output',
      `${zip} must end in .zip (that is how installs recognise the archive).`,
    );
  if (isInside(zip, dir) && dirname(zip) !== dir)
    throw new HostError('pack_bad_output', 'Write the zip outside the plugin folder, or at its top.');
  await fsp.mkdir(dirname(zip), { recursive: true });
  await writeZip(zip, entries);
  const sha256 = await sha256Of(zip);
  const sha256File = `${zip}.sha256`;
  await fsp.writeFile(sha256File, `${sha256}  ${basename(zip)}\n`);
  return {
    zip,
    sha256File,
    sha256,
    bytes: (await fsp.stat(zip)).size,
    entries: entries.map((e) => e.name),
    wasm,
    built,
  };
}
