// The headless CLI: `npm run --silent cli -- <command>`. Everything it does goes through the engine.
import { PROGRAM } from './command.js';
import { COMMANDS } from './command-list.js';
import { commandListText, dispatch } from './dispatch.js';
import { nodeIO } from './node-io.js';

export const MAIN_USAGE = `${PROGRAM}: run fledge plugins safely, without Electron.

Usage: ${PROGRAM} <command> [options]

${commandListText('Commands:', COMMANDS)}
Run "${PROGRAM} <command> --help" for a command's options.
The config dir is $FLEDGE_CONFIG_DIR, else the platform's config dir + "fledge" (as the fledge CLI).
`;

const io = nodeIO();
try {
  process.exitCode = await dispatch(process.argv.slice(2), io, COMMANDS, {
    prefix: PROGRAM,
    usage: MAIN_USAGE,
  });
} catch (err) {
  io.stderr(`${PROGRAM}: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
