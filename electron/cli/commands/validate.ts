// `validate <plugin-dir> [--strict] [--json]`: the fledge CLI's `plugins validate`, with better messages.
import { resolve } from 'node:path';
import { cliJsonText, validateDocument } from '../../engine/interop/cli-json.js';
import { loadManifest } from '../../engine/manifest/load-manifest.js';
import { parseCommandArgs } from '../args.js';
import { type CliCommand, PROGRAM } from '../command.js';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check a plugin directory (plugin.toml, binaries) the way `fledge plugins validate` does',
  usage: `Usage: ${PROGRAM} validate <plugin-dir> [--strict] [--json]

Checks <plugin-dir>/plugin.toml and the binaries it names. Prints every error and warning at once.

Options:
  --strict   warnings fail too
  --json     print {"schema_version":1,"path","plugin_name","errors":[...],"warnings":[...]},
             the document of \`fledge plugins validate --json\`
Exit code: 0 valid, 1 invalid (or warnings with --strict), 2 wrong usage.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { strict: { type: 'boolean' }, json: { type: 'boolean' } },
      { min: 1, max: 1, names: ['<plugin-dir>'] },
    );
    const report = await loadManifest(resolve(io.cwd, positionals[0]!));
    const failed = report.errors.length > 0 || (values.strict === true && report.warnings.length > 0);
    if (values.json) {
      io.stdout(
        cliJsonText(
          validateDocument({
            path: report.pluginDir,
            plugin_name: report.name,
            errors: report.errors.map((e) => e.message),
            warnings: report.warnings.map((w) => w.message),
          }),
        ),
      );
      return failed ? 1 : 0;
    }
    for (const e of report.errors) io.stderr(`error: ${e.message}\n`);
    for (const w of report.warnings) io.stderr(`warning: ${w.message}\n`);
    const counts = `${report.errors.length} error(s), ${report.warnings.length} warning(s)`;
    if (failed) io.stdout(`${report.pluginDir}: not valid (${counts})\n`);
    else io.stdout(`${report.manifest!.name} ${report.manifest!.version} is valid (${counts})\n`);
    return failed ? 1 : 0;
  },
};
