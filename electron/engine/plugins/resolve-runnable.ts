// What `run X` runs among the installed plugins: the plugin named X, else the first with a command X,
// with its grants, only while its approval holds. Its own module, so that a run (the CLI's run
// bundle, build/bundle.mjs) loads none of the install, update or catalog code.
import { join } from 'node:path';
import { type Capabilities, intersectCapabilities } from '../../../shared/capabilities.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { consentProblems, readConsent } from '../consent/consent-store.js';
import { HostError } from '../host/errors.js';
import { refuseLinkedStorage } from '../install/linked-storage.js';
import { requireReviewed } from '../interop/cli-compat.js';
import { loadManifest, type ManifestReport } from '../manifest/load-manifest.js';
import type { FledgePaths } from '../registry/config-dir.js';
import { grantedByEntry, readRegistry } from '../registry/plugins-toml.js';

export interface Runnable {
  name: string;
  pluginDir: string;
  manifest: PluginManifest;
  command: string;
  granted: Capabilities;
  /** SHA-256 of each command binary as approved: pass it to the run, so exactly those bytes run. */
  approvedSha256: Record<string, string>;
}

export function manifestErrors(report: ManifestReport, what: string): HostError {
  return new HostError(
    'plugin_invalid',
    `${what} is not a valid fledge plugin:\n${report.errors.map((e) => `  - ${e.message}`).join('\n')}`,
  );
}

/** The manifest of the installed plugin `name` (its folder under plugins/), or why it is not valid. */
export async function installedManifest(paths: FledgePaths, name: string): Promise<PluginManifest> {
  const report = await loadManifest(join(paths.pluginsDir, name));
  if (!report.manifest) throw manifestErrors(report, `The installed plugin "${name}"`);
  return report.manifest;
}

/** Finds an installed plugin by its name or one of its command names, ready to run with its grants. */
export async function resolveRunnable(paths: FledgePaths, target: string): Promise<Runnable> {
  const registry = await readRegistry(paths.registryFile);
  const record =
    registry.plugins.find((p) => p.name === target) ??
    registry.plugins.find((p) => p.commands.includes(target));
  if (!record)
    throw new HostError('plugin_not_installed', `no installed plugin or command is named "${target}"`);
  const dir = join(paths.pluginsDir, record.name);
  const manifest = await installedManifest(paths, record.name);
  // Also for plugins another tool installed (the fledge CLI does not check): a linked data/ would
  // mount the plugin's own folder read-write.
  await refuseLinkedStorage(dir, `The installed plugin "${record.name}"`);
  requireReviewed(record);
  const consent = (await readConsent(paths.configDir))[record.name];
  const problems = await consentProblems(dir, manifest, consent);
  if (problems.length)
    throw new HostError(
      'consent_required',
      `"${record.name}" will not run until you approve it again: ${problems.join('; ')}. Run "plugins approve ${record.name}" after checking it.`,
    );
  const command = manifest.commands.find((c) => c.name === target)?.name ?? manifest.commands[0]?.name;
  if (!command) throw new HostError('plugin_no_command', `"${record.name}" declares no command to run`);
  return {
    name: record.name,
    pluginDir: dir,
    manifest,
    command,
    granted: intersectCapabilities(manifest.capabilities, grantedByEntry(record, manifest.capabilities)),
    approvedSha256: { ...consent?.wasm },
  };
}
