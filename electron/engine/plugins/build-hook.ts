// Runs a plugin's build hook: a native shell command, so only ever with the person's approval of
// that exact command (the caller checks). Runs in the staged plugin folder, with a time limit.
import { spawn } from 'node:child_process';
import { visibleText } from '../../../shared/manifest/visible.js';
import { HostError } from '../host/errors.js';

export const BUILD_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_LOG = 64 * 1024;

export interface BuildResult {
  /** The last 64 KB of what the build printed. */
  log: string;
}

export function runBuildHook(
  command: string,
  cwd: string,
  timeoutMs = BUILD_TIMEOUT_MS,
): Promise<BuildResult> {
  return new Promise((resolvePromise, reject) => {
    const shell = process.env.SHELL?.startsWith('/') ? process.env.SHELL : '/bin/sh';
    const child = spawn(shell, ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-MAX_LOG);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new HostError('build_failed', `the build hook could not start: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise({ log });
      else
        reject(
          new HostError(
            'build_failed',
            timedOut
              ? `the build hook "${visibleText(command)}" took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`
              : `the build hook "${visibleText(command)}" failed (${signal ? `killed by ${signal}` : `exit code ${code}`}):\n${log.slice(-4000)}`,
          ),
        );
    });
  });
}
