// Every top-level command of the CLI, in the order --help lists them.
import type { CliCommand } from './command.js';
import { packCommand } from './commands/pack.js';
import { pluginsCommand } from './commands/plugins.js';
import { runCommand } from './commands/run-command.js';
import { validateCommand } from './commands/validate.js';

export const COMMANDS: CliCommand[] = [validateCommand, runCommand, pluginsCommand, packCommand];
