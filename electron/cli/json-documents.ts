// `--json` for plugins install / update / remove: the fledge CLI 1.8's documents (schema_version 1,
// its field names; see engine/interop/cli-json.ts), so a script written for one tool reads the other.
import { HostError } from '../engine/host/errors.js';
import {
  cliCapabilities,
  cliJsonText,
  type InstalledReport,
  installDocument,
  removeDocument,
  type UpdateResult,
  updateDocument,
} from '../engine/interop/cli-json.js';
import type { InstallOutcome, PluginService } from '../engine/plugins/plugin-service.js';
import { type PluginRecord, readRegistry } from '../engine/registry/plugins-toml.js';
import type { CliIO } from './command.js';

const print = (io: CliIO, doc: unknown) => io.stdout(cliJsonText(doc));

async function entry(service: PluginService, name: string): Promise<PluginRecord | undefined> {
  return (await readRegistry(service.paths.registryFile)).plugins.find((p) => p.name === name);
}

export async function printInstallJson(
  io: CliIO,
  service: PluginService,
  out: InstallOutcome,
): Promise<void> {
  const e = await entry(service, out.name);
  const report: InstalledReport = {
    name: out.name,
    source: e?.source ?? '',
    version: out.version,
    trust_tier: out.tier,
    commands: e?.commands ?? [],
    pinned_ref: e?.pinned_ref ?? null,
    capabilities: cliCapabilities(out.granted),
  };
  print(io, installDocument([report]));
}

/** One update's result, as the CLI reports it: a linked install is "skipped", an error "failed". */
export async function updateResult(
  name: string,
  update: () => Promise<InstallOutcome>,
): Promise<UpdateResult> {
  try {
    const out = await update();
    // As fledge 1.8 reports an install with nothing newer: skipped, with why.
    if (out.upToDate) return { name, status: 'skipped', detail: out.upToDate };
    return { name, status: 'updated', version: out.version, commands: [] };
  } catch (err) {
    if (!(err instanceof HostError)) throw err;
    return { name, status: err.code === 'update_linked' ? 'skipped' : 'failed', detail: err.message };
  }
}

export async function printUpdateJson(
  io: CliIO,
  service: PluginService,
  scope: 'single' | 'all',
  results: UpdateResult[],
): Promise<void> {
  for (const r of results)
    if (r.status === 'updated') r.commands = (await entry(service, r.name))?.commands ?? [];
  print(io, updateDocument(scope, results));
}

export function printRemoveJson(io: CliIO, removed: PluginRecord): void {
  print(io, removeDocument(removed));
}
