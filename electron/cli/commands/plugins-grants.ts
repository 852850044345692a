// `plugins grant|revoke <name> LIST`, `plugins approve <name>`, `plugins remove <name>`.
import { join } from 'node:path';
import { type CapabilityName, parseCapabilityNames } from '../../../shared/capabilities.js';
import { allowFullAccess, withdrawFullAccess } from '../../engine/native/access-store.js';
import { PluginService } from '../../engine/plugins/plugin-service.js';
import { readRegistry } from '../../engine/registry/plugins-toml.js';
import { parseCommandArgs } from '../args.js';
import { type CliCommand, PROGRAM, UsageError } from '../command.js';
import { printRemoveJson } from '../json-documents.js';
import { describeGrants } from './plugins-list.js';
import { configDirFor, reportHostError } from './service.js';

function names(text: string): CapabilityName[] {
  try {
    return parseCapabilityNames(text);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const pluginsGrantCommand: CliCommand = {
  name: 'grant',
  summary: 'grant capabilities to an installed plugin (and approve its current binaries)',
  usage: `Usage: ${PROGRAM} plugins grant <name> LIST

LIST: all, or exec,store,metadata,filesystem,network,clock,random. Only what the plugin asks for can be
granted, and never exec or network to a plugin from an unverified source. Granting also approves
the plugin's wasm binaries as they are now.

LIST "full-access": a native plugin that does not work contained runs with all your permissions from
now on (as its program is now: a changed program is contained again). "plugins revoke NAME full-access"
contains it again.
`,
  async run(argv, io) {
    const { positionals } = parseCommandArgs(argv, {}, { min: 2, max: 2, names: ['<name>', 'LIST'] });
    const service = new PluginService(configDirFor(io), io.cwd);
    return reportHostError(io, async () => {
      if (positionals[1] === 'full-access') {
        await allowFullAccess(
          service.paths.configDir,
          positionals[0]!,
          join(service.paths.pluginsDir, positionals[0]!),
        );
        io.stdout(`${positionals[0]}: runs with full access (not contained), as you\n`);
        return 0;
      }
      const granted = await service.grant(positionals[0]!, names(positionals[1]!));
      io.stdout(`${positionals[0]}: granted ${describeGrants(granted)}\n`);
      return 0;
    });
  },
};

export const pluginsRevokeCommand: CliCommand = {
  name: 'revoke',
  summary: 'withdraw capabilities from an installed plugin',
  usage: `Usage: ${PROGRAM} plugins revoke <name> LIST

LIST: all, or exec,store,metadata,filesystem,network,clock,random; or full-access.
`,
  async run(argv, io) {
    const { positionals } = parseCommandArgs(argv, {}, { min: 2, max: 2, names: ['<name>', 'LIST'] });
    const service = new PluginService(configDirFor(io), io.cwd);
    return reportHostError(io, async () => {
      if (positionals[1] === 'full-access') {
        await withdrawFullAccess(service.paths.configDir, positionals[0]!);
        io.stdout(`${positionals[0]}: contained again where this computer allows it\n`);
        return 0;
      }
      const granted = await service.revoke(positionals[0]!, names(positionals[1]!));
      io.stdout(`${positionals[0]}: granted ${describeGrants(granted)}\n`);
      return 0;
    });
  },
};

export const pluginsApproveCommand: CliCommand = {
  name: 'approve',
  summary: "approve a plugin's wasm binaries again after they changed on disk",
  usage: `Usage: ${PROGRAM} plugins approve <name>

A plugin whose wasm changed after you approved it does not run until you approve it again.
`,
  async run(argv, io) {
    const { positionals } = parseCommandArgs(argv, {}, { min: 1, max: 1, names: ['<name>'] });
    const service = new PluginService(configDirFor(io), io.cwd);
    return reportHostError(io, async () => {
      await service.approve(positionals[0]!);
      io.stdout(`${positionals[0]}: approved as it is now\n`);
      return 0;
    });
  },
};

export const pluginsRemoveCommand: CliCommand = {
  name: 'remove',
  summary: 'remove an installed plugin (its folder, store and data) and its registry entry',
  usage: `Usage: ${PROGRAM} plugins remove <name> [--json]

A plugin linked to a folder (a local install by the fledge CLI) loses only the link, never the folder.
  --json   print the fledge CLI's JSON document ({"schema_version":1,"action":"remove","removed":{...}})
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { json: { type: 'boolean' } },
      { min: 1, max: 1, names: ['<name>'] },
    );
    const service = new PluginService(configDirFor(io), io.cwd);
    return reportHostError(io, async () => {
      const entry = (await readRegistry(service.paths.registryFile)).plugins.find(
        (p) => p.name === positionals[0],
      );
      await service.remove(positionals[0]!);
      if (values.json && entry) printRemoveJson(io, entry);
      else io.stdout(`Removed ${positionals[0]}\n`);
      return 0;
    });
  },
};
