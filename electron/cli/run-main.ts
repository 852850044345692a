// The CLI's `run` on its own (dist/cli-run.cjs, which dist/cli.cjs starts for `run ...`): the run path
// and nothing else, so that a run reads, deserialises and sets up a bundle a ninth the size of the
// whole CLI's (test/bench/trivial-run.ts). An installed plugin's run also loads what finds it
// (engine/plugins/resolve-runnable.ts, bundled) and, from dist/cli-run-limits.cjs, what reads its
// settings.
import { createRequire } from 'node:module';
import type { RunLimitsReader } from './commands/run.js';
import { makeRunCommand } from './commands/run.js';
import { startCli } from './start-cli.js';

const runCommand = makeRunCommand(
  async () =>
    (createRequire(import.meta.url)('./cli-run-limits.cjs') as { cliRunLimits: RunLimitsReader })
      .cliRunLimits,
);

startCli(async () => [runCommand]);
