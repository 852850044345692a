// Reads <plugin dir>/plugin.toml and validates it, adding the checks that need the disk: does each
// command's binary exist (or can a build hook make it), does it stay inside the plugin directory once
// symlinks are followed, and is a wasm binary really WebAssembly.
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ManifestIssue, PluginManifest } from '../../../shared/manifest/types.js';
import { validateManifestText } from '../../../shared/manifest/validate-manifest.js';

export const MANIFEST_FILE = 'plugin.toml';
const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]);

export interface ManifestReport {
  /** The plugin.toml path that was (or would have been) read. */
  path: string;
  pluginDir: string;
  manifest: PluginManifest | null;
  /** The plugin's name when plugin.toml names one, even if it has errors. */
  name: string | null;
  errors: ManifestIssue[];
  warnings: ManifestIssue[];
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

async function readMagic(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function describeMagic(bytes: Buffer): string {
  if (bytes.length === 0) return 'it is empty';
  return `it starts with ${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not 00 61 73 6d`;
}

/** Checks each command's binary on disk; pushes findings into `report`. */
async function checkBinaries(
  report: ManifestReport,
  manifest: PluginManifest,
  realDir: string,
): Promise<void> {
  const hasBuild = manifest.hooks.build !== undefined;
  for (const [i, command] of manifest.commands.entries()) {
    const field = `commands[${i}].binary`;
    const file = resolve(realDir, command.binary);
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      if (hasBuild)
        report.warnings.push({
          path: field,
          rule: 'binary-built',
          message: `${field}: ${command.binary} does not exist yet; the build hook must create it`,
        });
      else
        report.errors.push({
          path: field,
          rule: 'binary-missing',
          message: `${field}: ${command.binary} does not exist and there is no [hooks] build to create it`,
        });
      continue;
    }
    if (!isInside(realDir, real)) {
      report.errors.push({
        path: field,
        rule: 'binary-inside',
        message: `${field}: ${command.binary} is a symlink that leads outside the plugin directory`,
      });
      continue;
    }
    const info = await stat(real);
    if (!info.isFile()) {
      report.errors.push({
        path: field,
        rule: 'binary-file',
        message: `${field}: ${command.binary} is not a file`,
      });
      continue;
    }
    if (manifest.runtime === 'wasm') {
      const magic = await readMagic(real);
      if (!magic.equals(WASM_MAGIC))
        report.errors.push({
          path: field,
          rule: 'wasm-magic',
          message: `${field}: ${command.binary} is not a WebAssembly module (${describeMagic(magic)})`,
        });
    }
  }
}

/** Loads and validates a plugin directory's plugin.toml. Never throws for a bad plugin: it reports. */
export async function loadManifest(pluginDir: string): Promise<ManifestReport> {
  const dir = resolve(pluginDir);
  const path = join(dir, MANIFEST_FILE);
  const report: ManifestReport = {
    path,
    pluginDir: dir,
    manifest: null,
    name: null,
    errors: [],
    warnings: [],
  };
  let text: string;
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) {
      report.errors.push({ path: '', rule: 'not-a-directory', message: `${dir} is not a directory` });
      return report;
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `no ${MANIFEST_FILE} in ${dir}; a fledge plugin directory must contain one`
        : `cannot read ${path}: ${(err as Error).message}`;
    report.errors.push({ path: '', rule: code === 'ENOENT' ? 'no-manifest' : 'unreadable', message });
    return report;
  }
  const check = validateManifestText(text);
  report.name = check.name;
  report.errors.push(...check.errors);
  report.warnings.push(...check.warnings);
  if (check.manifest) {
    await checkBinaries(report, check.manifest, await realpath(dir));
    if (report.errors.length === 0) report.manifest = check.manifest;
  }
  return report;
}
