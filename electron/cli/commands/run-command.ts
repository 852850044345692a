// `run` as the whole CLI (dist/cli-main.cjs) has it: an installed plugin's settings are read by the
// engine's own code, bundled with it.
import { makeRunCommand } from './run.js';

export const runCommand = makeRunCommand(
  async () => (await import('../../engine/app/run-policy.js')).cliRunLimits,
);
