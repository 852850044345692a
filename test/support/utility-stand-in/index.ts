// A faithful stand-in for Electron's utilityProcess, built on child_process.fork, for tests on a
// machine without the Electron binary. It keeps the parts the launcher depends on:
// - events `spawn`, `message` (the message itself), `exit` (a number: the exit code, or the signal's
//   number when a signal ended it, as Chromium reports it) and `error` ('FatalError', location, report);
// - the child sees `process.parentPort` and no `process.send` (child.mjs);
// - `pid` is undefined until 'spawn' and after 'exit'; stdout/stderr are streams only when piped;
// - kill() is SIGTERM and returns true; before 'spawn' it returns false and does nothing
//   (electron/electron#44009), and after exit it returns false (#44013);
// - 'exit' is emitted twice when the script fails to load (electron/electron#44012);
// - app.getAppMetrics() lists the children (type 'Utility', name = serviceName, memory in KB read
//   from /proc), and app 'child-process-gone' fires for abnormal ends with Chromium's reasons.
// Unlike Electron's main process, a Node test process exits when its event loop is empty: the
// stand-in never holds it open (children and channels are unref'd).
import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type {
  ChildGoneDetails,
  ProcessMetricLike,
  UtilityApi,
  UtilityChild,
  UtilityForkOptions,
} from '../../../electron/main/sandbox/utility-api.js';

const CHILD = join(import.meta.dirname, 'child.mjs');
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGABRT', 'SIGTRAP', 'SIGFPE']);

interface Envelope {
  standIn: 'message' | 'loaded';
  data?: unknown;
}

export class StandInUtilityProcess extends EventEmitter implements UtilityChild {
  pid: number | undefined = undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  private readonly child: ChildProcess;
  private loaded = false;
  private ended = false;

  constructor(
    modulePath: string,
    args: string[],
    options: UtilityForkOptions,
    private readonly host: StandInElectron,
  ) {
    super();
    const out = options.stdio?.[1] ?? 'inherit';
    const err = options.stdio?.[2] ?? 'inherit';
    this.child = fork(CHILD, [modulePath, ...args], {
      execArgv: options.execArgv ?? [],
      env: options.env ?? process.env,
      stdio: ['ignore', out, err, 'ipc'],
      serialization: 'advanced',
    });
    this.stdout = this.child.stdout;
    this.stderr = this.child.stderr;
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
    for (const s of [this.child.stdout, this.child.stderr]) (s as { unref?: () => void } | null)?.unref?.();
    const name = options.serviceName ?? 'Node Utility Process';
    this.child.on('spawn', () => {
      this.pid = this.child.pid;
      host.track(this.child.pid!, name);
      this.emit('spawn');
    });
    this.child.on('message', (m: Envelope) => {
      if (m?.standIn === 'loaded') this.loaded = true;
      else if (m?.standIn === 'message') this.emit('message', m.data);
    });
    this.child.on('error', () => {
      // a failed spawn: Electron reports launch-failed and an exit
      if (this.pid === undefined && !this.ended) this.end(1, null, name);
    });
    // 'close' (channels drained), so a message sent just before exiting is not behind the exit
    this.child.on('close', (code, signal) => this.end(code, signal, name));
  }

  postMessage(message: unknown): void {
    if (this.ended || !this.child.connected) return;
    this.child.send({ standIn: 'message', data: message });
  }

  kill(): boolean {
    if (this.pid === undefined || this.ended) return false; // electron/electron#44009, #44013
    return this.child.kill('SIGTERM');
  }

  private end(code: number | null, signal: NodeJS.Signals | null, name: string): void {
    if (this.ended) return;
    this.ended = true;
    const pid = this.pid;
    this.pid = undefined;
    if (pid !== undefined) this.host.untrack(pid);
    const exitCode = code ?? (signal ? (constants.signals[signal] ?? 1) : 1);
    const stderrFatal = signal && CRASH_SIGNALS.has(signal);
    if (stderrFatal) this.emit('error', 'FatalError', '', '');
    const reason =
      pid === undefined
        ? 'launch-failed'
        : signal
          ? CRASH_SIGNALS.has(signal)
            ? 'crashed'
            : 'killed'
          : code === 0
            ? null
            : 'abnormal-exit';
    if (reason)
      this.host.gone({ type: 'Utility', reason, exitCode, name, serviceName: 'node.mojom.NodeService' });
    this.emit('exit', exitCode);
    if (!this.loaded && exitCode !== 0) this.emit('exit', exitCode); // electron/electron#44012
  }
}

/** The stand-in's `utilityProcess` + `app` pieces, as the launcher's UtilityApi. */
export class StandInElectron implements UtilityApi {
  private readonly children = new Map<number, string>();
  private readonly goneListeners = new Set<(d: ChildGoneDetails) => void>();
  /** Every process forked, for tests that look at them. */
  readonly forked: StandInUtilityProcess[] = [];
  /** Calls of getAppMetrics (the launcher must make ONE sampler's worth, not one per process). */
  metricsCalls = 0;

  fork = (modulePath: string, args: string[], options: UtilityForkOptions): StandInUtilityProcess => {
    const p = new StandInUtilityProcess(modulePath, args, options, this);
    this.forked.push(p);
    return p;
  };

  getAppMetrics(): ProcessMetricLike[] {
    this.metricsCalls++;
    const list: ProcessMetricLike[] = [{ pid: process.pid, type: 'Browser', memory: kb(process.pid) }];
    for (const [pid, name] of this.children) list.push({ pid, type: 'Utility', name, memory: kb(pid) });
    return list;
  }

  onChildGone(listener: (d: ChildGoneDetails) => void): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  /** Names of the live children (as getAppMetrics shows them). */
  liveNames(): string[] {
    return [...this.children.values()];
  }

  track(pid: number, name: string): void {
    this.children.set(pid, name);
  }

  untrack(pid: number): void {
    this.children.delete(pid);
  }

  gone(details: ChildGoneDetails): void {
    for (const l of this.goneListeners) l(details);
  }
}

/** Working set and peak in KB from /proc (0 when the process is gone). */
function kb(pid: number): { workingSetSize: number; peakWorkingSetSize: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { workingSetSize: rss, peakWorkingSetSize: hwm };
  } catch {
    return { workingSetSize: 0, peakWorkingSetSize: 0 };
  }
}
