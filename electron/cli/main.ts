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

// No top-level await: the bundle is CommonJS, so that its compiled code can be cached (build/bundle.mjs).
const io = nodeIO();
dispatch(process.argv.slice(2), io, COMMANDS, { prefix: PROGRAM, usage: MAIN_USAGE }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    io.stderr(`${PROGRAM}: ${err.message}\n`);
    process.exitCode = 1;
  },
);
