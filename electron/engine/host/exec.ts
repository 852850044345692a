// The `exec` capability: run a plugin's command through the user's shell, confined to a working
// directory inside the project root or the plugin dir, with a timeout that kills the whole process
// tree and a cap on captured output. Mirrors the fledge CLI (src/protocol/exec.rs), tightened:
// the CLI runs `sh -c`; we run the user's shell, so commands behave as in their terminal.
//
// Environment: the child gets the user's environment unchanged except for variables that belong to
// this app's own process plumbing (Node IPC channel, Electron's run-as-node switch), which would
// otherwise confuse a `node` the command starts. We do NOT filter secrets here: a granted `exec`
// can already read any file the user can (~/.netrc, ~/.aws, ...), so hiding variables would suggest
// a protection that is not there. Consent (issue 5) is where exec's risk is explained.
//
// Process tree: the shell is the leader of its own process group (spawn detached). On timeout,
// cancel, or when the shell exits, the whole group gets SIGKILL, so nothing the command started in
// the background outlives the exec. (A process that calls setsid() itself leaves the group; its
// output pipes are closed on our side when the exec ends, so it cannot hold the exec open.)
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { describeError } from './errors.js';

export const EXEC_DEFAULT_TIMEOUT_MS = 30_000;
export const EXEC_MAX_TIMEOUT_MS = 300_000; // the CLI's cap: 300 s
export const EXEC_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;
const MAX_COMMAND_BYTES = 128 * 1024;

export interface ExecRequest {
  command: string;
  /** Relative to the project root (an absolute path is allowed if it resolves inside an allowed root). */
  cwd?: string;
  timeoutMs?: number;
}

export interface ExecContext {
  projectRoot: string;
  pluginDir: string;
  /** Default: process.env minus the app's plumbing variables (see the header). */
  env?: NodeJS.ProcessEnv;
  /** Default: $SHELL if it is an absolute path to an executable, else /bin/sh. */
  shell?: string;
  maxOutputBytes?: number;
  /** Aborting kills the process tree (the run was cancelled). */
  signal?: AbortSignal;
}

export type ExecErrorCode =
  | 'exec_bad_request'
  | 'exec_cwd_outside'
  | 'exec_cwd_missing'
  | 'exec_spawn_failed';

export interface ExecResult {
  /** Exit code; 124 on timeout, 128+n when killed by signal n, 126 when refused, 127 when the shell could not start. */
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** True if stdout or stderr exceeded the cap and the rest was cut. */
  truncated: boolean;
  stdoutTruncatedBytes: number;
  stderrTruncatedBytes: number;
  /** The real working directory the command ran in (null if it did not run). */
  cwd: string | null;
  /** Set when nothing ran: why, in words for a person (also in `stderr`). */
  error?: { code: ExecErrorCode; message: string };
}

const PLUMBING_VARS = [
  'NODE_CHANNEL_FD',
  'NODE_CHANNEL_SERIALIZATION_MODE',
  'NODE_UNIQUE_ID',
  'ELECTRON_RUN_AS_NODE',
  'ELECTRON_NO_ATTACH_CONSOLE',
];

export function defaultExecEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const k of PLUMBING_VARS) delete env[k];
  return env;
}

function refused(code: ExecErrorCode, message: string): ExecResult {
  return {
    code: 126,
    stdout: '',
    stderr: message,
    durationMs: 0,
    timedOut: false,
    truncated: false,
    stdoutTruncatedBytes: 0,
    stderrTruncatedBytes: 0,
    cwd: null,
    error: { code, message },
  };
}

function isInside(child: string, parent: string): boolean {
  if (child === parent) return true;
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Resolves a requested working directory, following every symlink, and checks that the real path is
 * inside the real project root or the real plugin dir. Returns the real path or a refusal message.
 */
export async function resolveExecCwd(
  cwd: string | undefined,
  projectRoot: string,
  pluginDir: string,
): Promise<{ ok: true; path: string } | { ok: false; code: ExecErrorCode; message: string }> {
  let realRoot: string;
  try {
    realRoot = await fsp.realpath(projectRoot);
  } catch {
    return {
      ok: false,
      code: 'exec_cwd_missing',
      message: `The project folder ${projectRoot} does not exist.`,
    };
  }
  const realPlugin = await fsp.realpath(pluginDir).catch(() => null);
  if (cwd === undefined || cwd === '' || cwd === '.') return { ok: true, path: realRoot };
  const wanted = resolve(realRoot, cwd);
  let real: string;
  try {
    real = await fsp.realpath(wanted);
  } catch {
    return {
      ok: false,
      code: 'exec_cwd_missing',
      message: `The working directory "${cwd}" does not exist in the project; the command was not run.`,
    };
  }
  if (!isInside(real, realRoot) && !(realPlugin && isInside(real, realPlugin))) {
    return {
      ok: false,
      code: 'exec_cwd_outside',
      message: `The working directory "${cwd}" leads outside the project and the plugin's folder (to ${real}); the command was not run.`,
    };
  }
  const st = await fsp.stat(real).catch(() => null);
  if (!st?.isDirectory()) {
    return {
      ok: false,
      code: 'exec_cwd_missing',
      message: `The working directory "${cwd}" is not a folder; the command was not run.`,
    };
  }
  return { ok: true, path: real };
}

/** Validates an exec request as a plugin sends it (`{command, cwd?, timeout?}`, timeout in seconds). */
export function parseExecRequest(
  msg: unknown,
): { ok: true; request: ExecRequest } | { ok: false; message: string } {
  if (typeof msg !== 'object' || msg === null)
    return { ok: false, message: 'exec: the request must be an object.' };
  const m = msg as Record<string, unknown>;
  if (typeof m.command !== 'string') return { ok: false, message: 'exec: "command" must be a string.' };
  if (m.cwd !== undefined && m.cwd !== null && typeof m.cwd !== 'string') {
    return { ok: false, message: 'exec: "cwd" must be a string.' };
  }
  let timeoutMs: number | undefined;
  if (m.timeout !== undefined && m.timeout !== null) {
    if (typeof m.timeout !== 'number' || !Number.isFinite(m.timeout) || m.timeout <= 0) {
      return { ok: false, message: 'exec: "timeout" must be a positive number of seconds.' };
    }
    timeoutMs = Math.round(m.timeout * 1000);
  }
  const request: ExecRequest = { command: m.command };
  if (typeof m.cwd === 'string') request.cwd = m.cwd;
  if (timeoutMs !== undefined) request.timeoutMs = timeoutMs;
  return { ok: true, request };
}

function pickShell(ctx: ExecContext): { file: string; args: (cmd: string) => string[] } {
  if (process.platform === 'win32') {
    const comspec = ctx.shell ?? process.env.ComSpec ?? 'cmd.exe';
    return { file: comspec, args: (cmd) => ['/d', '/s', '/c', cmd] };
  }
  const candidate = ctx.shell ?? process.env.SHELL;
  const file = candidate && isAbsolute(candidate) ? candidate : '/bin/sh';
  return { file, args: (cmd) => ['-c', cmd] };
}

/** Keeps the first `max` bytes of a stream, counts the rest, and never stops reading. */
class CappedSink {
  private chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    const room = this.max - this.kept;
    if (room <= 0) {
      this.dropped += chunk.length;
      return;
    }
    if (chunk.length <= room) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
    } else {
      this.chunks.push(chunk.subarray(0, room));
      this.kept += room;
      this.dropped += chunk.length - room;
    }
  }
  text(): string {
    let buf = Buffer.concat(this.chunks, this.kept);
    if (this.dropped > 0) buf = buf.subarray(0, utf8Boundary(buf));
    return buf.toString('utf8');
  }
}

/** Length of `buf` without a UTF-8 sequence cut in half at its end. */
function utf8Boundary(buf: Buffer): number {
  let i = buf.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return buf.length;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? i : buf.length;
}

function killTree(pid: number): void {
  if (process.platform === 'win32') {
    spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
      'error',
      () => {},
    );
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Process groups of execs in flight: killed if this process exits first (they were spawned detached). */
const inFlight = new Set<number>();
let exitHookInstalled = false;
function track(pid: number): void {
  inFlight.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const p of inFlight) killTree(p);
    });
  }
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGTERM: 15,
  SIGPIPE: 13,
};

/**
 * Runs `request.command` via the user's shell. Never throws for a bad request or a refused cwd:
 * the result says what happened (code 126 and the reason in `stderr` and `error`), as the protocol
 * answers a plugin.
 */
export async function runExec(request: ExecRequest, ctx: ExecContext): Promise<ExecResult> {
  if (typeof request.command !== 'string' || request.command.trim() === '') {
    return refused('exec_bad_request', 'The command is empty; nothing was run.');
  }
  if (request.command.includes('\0')) {
    return refused('exec_bad_request', 'The command contains a NUL character; nothing was run.');
  }
  if (Buffer.byteLength(request.command) > MAX_COMMAND_BYTES) {
    return refused(
      'exec_bad_request',
      `The command is longer than ${MAX_COMMAND_BYTES / 1024} KB; nothing was run.`,
    );
  }
  let timeoutMs = request.timeoutMs ?? EXEC_DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return refused('exec_bad_request', 'The timeout must be a positive number; nothing was run.');
  }
  timeoutMs = Math.min(timeoutMs, EXEC_MAX_TIMEOUT_MS);
  if (ctx.signal?.aborted) return refused('exec_bad_request', 'The run was cancelled; nothing was run.');

  const where = await resolveExecCwd(request.cwd, ctx.projectRoot, ctx.pluginDir);
  // The run may have ended while the folder was being resolved (a deep tree takes a while): the
  // abort then came before the listener below exists, so it is checked again, after every await.
  if (ctx.signal?.aborted) return refused('exec_bad_request', 'The run was cancelled; nothing was run.');
  if (!where.ok) return refused(where.code, where.message);

  const shell = pickShell(ctx);
  const max = ctx.maxOutputBytes ?? EXEC_MAX_OUTPUT_BYTES;
  const out = new CappedSink(max);
  const err = new CappedSink(max);
  const started = performance.now();

  return await new Promise<ExecResult>((resolvePromise) => {
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;

    const child = spawn(shell.file, shell.args(request.command), {
      cwd: where.path,
      env: ctx.env ?? defaultExecEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    if (child.pid !== undefined) track(child.pid);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));

    const finish = (override?: { code: number; message: string }) => {
      if (settled) return;
      settled = true;
      if (child.pid !== undefined) inFlight.delete(child.pid);
      clearTimeout(timer);
      clearTimeout(closeGrace);
      ctx.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      let code: number;
      if (override) code = override.code;
      else if (timedOut) code = 124;
      else if (exitCode !== null) code = exitCode;
      else code = 128 + (SIGNALS[exitSignal ?? ''] ?? 9);
      let stderr = err.text();
      if (override) stderr = stderr ? `${stderr}\n${override.message}` : override.message;
      else if (timedOut) {
        const note = `The command was stopped after ${timeoutMs / 1000} s (time limit).`;
        stderr = stderr ? `${stderr}\n${note}` : note;
      } else if (cancelled) {
        const note = 'The command was stopped because the run was cancelled.';
        stderr = stderr ? `${stderr}\n${note}` : note;
      }
      const result: ExecResult = {
        code,
        stdout: out.text(),
        stderr,
        durationMs: Math.round(performance.now() - started),
        timedOut,
        truncated: out.dropped > 0 || err.dropped > 0,
        stdoutTruncatedBytes: out.dropped,
        stderrTruncatedBytes: err.dropped,
        cwd: where.path,
      };
      if (override) result.error = { code: 'exec_spawn_failed', message: override.message };
      resolvePromise(result);
    };

    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killTree(child.pid);
    }, timeoutMs);
    let closeGrace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      cancelled = true;
      if (child.pid !== undefined) killTree(child.pid);
    };
    ctx.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (e) => {
      finish({ code: 127, message: `Could not start the shell ${shell.file}: ${describeError(e)}` });
    });
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      // The shell is gone: end anything it left running in its group, then wait (briefly) for the
      // pipes to drain. A process that escaped the group could hold them open: don't wait for it.
      if (child.pid !== undefined) killTree(child.pid);
      closeGrace = setTimeout(() => finish(), 2_000);
    });
    child.on('close', () => finish());
  });
}
