// Running the `git` CLI for read-only queries and for installs: no shell, a timeout, a bounded
// output, never a prompt for credentials, never a pager, the user's config otherwise respected.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describeError, errnoCode, HostError } from './errors.js';

export interface GitResult {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  cwd?: string;
  timeoutMs?: number;
  maxBuffer?: number;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills git (the run it serves has ended). */
  signal?: AbortSignal;
}

export function gitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    GIT_TERMINAL_PROMPT: '0', // fail instead of asking for a password on a terminal we don't have
    GIT_ASKPASS: base.GIT_ASKPASS ?? '',
    SSH_ASKPASS: base.SSH_ASKPASS ?? '',
    GCM_INTERACTIVE: 'never',
    // ssh must not wait for a host-key or passphrase answer nobody can give.
    GIT_SSH_COMMAND: base.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
    GIT_PAGER: 'cat',
    LC_ALL: 'C', // stable, parseable messages
  };
}

/** Runs git; resolves with the outcome (never rejects for a non-zero exit). Throws `git_missing` if git is not installed. */
export function runGit(args: string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 10_000,
        killSignal: 'SIGKILL',
        maxBuffer: options.maxBuffer ?? 4 * 1024 * 1024,
        env: options.env ?? gitEnv(),
        ...(options.signal ? { signal: options.signal } : {}),
        windowsHide: true,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err && errnoCode(err) === 'ENOENT' && (err as { path?: string }).path === 'git') {
          // Node reports a missing working directory exactly like a missing program.
          if (options.cwd && !existsSync(options.cwd)) {
            resolve({
              ok: false,
              code: null,
              stdout: '',
              stderr: `the folder ${options.cwd} does not exist`,
            });
            return;
          }
          reject(
            new HostError(
              'git_missing',
              'git is not installed (or not on PATH); it is needed for this step.',
              {
                cause: err,
              },
            ),
          );
          return;
        }
        if (err) {
          const code =
            typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
          const killed = (err as { killed?: boolean }).killed;
          resolve({
            ok: false,
            code,
            stdout: String(stdout ?? ''),
            stderr: killed ? `git ${args[0]} timed out` : String(stderr ?? '') || describeError(err),
          });
          return;
        }
        resolve({ ok: true, code: 0, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Non-empty lines of output. */
export function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.length > 0);
}
