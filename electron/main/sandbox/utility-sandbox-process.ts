// One sandbox process started with utilityProcess.fork, seen by the engine as a SandboxProcess.
// Handles the utility process's known quirks: kill() before 'spawn' is lost (electron/electron#44009:
// queued until 'spawn'), 'exit' can come twice (reported once), and the end is reported only after
// stderr is drained so the last messages and bytes are in. Each events batch and the end are
// acknowledged (`delivered`): under parentPort the sandbox's back-pressure and its exit wait for it.
import type { SandboxExit, SandboxProcess } from '../../engine/runs/launcher.js';
import { ProcessEvents } from '../../engine/runs/process-events.js';
import type { FromSandbox, ToSandbox } from '../../sandbox/protocol.js';
import { causeOfGone, type ExitCause } from './gone-reason.js';
import type { MemorySampler } from './memory-sampler.js';
import type { ChildGoneDetails, UtilityChild } from './utility-api.js';

/** How long a kill() (SIGTERM) may take before the process is killed hard. */
const HARD_KILL_MS = 2000;
/** Longest wait for stderr to drain after 'exit'. */
const DRAIN_MS = 1000;
/** Longest wait, after an unexpected exit, for Electron to say why the process is gone. */
const GONE_WAIT_MS = 200;

const mib = (bytes: number) => Math.round(bytes / (1024 * 1024));

export interface UtilityProcessSettings {
  /** The process's serviceName (unique: child-process-gone names a process only by it). */
  name: string;
  /**
   * The working set the process may reach, in bytes; null for a warm spare, which is watched only once
   * assign() gives it a run's cap (so the sampler runs only while runs are live, each with its own cap).
   */
  capBytes: number | null;
  sampler: MemorySampler;
  /** Sends SIGKILL to a pid (process.kill), when SIGTERM was not enough. */
  hardKill: (pid: number) => void;
  /** Called once, after the exit is reported. */
  onDone: () => void;
}

export class UtilitySandboxProcess implements SandboxProcess {
  exited = false;
  private spawned = false;
  private killRequested = false;
  private lastPid: number | null = null;
  private stderrEnded: boolean;
  private exitCode: number | null = null;
  private cause: ExitCause | null = null;
  private fatal: string | null = null;
  private hardKillTimer: NodeJS.Timeout | null = null;
  private readonly events = new ProcessEvents();
  private drainWaiters: (() => void)[] = [];
  private goneWaiter: (() => void) | null = null;
  private capBytes: number | null;

  constructor(
    private readonly child: UtilityChild,
    private readonly settings: UtilityProcessSettings,
  ) {
    this.stderrEnded = child.stderr === null;
    this.capBytes = settings.capBytes;
    child.on('spawn', () => this.onSpawn());
    child.on('message', (msg) => {
      this.events.message(msg as FromSandbox);
      // parentPort has no written signal: say so once a batch or the end is handled. The sandbox
      // waits for it (its back-pressure: a plugin cannot flood the main process's memory), and
      // leaves only once its end is in.
      const kind = (msg as FromSandbox).kind;
      if (kind === 'events' || kind === 'end') this.postMessage({ kind: 'delivered' });
    });
    child.on('error', (type, location) => {
      this.fatal = `${type}${location ? ` at ${location}` : ''}`;
    });
    child.on('exit', (code) => this.onChildExit(code));
    child.stdout?.resume(); // nothing is expected there; never let it fill the pipe
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.events.stderr(chunk));
    const ended = () => {
      this.stderrEnded = true;
      for (const w of this.drainWaiters.splice(0)) w();
    };
    child.stderr?.on('end', ended);
    child.stderr?.on('close', ended);
  }

  get pid(): number | null {
    return this.child.pid ?? this.lastPid;
  }

  postMessage(msg: ToSandbox): void {
    if (this.exited) return;
    try {
      this.child.postMessage(msg);
    } catch {
      // the process is going away; its exit tells the rest
    }
  }

  onMessage(listener: (msg: FromSandbox) => void): void {
    this.events.onMessage(listener);
  }

  onExit(listener: (exit: SandboxExit) => void): void {
    this.events.onExit(listener);
  }

  kill(): void {
    if (this.exited || this.killRequested) return;
    this.killRequested = true;
    // Before 'spawn' Electron ignores kill() (electron/electron#44009): it is done on 'spawn'.
    if (this.spawned) this.killNow();
  }

  /** Electron's main process lives until the app quits: nothing to ref or unref. */
  setActive(_active: boolean): void {}

  /** A warm spare handed to a run: from now on its working set is held to that run's cap. */
  assign(capBytes: number): void {
    this.capBytes = capBytes;
    if (this.spawned && !this.exited && !this.killRequested) this.watchMemory();
  }

  /** app 'child-process-gone' for this process (matched by its serviceName). */
  noteGone(details: ChildGoneDetails): void {
    if (this.killRequested && details.reason === 'killed') return; // our own kill: the run knows why
    this.cause ??= causeOfGone(details.reason, details.exitCode);
    const waiter = this.goneWaiter;
    this.goneWaiter = null;
    waiter?.();
  }

  private onSpawn(): void {
    if (this.spawned) return;
    this.spawned = true;
    this.lastPid = this.child.pid ?? null;
    if (this.killRequested) {
      this.killNow();
      return;
    }
    this.watchMemory();
  }

  private watchMemory(): void {
    const { capBytes, lastPid } = this;
    if (lastPid === null || capBytes === null) return;
    this.settings.sampler.watch(lastPid, {
      capBytes,
      onOver: (rss) => {
        this.cause = {
          reason: 'memory',
          detail: `the sandbox process used ${mib(rss)} MiB, over its ${mib(capBytes)} MiB limit, and was stopped`,
        };
        this.kill();
      },
    });
  }

  private killNow(): void {
    this.child.kill();
    const pid = this.lastPid;
    if (pid === null) return;
    this.hardKillTimer = setTimeout(() => {
      if (!this.exited) this.settings.hardKill(pid);
    }, HARD_KILL_MS);
    this.hardKillTimer.unref();
  }

  private onChildExit(code: number): void {
    if (this.exitCode !== null) return; // 'exit' can be emitted twice: report once
    this.exitCode = code;
    this.exited = true;
    if (this.hardKillTimer) clearTimeout(this.hardKillTimer);
    if (this.lastPid !== null) this.settings.sampler.unwatch(this.lastPid);
    const report = () => {
      setImmediate(() => this.afterDrain());
    };
    if (this.stderrEnded) {
      report();
      return;
    }
    const timer = setTimeout(() => {
      this.drainWaiters = [];
      report();
    }, DRAIN_MS);
    this.drainWaiters.push(() => {
      clearTimeout(timer);
      report();
    });
  }

  /** An unexpected non-zero exit: give app 'child-process-gone' (it may come second) a moment to say why. */
  private afterDrain(): void {
    if (this.exitCode === 0 || this.cause || this.killRequested) {
      this.report();
      return;
    }
    const timer = setTimeout(() => this.report(), GONE_WAIT_MS);
    this.goneWaiter = () => {
      clearTimeout(timer);
      this.report();
    };
  }

  private report(): void {
    if (this.events.reported) return;
    let cause = this.cause;
    if (!cause && this.fatal && !this.killRequested)
      cause = { reason: 'crash', detail: `the sandbox process hit a fatal error (${this.fatal})` };
    this.events.exit(this.exitCode, null, cause ?? undefined);
    this.settings.onDone();
  }
}
