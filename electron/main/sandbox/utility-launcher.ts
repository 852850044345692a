// Sandbox processes in Electron: one utilityProcess.fork of the same sandbox host script the Node
// launcher forks, per run, stdout/stderr piped, messages through process.parentPort. With `spares`,
// warm processes wait under a neutral unique name ("Fledge sandbox 3") and a run takes one (a warm
// start); otherwise, or when none fits, a new process named for its plugin is forked (a cold start).
// Either way a process serves one run and exits. ONE memory sampler of app.getAppMetrics() watches
// the processes serving runs, each against its own run's cap, and stops one over it (reason `memory`);
// child-process-gone reasons, matched by the unique serviceName, are reported with the exit.
import type { LaunchOptions, SandboxLauncher, SandboxProcess } from '../../engine/runs/launcher.js';
import { DEFAULT_MEMORY_CAP_BYTES } from '../../engine/runs/pool.js';
import { WASM_MAX_PAGES_ARG } from '../../sandbox/protocol.js';
import { MemorySampler } from './memory-sampler.js';
import { SpareProcesses } from './spare-processes.js';
import type { UtilityApi } from './utility-api.js';
import { UtilitySandboxProcess } from './utility-sandbox-process.js';

/** Room above the wasm memory cap for the process itself: Node, the controller and the worker's JS heaps. */
export const DEFAULT_PROCESS_HEADROOM_BYTES = 256 * 1024 * 1024;

export interface UtilityLauncherOptions {
  /** The bundled sandbox host (dist/sandbox-host.js, unpacked from the asar when packaged). */
  hostScript: string;
  extraExecArgv?: string[];
  /** The working set a process may reach, from its wasm memory cap. Default: cap + 256 MiB. */
  processCapBytes?: (memoryCapBytes: number) => number;
  /** How often the one sampler reads app.getAppMetrics() (default 250 ms). */
  sampleIntervalMs?: number;
  /** SIGKILL for a process that did not go on kill() (default: process.kill). */
  hardKill?: (pid: number) => void;
  /** Warm spare processes to keep (default 0: every run is a cold start). */
  spares?: number;
  /** The wasm memory cap spares start with (default the engine pool's, 256 MiB). */
  spareMemoryCapBytes?: number;
  /** Delay before a taken spare is replaced while its run still goes (default 2 s). */
  spareRefillDelayMs?: number;
}

/** A process name safe to show in a task manager: printable, short. */
export function serviceNameFor(label: string | undefined, seq: number): string {
  const clean = (label ?? '')
    .replace(/[^\p{L}\p{N} ._@/-]/gu, '')
    .trim()
    .slice(0, 64);
  return clean ? `Fledge plugin ${clean} (sandbox ${seq})` : `Fledge sandbox ${seq}`;
}

export class UtilitySandboxLauncher implements SandboxLauncher {
  readonly sampler: MemorySampler;
  private readonly byName = new Map<string, UtilitySandboxProcess>();
  private readonly unsubscribeGone: () => void;
  private readonly spares: SpareProcesses | null;
  private seq = 0;

  constructor(
    private readonly api: UtilityApi,
    private readonly options: UtilityLauncherOptions,
  ) {
    this.sampler = new MemorySampler(() => api.getAppMetrics(), options.sampleIntervalMs ?? 250);
    this.unsubscribeGone = api.onChildGone((details) => {
      if (details.type !== 'Utility' || !details.name) return;
      this.byName.get(details.name)?.noteGone(details);
    });
    const spareCap = options.spareMemoryCapBytes ?? DEFAULT_MEMORY_CAP_BYTES;
    this.spares =
      (options.spares ?? 0) > 0
        ? new SpareProcesses(() => this.fork(spareCap, serviceNameFor(undefined, ++this.seq), null), {
            size: options.spares!,
            memoryCapBytes: spareCap,
            ...(options.spareRefillDelayMs !== undefined
              ? { refillDelayMs: options.spareRefillDelayMs }
              : {}),
          })
        : null;
  }

  launch(options: LaunchOptions): SandboxProcess {
    const capBytes = this.processCap(options.memoryCapBytes);
    const spare = this.spares?.take(options.memoryCapBytes);
    if (spare) {
      spare.assign(capBytes);
      return spare;
    }
    return this.fork(options.memoryCapBytes, serviceNameFor(options.label, ++this.seq), capBytes);
  }

  /** The warm spares (null when the launcher keeps none). */
  get spareProcesses(): SpareProcesses | null {
    return this.spares;
  }

  private processCap(memoryCapBytes: number): number {
    return this.options.processCapBytes?.(memoryCapBytes) ?? memoryCapBytes + DEFAULT_PROCESS_HEADROOM_BYTES;
  }

  /** `capBytes` null: a spare, not watched until a run is assigned to it. */
  private fork(memoryCapBytes: number, name: string, capBytes: number | null): UtilitySandboxProcess {
    const pages = Math.max(1, Math.ceil(memoryCapBytes / 65536));
    const child = this.api.fork(this.options.hostScript, [`${WASM_MAX_PAGES_ARG}${pages}`], {
      serviceName: name,
      stdio: ['ignore', 'pipe', 'pipe'],
      execArgv: this.options.extraExecArgv ?? [],
      env: { NODE_ENV: 'production' },
    });
    const proc = new UtilitySandboxProcess(child, {
      name,
      capBytes,
      sampler: this.sampler,
      hardKill: this.options.hardKill ?? defaultHardKill,
      onDone: () => {
        // child-process-gone may come a little after 'exit': keep the name known a while longer
        setTimeout(() => this.byName.delete(name), 5000).unref();
      },
    });
    this.byName.set(name, proc);
    return proc;
  }

  /** Kills the idle spares and stops listening to app events (processes serving runs are owned by their runs). */
  dispose(): void {
    this.spares?.close();
    this.unsubscribeGone();
  }
}

function defaultHardKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
