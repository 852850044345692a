// What both CLI bundles do with a command line (main.ts: every command; run-main.ts: `run` alone):
// load the commands it may name, dispatch it, and leave with its exit code.
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

/** Runs this process's command line; `commandsFor` loads the commands to dispatch it among. */
export function startCli(commandsFor: (name: string | undefined) => Promise<CliCommand[]>): void {
  // No top-level await: the bundles are CommonJS, so that their compiled code can be cached (build/bundle.mjs).
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
}
