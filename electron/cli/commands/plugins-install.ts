// `plugins install <source>` and `plugins update [name]`.
import { parseCapabilityNames } from '../../../shared/capabilities.js';
import { readGitHubSettings } from '../../engine/catalog/github-settings.js';
import { progressLines } from '../../engine/catalog/progress-lines.js';
import { PluginService } from '../../engine/plugins/plugin-service.js';
import { readRegistry } from '../../engine/registry/plugins-toml.js';
import { parseCommandArgs } from '../args.js';
import { type CliCommand, type CliIO, PROGRAM, UsageError } from '../command.js';
import { type ConsentFlags, cliConsentPrompt } from '../consent-prompt.js';
import { printInstallJson, printUpdateJson, updateResult } from '../json-documents.js';
import { describeGrants } from './plugins-list.js';
import { configDirFor, reportHostError } from './service.js';

const consentOptions = {
  yes: { type: 'boolean', short: 'y' },
  grant: { type: 'string' },
  'allow-build': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

function flagsFrom(values: { yes?: boolean; grant?: string; 'allow-build'?: boolean }): ConsentFlags {
  let grant = null;
  if (values.grant !== undefined) {
    try {
      grant = parseCapabilityNames(values.grant);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return { yes: values.yes === true, grant, allowBuild: values['allow-build'] === true };
}

const CONSENT_HELP = `  -y, --yes        grant every capability it asks for that its source may have
  --grant LIST     grant exactly these: all, none, or exec,store,metadata,filesystem,network,clock,random
  --allow-build    approve running its build hook (a native shell command, shown before it runs)
Without --yes or --grant, a terminal asks for each capability; without a terminal nothing is granted.
Unverified sources can never be granted exec or network.
  --json           print the fledge CLI's JSON document ({"schema_version":1,"action":...})`;

export const pluginsInstallCommand: CliCommand = {
  name: 'install',
  summary: 'install a plugin from a folder, a .zip/.tar.gz/.tgz archive or a git source, with consent',
  usage: `Usage: ${PROGRAM} plugins install <source> [--yes | --grant LIST] [--allow-build]

<source>: a local folder, an archive (.zip, .tar.gz, .tgz), owner/repo[@ref], an https git URL,
or a local git repository. The plugin is validated, its wasm prepared, and what you grant is
recorded in plugins.toml.

${CONSENT_HELP}
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, consentOptions, {
      min: 1,
      max: 1,
      names: ['<source>'],
    });
    const configDir = configDirFor(io);
    return reportHostError(io, async () => {
      const service = new PluginService(configDir, io.cwd, await readGitHubSettings(configDir, io.env));
      const out = await service.install(positionals[0]!, cliConsentPrompt(io, flagsFrom(values)), {
        onProgress: progressLines(io.stderr),
      });
      if (values.json) await printInstallJson(io, service, out);
      else printOutcome(io, out);
      return 0;
    });
  },
};

function printOutcome(io: CliIO, out: Awaited<ReturnType<PluginService['install']>>): void {
  for (const w of out.warnings) io.stderr(`warning: ${w}\n`);
  if (out.upToDate) {
    io.stdout(`${out.name} ${out.version}: ${out.upToDate}\n`);
    return;
  }
  io.stdout(
    `${out.replaced ? 'Updated' : 'Installed'} ${out.name} ${out.version} (${out.tier}) in ${out.pluginDir}\nGranted: ${describeGrants(out.granted)}\n`,
  );
  if (out.withheld.length)
    io.stdout(
      `Withheld until you approve them: ${out.withheld.join(', ')} (run "${PROGRAM} plugins grant ${out.name} ${out.withheld.join(',')}")\n`,
    );
}

export const pluginsUpdateCommand: CliCommand = {
  name: 'update',
  summary: 'update one installed plugin (or all) from its recorded source',
  usage: `Usage: ${PROGRAM} plugins update [name] [--yes | --grant LIST] [--allow-build]

Fetches the recorded source again and installs the new version; its store and data folder are kept.
A failed update leaves the previous version working. A version that asks for more than you granted
keeps the old grants: the extra ones are withheld until you approve them.

${CONSENT_HELP}
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, consentOptions, { min: 0, max: 1 });
    const configDir = configDirFor(io);
    const service = new PluginService(configDir, io.cwd, await readGitHubSettings(configDir, io.env));
    const names = positionals[0]
      ? [positionals[0]]
      : (await readRegistry(service.paths.registryFile)).plugins.map((p) => p.name);
    if (values.json) {
      const results = [];
      for (const name of names)
        results.push(
          await updateResult(name, () =>
            service.update(name, cliConsentPrompt(io, flagsFrom(values)), {
              onProgress: progressLines(io.stderr),
            }),
          ),
        );
      await printUpdateJson(io, service, positionals[0] ? 'single' : 'all', results);
      return 0; // as the CLI: a failed update is a "failed" result in the document, not an exit code
    }
    let code = 0;
    for (const name of names) {
      code = Math.max(
        code,
        await reportHostError(io, async () => {
          printOutcome(
            io,
            await service.update(name, cliConsentPrompt(io, flagsFrom(values)), {
              onProgress: progressLines(io.stderr),
            }),
          );
          return 0;
        }),
      );
    }
    if (names.length === 0) io.stdout('No plugins installed.\n');
    return code;
  },
};
