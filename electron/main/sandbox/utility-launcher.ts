// Sandbox processes in Electron: one utilityProcess.fork of the same sandbox host script the Node
// launcher forks, per run, named for its plugin (serviceName), stdout/stderr piped, messages through
// process.parentPort. ONE memory sampler of app.getAppMetrics() watches them all and stops a process
// over its cap (reason `memory`); child-process-gone reasons are reported with the exit.
import type { LaunchOptions, SandboxLauncher, SandboxProcess } from '../../engine/runs/launcher.js';
import { WASM_MAX_PAGES_ARG } from '../../sandbox/protocol.js';
import { MemorySampler } from './memory-sampler.js';
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
  }

  launch(options: LaunchOptions): SandboxProcess {
    const pages = Math.max(1, Math.ceil(options.memoryCapBytes / 65536));
    const name = serviceNameFor(options.label, ++this.seq);
    const capBytes =
      this.options.processCapBytes?.(options.memoryCapBytes) ??
      options.memoryCapBytes + DEFAULT_PROCESS_HEADROOM_BYTES;
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

  /** Stops listening to app events (the processes themselves are owned by their runs). */
  dispose(): void {
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
