// What the plugin service does so that a plugin installed by either tool runs in both: the bin/
// links after an install, update or remove; the app-side view of entries the fledge CLI wrote
// (linked installs, entries without a capabilities table, installs and changes made by the CLI since
// the app last looked), for audit rows and for the run check.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Capabilities } from '../../../shared/capabilities.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { describeError, HostError } from '../host/errors.js';
import type { FledgePaths } from '../registry/config-dir.js';
import type { PluginRecord } from '../registry/plugins-toml.js';
import { linkCommands, unlinkCommands } from './bin-links.js';

/** Fields of a PluginService.audit() row that tell how the fledge CLI sees the plugin. */
export interface InteropAuditFields {
  /**
   * The folder the plugin IS, when plugins/<name> is a link to it (a local install by the fledge CLI):
   * show "linked to <folder>". Its files, its state.json and its compiled cache are that folder's, and
   * removing the plugin removes only the link. Null for a copy or a clone.
   */
  linkedTo: string | null;
  /**
   * "granted everything it declares, by the fledge CLI": plugins.toml holds no capabilities table for
   * it (the CLI then grants the manifest's whole declared set, and so does this app), or the CLI
   * installed it with its all-or-nothing consent (`--yes` or one "yes"), which records exactly the
   * declared set. `granted` is that set.
   */
  grantedAllByCli: boolean;
  /**
   * Set when the fledge CLI installed or changed this plugin since the app last wrote or approved it:
   * show it for review ("installed or changed by the CLI since we last looked": what it may do, who
   * installed it), not as an error. 'installed' = the app never saw it; 'changed' = its entry differs
   * (reinstalled, updated, granted). Cleared by approving it (PluginService.approve). Null otherwise.
   */
  changedByCli: 'installed' | 'changed' | null;
  /** Who last wrote the entry as it is now: this app, or the fledge CLI (or a hand edit). */
  installedBy: 'fledge-desktop' | 'fledge-cli';
}

/** The folder plugins/<name> links to, or null when it is a real folder (or missing). */
export async function linkedFolder(pluginDir: string): Promise<string | null> {
  const st = await fsp.lstat(pluginDir).catch(() => null);
  if (!st?.isSymbolicLink()) return null;
  return fsp.realpath(pluginDir).catch(async () => fsp.readlink(pluginDir));
}

/** The CLI's five capabilities of `a` and `b` are the same (filesystem none = absent). */
function sameCliGrants(a: Capabilities, b: Capabilities): boolean {
  return (
    a.exec === b.exec &&
    a.store === b.store &&
    a.metadata === b.metadata &&
    a.network === b.network &&
    a.filesystem === b.filesystem
  );
}

export async function interopAuditFields(
  paths: FledgePaths,
  record: PluginRecord,
  declared: Capabilities | null,
): Promise<InteropAuditFields> {
  const changedByCli =
    record.seen === 'installed-elsewhere'
      ? 'installed'
      : record.seen === 'changed-elsewhere'
        ? 'changed'
        : null;
  return {
    linkedTo: await linkedFolder(join(paths.pluginsDir, record.name)),
    grantedAllByCli:
      record.capabilities === undefined ||
      (changedByCli !== null && declared !== null && sameCliGrants(record.capabilities, declared)),
    changedByCli,
    installedBy: changedByCli ? 'fledge-cli' : 'fledge-desktop',
  };
}

/**
 * A plugin the CLI installed or changed runs here only after the person has reviewed it. The error is
 * a `consent_required` with the engine's usual last sentence, so every front end words the next step
 * its own way (the app: "review it on its page").
 */
export function requireReviewed(record: PluginRecord): void {
  if (record.seen === undefined || record.seen === 'as-seen') return;
  const what =
    record.seen === 'installed-elsewhere'
      ? 'was installed by the fledge CLI'
      : 'was changed by the fledge CLI';
  throw new HostError(
    'consent_required',
    `"${record.name}" ${what} since this app last looked: check what it may do and where it comes from. Run "plugins approve ${record.name}" after checking it.`,
  );
}

/** The CLI skips local installs on update; a LINKED one runs its folder's files as they are, so there is nothing to fetch. */
export async function refuseLinkedUpdate(pluginDir: string, name: string): Promise<void> {
  const folder = await linkedFolder(pluginDir);
  if (folder)
    throw new HostError(
      'update_linked',
      `"${name}" is linked to ${folder}: it already runs the files in that folder as they are, so there is nothing to update. Approve it again after the folder changes ("plugins approve ${name}").`,
    );
}

/**
 * After an install or update is in place: the old commands' links go, the new ones are made. A link
 * that cannot be made does not undo the install (the app runs it either way): it comes back as a
 * warning saying what the fledge CLI will not find.
 */
export async function relinkCommands(
  paths: FledgePaths,
  name: string,
  manifest: PluginManifest,
  previousCommands: string[],
): Promise<string[]> {
  const warnings: string[] = [];
  try {
    await unlinkCommands(paths.pluginsDir, name, previousCommands);
    await linkCommands(paths.pluginsDir, name, manifest.commands);
  } catch (err) {
    warnings.push(
      `the fledge CLI will not find the commands of "${name}" (${describeError(err)}); it still runs here`,
    );
  }
  return warnings;
}

/** After a remove: the command links of the plugin go with it (the CLI's links would dangle otherwise). */
export async function removeCommandLinks(paths: FledgePaths, record: PluginRecord): Promise<void> {
  await unlinkCommands(paths.pluginsDir, record.name, record.commands);
}
