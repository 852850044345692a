// The CLI's `run` on its own (dist/cli-run.cjs, which dist/cli.cjs starts for `run ...`): the run path
// and nothing else, so that a run reads, deserialises and sets up a bundle a ninth the size of the
// whole CLI's (test/bench/trivial-run.ts). An installed plugin's run also loads what finds it
// (engine/plugins/resolve-runnable.ts, bundled) and, from dist/cli-run-limits.cjs (with its own code
// cache, as this bundle has), what reads its settings.
import { join } from 'node:path';
import { startFromCodeCache } from '../sandbox/code-cache.js';
import { makeRunCommand, type RunLimitsReader } from './commands/run.js';
import { startCli } from './start-cli.js';

const runCommand = makeRunCommand(async () => {
  const limits = startFromCodeCache(
    join(__dirname, 'cli-run-limits.cjs'),
    process.env.FLEDGE_CLI_CODE_CACHE,
  ) as { cliRunLimits: RunLimitsReader };
  return limits.cliRunLimits;
});

startCli(async () => [runCommand]);
