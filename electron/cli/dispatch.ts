// Finds the command named by argv[0] and runs it, turning usage mistakes into exit code 2.
import { type CliCommand, type CliIO, PROGRAM, UsageError, wantsHelp } from './command.js';

export function commandListText(title: string, commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `${title}\n${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n`;
}

export async function dispatch(
  argv: string[],
  io: CliIO,
  commands: CliCommand[],
  context: { prefix: string; usage: string },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(context.usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`${context.prefix}: unknown command "${name}". Run "${context.prefix} --help" for the list.\n`);
    return 2;
  }
  const subcommandHelp = command.group === true && rest[0] !== undefined && !rest[0].startsWith('-');
  if (wantsHelp(rest) && !command.name.includes(' ') && !subcommandHelp) {
    io.stdout(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(
        `${context.prefix} ${name}: ${err.message}\nRun "${context.prefix} ${name} --help" for usage.\n`,
      );
      return 2;
    }
    throw err;
  }
}

export { PROGRAM };
