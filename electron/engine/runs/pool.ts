// A small pool of warm sandbox processes: started ahead of time, worker thread up and wasm warmed.
// A process serves ONE run and then exits; the pool refills in the background. close() kills the
// idle ones (tests and the CLI call it so no process is left behind).
import type { FromSandbox } from '../../sandbox/protocol.js';
import type { SandboxLauncher, SandboxProcess } from './launcher.js';
import { RefillSchedule } from './refill-schedule.js';

export const DEFAULT_MEMORY_CAP_BYTES = 256 * 1024 * 1024;

interface Entry {
  proc: SandboxProcess;
  ready: Promise<void>;
  isReady: boolean;
}

export interface PoolOptions {
  /** Warm processes kept ready (0: every run starts a new process). */
  size?: number;
  /** The memory cap the warm processes are started with. */
  memoryCapBytes?: number;
  /**
   * A taken process is replaced when its run ends, or after this delay (default 2 s) if the run is
   * still going: starting a process costs CPU that the run's start (and a busy plugin) would miss.
   */
  refillDelayMs?: number;
}

export class SandboxPool {
  private readonly idle: Entry[] = [];
  private readonly all = new Set<SandboxProcess>();
  private closed = false;
  private readonly size: number;
  private readonly cap: number;
  private readonly refills: RefillSchedule;

  constructor(
    private readonly launcher: SandboxLauncher,
    options: PoolOptions = {},
  ) {
    this.size = options.size ?? 2;
    this.cap = options.memoryCapBytes ?? DEFAULT_MEMORY_CAP_BYTES;
    this.refills = new RefillSchedule(() => this.refill(), options.refillDelayMs ?? 2000);
    this.refill();
  }

  /** Resolves once every warm process is ready (for benchmarks and tests). */
  async warm(): Promise<void> {
    this.refill();
    // Idle processes do not keep the event loop alive; this wait must.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      await Promise.allSettled(this.idle.map((e) => e.ready));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** A sandbox process (warm, or just launched) for one run with this cap; the caller owns it from now on. */
  async acquire(memoryCapBytes: number, label?: string): Promise<SandboxProcess> {
    if (this.closed) throw new Error('the sandbox pool is closed');
    // A smaller cap is applied to the module itself (capMemory); the process's V8 flag is the outer bound.
    if (memoryCapBytes <= this.cap) {
      // Prefer a ready process; else the oldest starting one.
      let index = this.idle.findIndex((e) => e.isReady && !e.proc.exited);
      if (index < 0) index = this.idle.findIndex((e) => !e.proc.exited);
      if (index >= 0) {
        const [entry] = this.idle.splice(index, 1);
        this.refills.later();
        entry!.proc.onExit(() => this.refills.soon());
        try {
          await entry!.ready;
          entry!.proc.setActive(true);
          return entry!.proc;
        } catch {
          // it died while warming: fall through to a fresh one
        }
      }
    }
    // A new process: hand it over at once. The run's start message waits in the IPC pipe while the
    // process boots, and the sandbox skips its warm-up when the run is already there.
    const entry = this.start(memoryCapBytes, label);
    entry.proc.setActive(true);
    return entry.proc;
  }

  /** Kills the idle processes and stops refilling. Processes serving runs finish on their own. */
  async close(): Promise<void> {
    this.closed = true;
    this.refills.close();
    const idle = this.idle.splice(0);
    await Promise.all(
      idle.map(
        (e) =>
          new Promise<void>((resolve) => {
            if (e.proc.exited) return resolve();
            e.proc.setActive(true); // keep the event loop alive until it is gone
            e.proc.onExit(() => resolve());
            e.proc.kill();
          }),
      ),
    );
  }

  /** Processes started by this pool that are still alive (idle or serving a run). */
  liveProcesses(): number {
    let n = 0;
    for (const p of this.all) if (!p.exited) n++;
    return n;
  }

  private refill(): void {
    if (this.closed) return;
    for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i]!.proc.exited) this.idle.splice(i, 1);
    while (this.idle.length < this.size) {
      const entry = this.start(this.cap);
      entry.proc.setActive(false);
      entry.ready.catch(() => {
        const i = this.idle.indexOf(entry);
        if (i >= 0) this.idle.splice(i, 1);
      });
      this.idle.push(entry);
    }
  }

  private start(memoryCapBytes: number, label?: string): Entry {
    const proc = this.launcher.launch(label ? { memoryCapBytes, label } : { memoryCapBytes });
    this.all.add(proc);
    proc.onExit(() => this.all.delete(proc));
    const entry: Entry = { proc, isReady: false, ready: Promise.resolve() };
    entry.ready = new Promise<void>((resolve, reject) => {
      proc.onMessage((msg: FromSandbox) => {
        if (msg.kind === 'ready' && !entry.isReady) {
          entry.isReady = true;
          resolve();
        }
      });
      proc.onExit((exit) => {
        if (!entry.isReady)
          reject(
            new Error(
              `the sandbox process stopped while starting (code ${exit.code}, signal ${exit.signal})${exit.stderrTail ? `: ${exit.stderrTail.trim()}` : ''}`,
            ),
          );
      });
    });
    entry.ready.catch(() => {});
    return entry;
  }
}
