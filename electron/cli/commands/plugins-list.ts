// `plugins list [--json]`: what plugins.toml holds.
import type { Capabilities } from '../../../shared/capabilities.js';
import { fledgePaths } from '../../engine/registry/config-dir.js';
import { RegistryError, readRegistry } from '../../engine/registry/plugins-toml.js';
import { parseCommandArgs } from '../args.js';
import { type CliCommand, PROGRAM } from '../command.js';
import { configDirFor } from './service.js';

export function describeGrants(caps: Capabilities | undefined): string {
  if (!caps) return 'none';
  const parts: string[] = [];
  for (const name of ['exec', 'store', 'metadata', 'network', 'clock', 'random'] as const)
    if (caps[name]) parts.push(name);
  if (caps.filesystem !== 'none') parts.push(`filesystem=${caps.filesystem}`);
  return parts.length ? parts.join(', ') : 'none';
}

export const pluginsListCommand: CliCommand = {
  name: 'list',
  summary: 'list installed plugins: name, version, runtime, source, granted capabilities',
  usage: `Usage: ${PROGRAM} plugins list [--json]

Lists the plugins recorded in plugins.toml (the fledge CLI's registry) in the config dir.

Options:
  --json   print a JSON array of {name, version, runtime, source, installed, commands, capabilities}
`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    const paths = fledgePaths(configDirFor(io));
    let registry: Awaited<ReturnType<typeof readRegistry>>;
    try {
      registry = await readRegistry(paths.registryFile);
    } catch (err) {
      if (err instanceof RegistryError) {
        io.stderr(`error: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (values.json) {
      const rows = registry.plugins.map((p) => ({
        name: p.name,
        version: p.version,
        runtime: p.runtime ?? 'native',
        source: p.source,
        installed: p.installed,
        commands: p.commands,
        capabilities: p.capabilities ?? null,
      }));
      io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (registry.plugins.length === 0) {
      io.stdout(`No plugins installed (${paths.registryFile}).\n`);
      return 0;
    }
    const rows = registry.plugins.map((p) => [
      p.name,
      p.version,
      p.runtime ?? 'native',
      p.source,
      p.capabilities ? describeGrants(p.capabilities) : 'all it declares (by the fledge CLI)',
    ]);
    const header = ['NAME', 'VERSION', 'RUNTIME', 'SOURCE', 'GRANTED'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows])
      io.stdout(
        `${row
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    return 0;
  },
};
