// What Electron's child-process-gone reasons mean for a run, in words for the person reading them.
import type { SandboxExit } from '../../engine/runs/launcher.js';

export type ExitCause = NonNullable<SandboxExit['cause']>;

/** The cause to report for a sandbox process Electron says is gone; null when the exit code says enough. */
export function causeOfGone(reason: string, exitCode: number): ExitCause | null {
  switch (reason) {
    case 'oom':
    case 'memory-eviction':
      return { reason: 'memory', detail: 'the sandbox process ran out of memory and the system stopped it' };
    case 'crashed':
      return { reason: 'crash', detail: `the sandbox process crashed (code ${exitCode})` };
    case 'killed':
      return { reason: 'crash', detail: 'the sandbox process was killed from outside the app' };
    case 'launch-failed':
      return { reason: 'error', detail: `the sandbox process could not be started (error ${exitCode})` };
    case 'integrity-failure':
      return { reason: 'error', detail: "the sandbox process failed the app's code integrity check" };
    default:
      return null; // clean-exit, abnormal-exit: the exit code tells it
  }
}
