// Warm spare sandbox processes for Electron runs, as the engine's pool keeps them for the CLI and
// browser mode (electron/engine/runs/pool.ts): started ahead of time under a neutral, unique
// serviceName (child-process-gone names a process only by it), their worker up and wasm warmed. A
// spare is handed to ONE run and never back; the sandbox host serves that one run and exits. A taken
// spare is replaced when its run ends, or after a short delay if the run is still going (starting a
// process costs CPU the run's own start would miss). A spare that dies while idle is dropped and not
// restarted until the next run takes one, so a host that cannot start never loops.
import { RefillSchedule } from '../../engine/runs/refill-schedule.js';
import type { UtilitySandboxProcess } from './utility-sandbox-process.js';

interface Spare {
  proc: UtilitySandboxProcess;
  ready: boolean;
  /** Settles once it reported `ready`, or exited first. */
  settled: Promise<void>;
}

export interface SpareOptions {
  /** Spares kept ready (1 or 2 make sense for a desktop app). */
  size: number;
  /** The wasm memory cap the spares are started with; a run asking for more gets a fresh process. */
  memoryCapBytes: number;
  /** Delay before a taken spare is replaced while its run still goes (default 2 s, as the engine's pool). */
  refillDelayMs?: number;
}

export class SpareProcesses {
  private readonly idle: Spare[] = [];
  private readonly refills: RefillSchedule;
  private closed = false;

  constructor(
    /** Starts one process with the spares' cap and a neutral name, not yet watched for memory. */
    private readonly start: () => UtilitySandboxProcess,
    private readonly options: SpareOptions,
  ) {
    this.refills = new RefillSchedule(() => this.refill(), options.refillDelayMs ?? 2000);
    this.refill();
  }

  get memoryCapBytes(): number {
    return this.options.memoryCapBytes;
  }

  /** Spares alive and not handed out (for tests and diagnostics). */
  idleProcesses(): UtilitySandboxProcess[] {
    return this.idle.filter((s) => !s.proc.exited).map((s) => s.proc);
  }

  /** Resolves once every idle spare is ready (or gone): for benchmarks and tests. */
  async whenReady(): Promise<void> {
    // Idle utility processes do not keep a Node event loop alive (the stand-in's); this wait must.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await Promise.all(this.idle.map((s) => s.settled));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** A spare for one run with this wasm memory cap, or null (none alive, or the cap is above theirs). */
  take(memoryCapBytes: number): UtilitySandboxProcess | null {
    if (this.closed || memoryCapBytes > this.options.memoryCapBytes) return null;
    this.dropExited();
    // A ready one first; else the oldest still starting (it is further along than a new fork).
    let index = this.idle.findIndex((s) => s.ready);
    if (index < 0) index = this.idle.length > 0 ? 0 : -1;
    if (index < 0) return null;
    const [spare] = this.idle.splice(index, 1);
    const proc = spare!.proc;
    proc.onExit(() => this.refills.soon());
    this.refills.later();
    return proc;
  }

  /** Kills the idle spares and starts no more (processes serving runs finish on their own). */
  close(): void {
    this.closed = true;
    this.refills.close();
    for (const s of this.idle.splice(0)) s.proc.kill();
  }

  private dropExited(): void {
    for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i]!.proc.exited) this.idle.splice(i, 1);
  }

  private refill(): void {
    if (this.closed) return;
    this.dropExited();
    while (this.idle.length < this.options.size) {
      let proc: UtilitySandboxProcess;
      try {
        proc = this.start();
      } catch {
        return; // no process can be started now: a run will fork its own and report why
      }
      let settle = () => {};
      const settled = new Promise<void>((resolve) => {
        settle = resolve;
      });
      const spare: Spare = { proc, ready: false, settled };
      proc.onMessage((msg) => {
        if (msg.kind !== 'ready') return;
        spare.ready = true;
        settle();
      });
      proc.onExit(() => {
        settle();
        const i = this.idle.indexOf(spare);
        if (i >= 0) this.idle.splice(i, 1);
      });
      this.idle.push(spare);
    }
  }
}
