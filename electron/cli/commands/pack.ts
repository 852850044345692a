// `pack <plugin-dir> [-o FILE] [--allow-build]`: builds a plugin and writes the .zip (+ .sha256) that
// installs without a toolchain: what an author attaches to a release, or drops on the app.
import { visibleText } from '../../../shared/manifest/visible.js';
import { fmtSize } from '../../engine/install/limits.js';
import { packPlugin } from '../../engine/pack/pack-plugin.js';
import { parseCommandArgs } from '../args.js';
import { type CliCommand, PROGRAM } from '../command.js';
import { reportHostError } from './service.js';

export const packCommand: CliCommand = {
  name: 'pack',
  summary: 'build a plugin and write a .zip (+ .sha256) that installs without Rust or git',
  usage: `Usage: ${PROGRAM} pack <plugin-dir> [-o FILE] [--allow-build]

Runs the plugin's build hook (only with your approval of that exact command), checks the result as
an install would, and writes FILE (default <name>-<version>.zip here) holding plugin.toml, each
built .wasm at the path plugin.toml names, and README/LICENSE when present; plus FILE.sha256.
Attach the zip (or the .wasm itself, named as in plugin.toml) to a GitHub release so people without
a toolchain can install the plugin; or install the zip directly.

Options:
  -o, --output FILE   where to write the zip
  --allow-build       approve running the build hook (a native shell command, shown first)
Without --allow-build, a terminal asks; without a terminal, a plugin that needs building is not packed.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { output: { type: 'string', short: 'o' }, 'allow-build': { type: 'boolean' } },
      { min: 1, max: 1, names: ['<plugin-dir>'] },
    );
    return reportHostError(io, async () => {
      const out = await packPlugin(positionals[0]!, {
        cwd: io.cwd,
        env: io.env,
        ...(values.output !== undefined ? { output: values.output } : {}),
        approveBuild: async (hook) => {
          io.stderr(`Build hook (a native shell command): ${visibleText(hook)}\n`);
          if (values['allow-build']) return true;
          if (!io.ask) return false;
          const answer = (await io.ask('Run it? [y/N] ')).trim().toLowerCase();
          return answer === 'y' || answer === 'yes';
        },
        onOutput: (line) => io.stderr(`  | ${line}\n`),
      });
      io.stdout(
        `Packed ${out.zip} (${fmtSize(out.bytes)})\n  sha256 ${out.sha256}  (${out.sha256File})\n  contents: ${out.entries.join(', ')}\n`,
      );
      for (const w of out.wasm) io.stdout(`  ${w.path}: ${fmtSize(w.bytes)}, sha256 ${w.sha256}\n`);
      return 0;
    });
  },
};
