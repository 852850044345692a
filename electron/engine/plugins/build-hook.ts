// Runs a plugin's build hook: a native command, so only ever with the person's approval of that
// exact text (the caller checks). Run as the fledge CLI 1.8 runs hooks (native/hook-command.ts: the
// file it names, else its words without a shell), in the staged plugin folder, with a time limit.
import { spawn } from 'node:child_process';
import { visibleText } from '../../../shared/manifest/visible.js';
import { HostError } from '../host/errors.js';
import { hookEnv, hookInvocation } from '../native/hook-command.js';

export const BUILD_TIMEOUT_MS = 10 * 60 * 1000;
const MAX_LOG = 64 * 1024;

export interface BuildResult {
  /** The last 64 KB of what the build printed. */
  log: string;
}

export interface BuildHookOptions {
  /** Each line the build prints (stdout and stderr), as it comes. */
  onOutput?: (line: string) => void;
  /** Aborting kills the build (its whole process group). */
  signal?: AbortSignal;
  /** FLEDGE_REPO_ROOT for the hook (default: this process's working directory). */
  repoRoot?: string;
  /** What the hook is, in messages (default "build hook"). */
  what?: string;
}

export function runBuildHook(
  command: string,
  cwd: string,
  timeoutMs = BUILD_TIMEOUT_MS,
  options: BuildHookOptions = {},
): Promise<BuildResult> {
  return new Promise((resolvePromise, reject) => {
    const hook = hookInvocation(command, cwd);
    if (!hook) {
      resolvePromise({ log: '' });
      return;
    }
    const child = spawn(hook.file, hook.args, {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: hookEnv(process.env, cwd, options.repoRoot ?? process.cwd()),
    });
    let log = '';
    let partial = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log = (log + text).slice(-MAX_LOG);
      if (!options.onOutput) return;
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop()!.slice(-MAX_LOG);
      for (const line of lines) if (line.trim()) options.onOutput(line);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new HostError('build_failed', `the ${options.what ?? 'build hook'} could not start: ${err.message}`),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      if (options.signal?.aborted)
        reject(new HostError('install_cancelled', 'Cancelled while building; nothing was installed.'));
      else if (code === 0) resolvePromise({ log });
      else
        reject(
          new HostError(
            'build_failed',
            timedOut
              ? `the ${options.what ?? 'build hook'} "${visibleText(command)}" took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`
              : `the ${options.what ?? 'build hook'} "${visibleText(command)}" failed (${signal ? `killed by ${signal}` : `exit code ${code}`}):\n${log.slice(-4000)}`,
          ),
        );
    });
  });
}
