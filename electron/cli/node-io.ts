import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import type { CliIO } from './command.js';

async function ask(question: string): Promise<string> {
  // Loaded at the first question: most runs ask none (createRequire: the CLI's bundle is CommonJS).
  const { createInterface } = createRequire(import.meta.url)(
    'node:readline/promises',
  ) as typeof import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export function nodeIO(): CliIO {
  // isatty(0), not process.stdin.isTTY: that getter builds the stdin stream (and loads Node's stream
  // code), which a run that asks nothing never reads (~3 ms of a trivial run's CPU).
  const isTTY = isatty(0) && Boolean(process.stdout.isTTY);
  const io: CliIO = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY,
    env: process.env,
    cwd: process.cwd(),
  };
  if (isTTY) io.ask = ask;
  return io;
}
