// A native plugin's process, behind the same small interface as a sandbox process (SandboxProcess),
// so a Run drives it exactly as it drives a WASM run: `start` sends init, `answer`/`hostResult` become
// `response` lines, `cancel` a `cancel` line (a plain command gets SIGTERM), and kill() ends the whole
// process tree. Its stdout becomes run events (fledge-v1 lines, or plain output), its stderr `stderr`
// events. Back-pressure: stdout and stderr are read only as fast as events are handed on; reading
// pauses while many host calls wait or the plugin does not read its answers.
import { type ChildProcess, spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Capabilities } from '../../../shared/capabilities.js';
import type {
  FromSandbox,
  HostOp,
  LogLevel,
  RunEvent,
  ToSandbox,
  WorkerEnd,
} from '../../sandbox/protocol.js';
import type { SandboxExit, SandboxProcess } from '../runs/launcher.js';
import { LineSplitter } from './line-splitter.js';
import { ProtocolSession } from './protocol-session.js';
import { killTree } from './tree-kill.js';

/** A protocol line longer than this is skipped (with a warning). */
export const MAX_PROTOCOL_LINE_BYTES = 16 << 20;
/** A stderr line longer than this is passed on in pieces. */
export const MAX_STDERR_LINE_BYTES = 64 << 10;
/** Host calls waiting for the engine before the plugin's output is held back. */
const MAX_PENDING_HOST_CALLS = 64;
/** Answers written but not yet read by the plugin before its output is held back. */
const MAX_PENDING_INPUT_BYTES = 16 << 20;
/** After the plugin exits, how long its pipes may stay open (held by an escaped child) before the end. */
const CLOSE_GRACE_MS = 2000;

export interface NativeSpawn {
  pluginName: string;
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** fledge-v1 (init on stdin, one JSON message per line) or a plain command. */
  protocol: boolean;
  granted: Capabilities;
  /** bwrap reports a program killed by signal N as exit code 128 + N: read such codes as that signal. */
  signalExitCodes?: boolean;
  /** Host log lines that open the run (how it is contained, or why it is not). */
  notes?: { level: LogLevel; message: string }[];
}

function signalOfExitCode(code: number | null): string | null {
  if (code === null || code <= 128) return null;
  return Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0] ?? null;
}

export class NativeProcess implements SandboxProcess {
  exited = false;
  private readonly child: ChildProcess;
  private readonly session: ProtocolSession | null;
  private readonly messageListeners: ((msg: FromSandbox) => void)[] = [];
  private readonly exitListeners: ((exit: SandboxExit) => void)[] = [];
  private readonly stdout: LineSplitter | null;
  private readonly stderr: LineSplitter;
  private readonly decoder = new TextDecoder('utf-8');
  private batch: RunEvent[] = [];
  private exitInfo: SandboxExit | null = null;
  private endInfo: WorkerEnd | null = null;
  private streamsOpen = 2;
  private spawnError: Error | null = null;
  private inputBlocked = false;
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(private readonly spec: NativeSpawn) {
    this.child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: process.platform !== 'win32',
      stdio: [spec.protocol ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.session = spec.protocol
      ? new ProtocolSession(spec.pluginName, spec.granted, {
          event: (e) => this.batch.push(e),
          hostCall: (callId, op, payload) => this.hostCall(callId, op, payload),
          write: (line) => this.write(line),
        })
      : null;
    this.stdout = spec.protocol
      ? new LineSplitter({
          maxLineBytes: MAX_PROTOCOL_LINE_BYTES,
          overlong: 'drop',
          onLine: (line) => this.session!.handleLine(line),
          onDropped: (bytes) =>
            this.hostLog(`sent a line of ${bytes} bytes, longer than ${MAX_PROTOCOL_LINE_BYTES} (skipped).`),
        })
      : null;
    this.stderr = new LineSplitter({
      maxLineBytes: MAX_STDERR_LINE_BYTES,
      overlong: 'cut',
      onLine: (line) => this.batch.push({ type: 'stderr', t: Date.now(), line }),
    });
    this.child.stdin?.on('error', () => {
      // EPIPE: the plugin closed its stdin or exited; what it did not read does not matter any more
    });
    this.child.stdin?.on('drain', () => this.updateFlow());
    this.child.stdout!.on('data', (chunk: Buffer) => {
      if (this.stdout) this.stdout.push(chunk);
      else {
        const text = this.decoder.decode(chunk, { stream: true });
        if (text) this.batch.push({ type: 'output', t: Date.now(), text });
      }
      this.flush();
      this.updateFlow();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk);
      this.flush();
    });
    for (const stream of [this.child.stdout!, this.child.stderr!])
      stream.on('close', () => {
        this.streamsOpen--;
        this.maybeEnd();
      });
    this.child.on('error', (err) => {
      this.spawnError = err;
      this.exited = true;
      this.maybeEnd();
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitInfo = { code, signal, stderrTail: '' };
      // What the plugin left running (a background child) ends with it; its pipes then close.
      if (this.child.pid) killTree(this.child.pid, 'SIGKILL');
      this.closeTimer = setTimeout(() => this.forceClose(), CLOSE_GRACE_MS);
      this.maybeEnd();
    });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  /** The most bytes the engine ever held of one partial stdout line (back-pressure, for tests). */
  get peakHeldBytes(): number {
    return this.stdout?.peakHeldBytes ?? 0;
  }

  postMessage(msg: ToSandbox): void {
    if (this.endInfo) return;
    switch (msg.kind) {
      case 'start':
        for (const note of this.spec.notes ?? [])
          this.batch.push({
            type: 'log',
            t: Date.now(),
            level: note.level,
            message: note.message,
            source: 'host',
          });
        this.flush();
        this.session?.sendInit(msg.start.init);
        return;
      case 'answer':
        this.session?.answer(msg.id, msg.value);
        return;
      case 'hostResult':
        this.session?.hostResult(msg.callId, msg.value);
        this.updateFlow();
        return;
      case 'cancel':
        if (this.session) this.session.cancel(msg.reason);
        else if (this.child.pid && !this.exited) killTree(this.child.pid, 'SIGTERM');
        return;
    }
  }

  onMessage(listener: (msg: FromSandbox) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: (exit: SandboxExit) => void): void {
    if (this.endInfo && this.exitInfo) listener(this.exitInfo);
    else this.exitListeners.push(listener);
  }

  /** Ends the plugin and everything it started, at once. */
  kill(): void {
    if (this.child.pid && !this.endInfo) killTree(this.child.pid, 'SIGKILL');
  }

  setActive(): void {
    // a native process always keeps the engine alive while it runs
  }

  // ---- internals ----------------------------------------------------------------------------------

  private send(msg: FromSandbox): void {
    for (const l of this.messageListeners) l(msg);
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    this.send({ kind: 'events', json: JSON.stringify(events) });
  }

  private hostCall(callId: number, op: HostOp, payload: unknown): void {
    this.flush(); // the events before it come first
    this.send({ kind: 'hostCall', callId, op, payload });
  }

  private write(line: string): void {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return;
    stdin.write(`${line}\n`);
  }

  private hostLog(what: string): void {
    this.batch.push({
      type: 'log',
      t: Date.now(),
      level: 'warn',
      message: `Plugin '${this.spec.pluginName}' ${what}`,
      source: 'host',
    });
  }

  /** Holds back the plugin's output while the engine or the plugin is behind. */
  private updateFlow(): void {
    const stdout = this.child.stdout!;
    const pendingInput = this.child.stdin?.writableLength ?? 0;
    const behind =
      (this.session?.pendingHostCalls ?? 0) >= MAX_PENDING_HOST_CALLS ||
      pendingInput > MAX_PENDING_INPUT_BYTES;
    this.inputBlocked = behind;
    if (behind) stdout.pause();
    else if (stdout.isPaused()) stdout.resume();
  }

  private forceClose(): void {
    if (this.inputBlocked) {
      // still delivering what it wrote (waiting for host calls): not stuck, wait on
      this.closeTimer = setTimeout(() => this.forceClose(), CLOSE_GRACE_MS);
      return;
    }
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  private maybeEnd(): void {
    if (this.endInfo) return;
    if (this.spawnError) {
      const e = this.spawnError as NodeJS.ErrnoException;
      this.end(
        {
          reason: 'error',
          code: 1,
          detail: `its program could not be started (${e.code ?? e.message})`,
          fuelUsed: 0,
          peakMemoryBytes: 0,
        },
        { code: null, signal: null, stderrTail: e.message },
      );
      return;
    }
    if (!this.exitInfo || this.streamsOpen > 0) return;
    const { code } = this.exitInfo;
    const signal = this.exitInfo.signal ?? (this.spec.signalExitCodes ? signalOfExitCode(code) : null);
    this.end(
      signal
        ? // The plugin's own fault (like a wasm trap), not the host's: "Plugin 'X' trapped: ...".
          {
            reason: 'trap',
            code: 1,
            detail: `it was stopped by signal ${signal}`,
            fuelUsed: 0,
            peakMemoryBytes: 0,
          }
        : { reason: 'exit', code: code ?? 1, detail: `exit code ${code}`, fuelUsed: 0, peakMemoryBytes: 0 },
      this.exitInfo,
    );
  }

  private end(end: WorkerEnd, exit: SandboxExit): void {
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.stdout?.end();
    this.stderr.end();
    if (!this.stdout) {
      const tail = this.decoder.decode();
      if (tail) this.batch.push({ type: 'output', t: Date.now(), text: tail });
    }
    this.flush();
    this.endInfo = end;
    this.exitInfo = exit;
    this.child.stdin?.destroy();
    this.send({ kind: 'end', end });
    for (const l of this.exitListeners.splice(0)) l(exit);
  }
}
