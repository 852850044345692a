import { createInterface } from 'node:readline/promises';
import type { CliIO } from './command.js';

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export function nodeIO(): CliIO {
  const isTTY = Boolean(process.stdin.isTTY && process.stdout.isTTY);
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
