// The headless CLI: `npm run --silent cli -- <command>`. Everything it does goes through the engine.
// dist/cli.cjs starts this bundle (dist/cli-main.cjs) for every command but `run`, which has a bundle
// of its own (run-main.ts): a run is the path whose fixed cost counts (the trivial-run benchmark), and
// it needs none of the install, catalog or pack code. This one can run it too.
import type { CliCommand } from './command.js';
import { startCli } from './start-cli.js';

/** The commands to load for this command line (dispatch finds the one named among them). */
async function commandsFor(name: string | undefined): Promise<CliCommand[]> {
  if (name === 'run') return [(await import('./commands/run-command.js')).runCommand];
  return (await import('./command-list.js')).COMMANDS;
}

startCli(commandsFor);
