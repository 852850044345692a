// One run of one plugin command in its own sandbox process: the object the app and the CLI hold.
import type { Capabilities } from '../../../shared/capabilities.js';
import { execDenied, type HostServices } from '../../sandbox/host-services.js';
import { nowMs } from '../../sandbox/now-ms.js';
import type {
  EndReason,
  FromSandbox,
  HostOp,
  RunEvent,
  SandboxMode,
  SandboxStart,
  WorkerEnd,
} from '../../sandbox/protocol.js';
import { DEFAULT_DATA_QUOTA_BYTES } from '../host/data-quota.js';
import type { ProjectContext } from '../host/project.js';
import type { SandboxExit, SandboxProcess } from './launcher.js';
import { endMessage } from './messages.js';
import { newRunId } from './run-id.js';

export interface RunLimits {
  /** Fuel (about one unit per wasm instruction). */
  fuel: bigint;
  /** Wall clock, including time blocked in host calls and waiting for answers. */
  timeoutMs: number;
  /** Cap on the plugin's wasm memory. */
  memoryMb: number;
  /** Quota of the plugin's data folder (/plugin); writes past it fail with ENOSPC. Default 1 GiB. */
  dataQuotaBytes?: number;
}

/** Store keys written and metadata reads listed per run (as the sandbox lists at most 10,000 file opens). */
export const MAX_TOUCHED_RECORDS = 10_000;

export const DEFAULT_LIMITS: Readonly<RunLimits> = Object.freeze({
  fuel: 10_000_000_000n,
  timeoutMs: 60_000,
  memoryMb: 256,
  dataQuotaBytes: DEFAULT_DATA_QUOTA_BYTES,
});

export interface RunEnd {
  /** The plugin's exit code for reason 'exit'; non-zero otherwise. */
  code: number;
  reason: EndReason;
  /** Plain words for a person, naming the plugin. */
  message: string;
  fuelUsed: number;
  durationMs: number;
  peakMemoryBytes: number;
  peakRssBytes?: number;
  /** Whether the module's compiled code came from its cache (sandbox/compiled-cache.ts), where it has one. */
  codeFromCache?: boolean;
  /** A WASI program's stdout and stderr, byte for byte (program runs only; empty if it never ran). */
  stdout?: Uint8Array;
  stderr?: Uint8Array;
}

export interface RunPluginInfo {
  name: string;
  version: string;
  /** Absolute plugin directory. */
  dir: string;
  /** What plugin.toml declares. */
  declared: Capabilities;
}

export interface RunInfo {
  id: string;
  /** A fledge plugin command, or a plain WASI program (RunManager.startWasiProgram). */
  mode: SandboxMode;
  /** The plugin; for a program, its name and folder (and no capabilities). */
  plugin: RunPluginInfo;
  command: string;
  args: string[];
  project: ProjectContext | null;
  /** The granted set actually in force (never more than declared). */
  grants: Capabilities;
  limits: RunLimits;
  /** Epoch ms. */
  startedAt: number;
  /** A native plugin's run: contained or full access, in words for the run view (set before `started`). */
  native?: { access: 'contained' | 'full'; label: string };
}

export type RunListener = (events: RunEvent[]) => void;

export interface RunTimings {
  /** Grace between `cancel` and the kill: min(5 s, max(100 ms, timeout / 10)) unless given. */
  cancelGraceMs?: number;
  /** An unanswered request gets `cancel` {reason: "timeout"} after this long (the CLI's 5 minutes). */
  requestTimeoutMs?: number;
}

/** A run in progress or finished. Events are buffered until the first subscriber, so none is lost. */
export class Run {
  readonly id: string = newRunId();
  readonly startedAt = Date.now();
  readonly ended: Promise<RunEnd>;
  private resolveEnd!: (end: RunEnd) => void;
  private listeners: RunListener[] = [];
  private backlog: RunEvent[] | null = [];
  private proc: SandboxProcess | null = null;
  private result: RunEnd | null = null;
  private readonly openRequests = new Map<string, RunEvent & { type: 'request' }>();
  private readonly requestTimers = new Map<string, NodeJS.Timeout>();
  private timeoutTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private stopping: 'timeout' | 'cancelled' | null = null;
  private abortMessage: string | null = null;
  private hostChain: Promise<void> = Promise.resolve();
  /** The store write being served, if any: a run is reported ended only after it landed. */
  private storeWrite: Promise<void> = Promise.resolve();
  /** "What it touched" records the engine makes (store keys written, metadata keys read): at most this many. */
  private touchedLeft = MAX_TOUCHED_RECORDS;
  private readonly t0 = nowMs();

  constructor(
    readonly info: Omit<RunInfo, 'id' | 'startedAt'>,
    private readonly host: HostServices,
    private readonly timings: RunTimings = {},
  ) {
    this.ended = new Promise((resolve) => {
      this.resolveEnd = resolve;
    });
  }

  get done(): boolean {
    return this.result !== null;
  }

  describe(): RunInfo {
    return { ...this.info, id: this.id, startedAt: this.startedAt };
  }

  /** Receives every event in order, in batches. Events before the first subscriber are replayed to it. */
  subscribe(listener: RunListener): () => void {
    this.listeners.push(listener);
    if (this.backlog) {
      const backlog = this.backlog;
      this.backlog = null;
      if (backlog.length > 0) listener(backlog);
    }
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Requests (prompt, confirm, select, multi_select) still waiting for an answer. */
  pendingRequests(): (RunEvent & { type: 'request' })[] {
    return [...this.openRequests.values()];
  }

  /** Answers a request; false if no such request is open. */
  answer(id: string, value: unknown): boolean {
    if (!this.openRequests.has(id) || !this.proc || this.done) return false;
    this.closeRequest(id);
    this.proc.postMessage({ kind: 'answer', id, value });
    return true;
  }

  /** Asks the plugin to stop (`cancel` {reason: "user_interrupt"}), and kills it after the grace period. */
  cancel(): void {
    this.beginStop('cancelled', 'user_interrupt');
  }

  /** Ends the run at once with reason 'error' and this message (e.g. a request nobody can answer). */
  abort(message: string): void {
    if (this.done) return;
    this.abortMessage = message;
    if (this.proc) this.proc.kill();
    else this.finish({ reason: 'error', code: 1, detail: message, fuelUsed: 0, peakMemoryBytes: 0 });
  }

  // ---- wiring (RunManager) ----------------------------------------------------------------------

  /** Hands the run its (ready) sandbox process and starts it. */
  attach(proc: SandboxProcess, start: Omit<SandboxStart, 'runId' | 'mode'>): void {
    if (this.done) {
      proc.kill();
      return;
    }
    this.proc = proc;
    proc.onMessage((msg) => this.onMessage(msg));
    proc.onExit((exit) => this.onExit(exit));
    this.emit([
      {
        type: 'started',
        t: Date.now(),
        runId: this.id,
        plugin: this.info.plugin.name,
        command: this.info.command,
        pid: proc.pid,
      },
    ]);
    proc.postMessage({ kind: 'start', start: { ...start, runId: this.id, mode: this.info.mode } });
    if (this.abortMessage) proc.kill();
  }

  /** Starts the wall clock (from the run request, so a slow start counts too). */
  startClock(): void {
    const elapsed = nowMs() - this.t0;
    this.timeoutTimer = setTimeout(
      () => this.beginStop('timeout', 'timeout'),
      Math.max(0, this.info.limits.timeoutMs - elapsed),
    );
  }

  /** The run could not start (no sandbox process, bad setup). */
  failToStart(detail: string, reason: EndReason = 'error'): void {
    this.finish({ reason, code: 1, detail, fuelUsed: 0, peakMemoryBytes: 0 });
  }

  // ---- internals ----------------------------------------------------------------------------------

  private emit(events: RunEvent[]): void {
    if (this.backlog) {
      for (const e of events) this.backlog.push(e);
      return;
    }
    for (const l of this.listeners) l(events);
  }

  private graceMs(): number {
    return this.timings.cancelGraceMs ?? Math.min(5000, Math.max(100, this.info.limits.timeoutMs / 10));
  }

  private beginStop(kind: 'timeout' | 'cancelled', reason: 'timeout' | 'user_interrupt'): void {
    if (this.done || this.stopping) return;
    this.stopping = kind;
    if (!this.proc) {
      this.finish({
        reason: kind === 'timeout' ? 'timeout' : 'error',
        code: 1,
        detail: '',
        fuelUsed: 0,
        peakMemoryBytes: 0,
      });
      return;
    }
    this.proc.postMessage({ kind: 'cancel', reason });
    const proc = this.proc;
    this.killTimer = setTimeout(() => proc.kill(), this.graceMs());
  }

  private closeRequest(id: string): void {
    this.openRequests.delete(id);
    const timer = this.requestTimers.get(id);
    if (timer) clearTimeout(timer);
    this.requestTimers.delete(id);
  }

  private onMessage(msg: FromSandbox): void {
    switch (msg.kind) {
      case 'events': {
        const events = JSON.parse(msg.json) as RunEvent[];
        // Most batches are all output: look for requests only when there is one.
        if (msg.json.includes('"type":"request"'))
          for (const e of events) {
            if (e.type === 'request') {
              this.closeRequest(e.id); // a repeated id replaces the open one (and its timer)
              this.openRequests.set(e.id, e);
              const timeout = this.timings.requestTimeoutMs ?? 300_000;
              const timer = setTimeout(() => {
                this.closeRequest(e.id);
                this.proc?.postMessage({ kind: 'cancel', reason: 'timeout' });
              }, timeout);
              timer.unref();
              this.requestTimers.set(e.id, timer);
            }
          }
        this.emit(events);
        return;
      }
      case 'hostCall':
        this.hostChain = this.hostChain.then(() => this.serveHostCall(msg.callId, msg.op, msg.payload));
        return;
      case 'end':
        this.finish(msg.end);
        return;
      case 'ready':
        return;
    }
  }

  /** A record for the run's "what it touched" report (the key written, the keys read; never a value). */
  private touched(event: RunEvent & { type: 'store' | 'metadata' }): void {
    if (this.touchedLeft > 0) this.emit([event]);
    else if (this.touchedLeft === 0)
      this.emit([
        {
          type: 'log',
          t: Date.now(),
          level: 'info',
          message: `Plugin '${this.info.plugin.name}' wrote or read more than ${MAX_TOUCHED_RECORDS.toLocaleString('en')} store and metadata keys; the rest are not listed.`,
          source: 'host',
        },
      ]);
    this.touchedLeft--;
  }

  private async serveHostCall(callId: number, op: HostOp, payload: unknown): Promise<void> {
    // Calls still queued when the run ended are dropped: nothing of a run is done after its end.
    if (this.done) return;
    const p = (payload ?? {}) as Record<string, unknown>;
    let value: unknown;
    const started = nowMs();
    try {
      switch (op) {
        case 'exec': {
          const req = {
            command: String(p.command ?? ''),
            ...(typeof p.cwd === 'string' ? { cwd: p.cwd } : {}),
            ...(typeof p.timeout === 'number' ? { timeout: p.timeout } : {}),
          };
          const result = await this.host
            .exec(req)
            .catch((err: Error) => ({ code: 1, stdout: '', stderr: err.message }));
          value = result;
          this.emit([
            {
              type: 'exec',
              t: Date.now(),
              command: req.command,
              cwd: req.cwd ?? null,
              code: result.code,
              durationMs: Math.round(nowMs() - started),
            },
          ]);
          break;
        }
        case 'storeGet':
          value = await this.host.storeGet(String(p.key ?? ''));
          break;
        case 'storeSet': {
          const write = this.host.storeSet(String(p.key ?? ''), p.value as string);
          this.storeWrite = write.then(
            () => {},
            () => {},
          );
          await write;
          value = null;
          this.touched({ type: 'store', t: Date.now(), key: String(p.key ?? '') });
          break;
        }
        case 'metadata': {
          const asked = Array.isArray(p.keys) ? p.keys.map(String) : [];
          const answer = await this.host.metadata(asked);
          value = answer;
          // The keys read, in the order asked (the host leaves out keys it does not know).
          const read = [...new Set(asked)].filter((k) => Object.hasOwn(answer ?? {}, k));
          this.touched({ type: 'metadata', t: Date.now(), keys: read.slice(0, 64) });
          break;
        }
      }
    } catch (err) {
      this.emit([
        {
          type: 'log',
          t: Date.now(),
          level: 'warn',
          message: `Plugin '${this.info.plugin.name}': ${op} failed: ${(err as Error).message}`,
          source: 'host',
        },
      ]);
      value = op === 'exec' ? execDenied(this.info.plugin.name) : op === 'metadata' ? {} : null;
    }
    if (this.proc && !this.done) this.proc.postMessage({ kind: 'hostResult', callId, value });
  }

  private onExit(exit: SandboxExit): void {
    if (this.done) return;
    if (exit.cause) {
      this.finish({
        reason: exit.cause.reason,
        code: 1,
        detail: exit.cause.detail,
        fuelUsed: 0,
        peakMemoryBytes: 0,
      });
      return;
    }
    const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    // A V8 fatal error (say, the worker's JS heap exhausted by a huge message) names itself on one
    // line, followed by a native stack trace that means nothing to a person.
    const fatal = /FATAL ERROR: ([^\n]+)/.exec(exit.stderrTail)?.[1]?.trim();
    const tail = fatal
      ? `V8 stopped it (${fatal})`
      : exit.stderrTail.trim().split('\n').slice(-3).join(' | ');
    this.finish({
      reason: 'crash',
      code: 1,
      detail: `the sandbox process stopped unexpectedly (${how})${tail ? `: ${tail}` : ''}`,
      fuelUsed: 0,
      peakMemoryBytes: 0,
    });
  }

  private finish(end: WorkerEnd): void {
    if (this.result) return;
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    if (this.killTimer) clearTimeout(this.killTimer);
    for (const id of [...this.requestTimers.keys()]) this.closeRequest(id);
    const limits = this.info.limits;
    let reason: EndReason | 'cancelled' = end.reason;
    let code = end.code;
    if (this.abortMessage !== null) {
      reason = 'error';
      code = 1;
    } else if (this.stopping === 'timeout') {
      reason = 'timeout';
      code = 1;
    } else if (this.stopping === 'cancelled' && end.reason !== 'exit') {
      reason = 'cancelled';
      code = 130;
    }
    const message =
      this.abortMessage ??
      endMessage(this.info.plugin.name, reason, code, end.detail, limits, this.info.mode);
    const result: RunEnd = {
      code,
      reason: reason === 'cancelled' ? 'error' : reason,
      message,
      fuelUsed: end.fuelUsed,
      durationMs: Math.round(nowMs() - this.t0),
      peakMemoryBytes: end.peakMemoryBytes,
    };
    if (this.info.mode === 'program') {
      result.stdout = end.stdout ?? new Uint8Array(0);
      result.stderr = end.stderr ?? new Uint8Array(0);
    }
    if (end.peakRssBytes !== undefined) result.peakRssBytes = end.peakRssBytes;
    if (typeof end.codeFromCache === 'boolean') result.codeFromCache = end.codeFromCache;
    this.result = result;
    // Execs still running are killed; fire-and-forget host calls already sent (store writes) finish
    // before the run is reported ended, so the next run sees them.
    this.host.close?.();
    const announce = () => {
      this.emit([
        {
          type: 'exit',
          t: Date.now(),
          code: result.code,
          reason: result.reason,
          message: result.message,
          fuelUsed: result.fuelUsed,
          durationMs: result.durationMs,
        },
      ]);
      this.resolveEnd(result);
    };
    // Calls queued behind are dropped (serveHostCall), the exec or git query being served is killed
    // (host.close): only a store write already under way is waited for, so the end is reported at
    // once, however many calls the plugin queued.
    void this.storeWrite.then(announce, announce);
    // The process serves one run only.
    if (this.proc && !this.proc.exited) {
      const proc = this.proc;
      setTimeout(() => proc.kill(), 1000).unref();
    }
  }
}
