// The headless CLI: `npm run --silent cli -- <command>`. Everything it does goes through the engine.
// Only the code of the command named is loaded: `run` is the path whose fixed cost counts (the
// trivial-run benchmark), and it needs none of the install, catalog or pack code.
import { type CliCommand, PROGRAM } from './command.js';
import { commandListText, dispatch } from './dispatch.js';
import { nodeIO } from './node-io.js';

export function mainUsage(commands: CliCommand[]): string {
  return `${PROGRAM}: run fledge plugins safely, without Electron.

Usage: ${PROGRAM} <command> [options]

${commandListText('Commands:', commands)}
Run "${PROGRAM} <command> --help" for a command's options.
The config dir is $FLEDGE_CONFIG_DIR, else the platform's config dir + "fledge" (as the fledge CLI).
`;
}

/** The commands to load for this command line (dispatch finds the one named among them). */
async function commandsFor(name: string | undefined): Promise<CliCommand[]> {
  if (name === 'run') return [(await import('./commands/run.js')).runCommand];
  return (await import('./command-list.js')).COMMANDS;
}

// No top-level await: the bundle is CommonJS, so that its compiled code can be cached (build/bundle.mjs).
const io = nodeIO();
const argv = process.argv.slice(2);
commandsFor(argv[0])
  .then((commands) => dispatch(argv, io, commands, { prefix: PROGRAM, usage: mainUsage(commands) }))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      io.stderr(`${PROGRAM}: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
