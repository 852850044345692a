// The shape of a CLI command, and the I/O it is given (so tests can run commands in-process).

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when a person can answer questions on the terminal. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Asks a question on the terminal and resolves with the typed line (only when isTTY). */
  ask?: (question: string) => Promise<string>;
}

export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full --help text. */
  usage: string;
  /** A group of subcommands (`plugins`): `--help` after a subcommand is that subcommand's help. */
  group?: boolean;
  /** Returns the process exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** A mistake in how the command was called: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const PROGRAM = 'fledge-desktop';

export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
