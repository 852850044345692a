// `plugins audit [--json]`: what each installed plugin may do, and whether its approval still holds.
import { join } from 'node:path';
import { nativeAccessSummary } from '../../engine/native/access-summary.js';
import { PluginService } from '../../engine/plugins/plugin-service.js';
import { parseCommandArgs } from '../args.js';
import { cliNotes } from '../cli-notes.js';
import { type CliCommand, PROGRAM } from '../command.js';
import { describeGrants } from './plugins-list.js';
import { configDirFor, reportHostError } from './service.js';

export const pluginsAuditCommand: CliCommand = {
  name: 'audit',
  summary: 'runtime, sandboxing, trust tier, grants, commands and consent state of every plugin',
  usage: `Usage: ${PROGRAM} plugins audit [--json]
`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    const service = new PluginService(configDirFor(io), io.cwd);
    return reportHostError(io, async () => {
      const rows = await service.audit();
      if (values.json) {
        io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
        return 0;
      }
      if (rows.length === 0) io.stdout('No plugins installed.\n');
      for (const r of rows) {
        const how =
          r.runtime === 'native'
            ? await nativeAccessSummary(
                service.paths.configDir,
                r.name,
                join(service.paths.pluginsDir, r.name),
                r.granted,
              )
            : r.sandboxed
              ? 'sandboxed'
              : 'NOT sandboxed';
        io.stdout(
          `${r.name} ${r.version}\n  runtime: ${r.runtime} (${how})\n  trust: ${r.tier} (${r.source})\n  granted: ${describeGrants(r.granted)}\n  declared: ${describeGrants(r.declared ?? undefined)}\n  commands: ${r.commands.join(', ') || 'none'}\n  consent: ${r.consentProblems.length ? `NEEDS APPROVAL: ${r.consentProblems.join('; ')}` : 'approved'}\n  store: ${r.store ? `${r.store.keys} key(s), ${r.store.totalBytes} bytes` : 'unreadable'}; data folder: ${r.data.files} file(s), ${r.data.bytes} bytes${r.data.partial ? ' or more' : ''}\n${cliNotes(r)}`,
        );
      }
      return 0;
    });
  },
};
