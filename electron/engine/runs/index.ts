// The engine's run API: start a plugin command in a sandbox process and get a Run (events, answer,
// cancel, end). Used by the CLI, the app (through AppService) and the benchmarks.
import { mkdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { type Capabilities, intersectCapabilities } from '../../../shared/capabilities.js';
import { DenyingHostServices, type HostServices } from '../../sandbox/host-services.js';
import { capMemory } from '../../sandbox/prepare/index.js';
import type { WasiSetup } from '../../sandbox/protocol.js';
import { isNotImplemented } from '../../sandbox/runtime.js';
import type { ProjectContext } from '../host/project.js';
import { NodeSandboxLauncher, type SandboxLauncher } from './launcher.js';
import { DEFAULT_MEMORY_CAP_BYTES, SandboxPool } from './pool.js';
import { DEFAULT_LIMITS, Run, type RunLimits, type RunPluginInfo, type RunTimings } from './run.js';

export type { SandboxLauncher, SandboxProcess } from './launcher.js';
export { NodeSandboxLauncher } from './launcher.js';
export { SandboxPool } from './pool.js';
export type { RunEnd, RunInfo, RunLimits, RunListener, RunPluginInfo } from './run.js';
export { DEFAULT_LIMITS, Run } from './run.js';

/** The fledge version this app speaks for (sent in `init` as fledge.version). */
export const FLEDGE_COMPAT_VERSION = '1.7.0';

export interface StartRunOptions {
  plugin: RunPluginInfo;
  /** The command's name (from plugin.toml). */
  command: string;
  /** Its binary: absolute, or relative to the plugin dir. */
  binary: string;
  args?: string[];
  project?: ProjectContext | null;
  /** What the user granted; intersected with what the plugin declares. */
  grants: Capabilities;
  limits?: Partial<RunLimits>;
  /** Serves GRANTED exec/store/metadata calls. Default: answers like a denial (until host services are wired). */
  hostServices?: HostServices;
  timings?: RunTimings;
}

export interface RunManagerOptions {
  launcher?: SandboxLauncher;
  /** Warm sandbox processes to keep (default 2; 0 for one-shot use such as the CLI). */
  poolSize?: number;
  fledgeVersion?: string;
}

let capMemoryWorks: boolean | null = null;
/** Whether module preparation can cap memory per run (else a process's V8 flag is the only cap). */
function canCapPerRun(): boolean {
  if (capMemoryWorks === null) {
    try {
      // (module (memory 1))
      capMemory(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1]), 65536);
      capMemoryWorks = true;
    } catch (err) {
      capMemoryWorks = !isNotImplemented(err);
    }
  }
  return capMemoryWorks;
}

let warnedUnmetered = false;

export class RunManager {
  readonly pool: SandboxPool;
  private readonly fledgeVersion: string;
  private readonly active = new Set<Run>();

  constructor(options: RunManagerOptions = {}) {
    const launcher = options.launcher ?? new NodeSandboxLauncher();
    this.pool = new SandboxPool(launcher, {
      size: options.poolSize ?? 2,
      memoryCapBytes: DEFAULT_MEMORY_CAP_BYTES,
      canServeSmallerCap: canCapPerRun,
    });
    this.fledgeVersion = options.fledgeVersion ?? FLEDGE_COMPAT_VERSION;
  }

  /** Runs in progress. */
  runs(): Run[] {
    return [...this.active];
  }

  start(options: StartRunOptions): Run {
    const limits: RunLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const granted = intersectCapabilities(options.plugin.declared, options.grants);
    const run = new Run(
      {
        plugin: options.plugin,
        command: options.command,
        args: options.args ?? [],
        project: options.project ?? null,
        grants: granted,
        limits,
      },
      options.hostServices ?? new DenyingHostServices(options.plugin.name),
      options.timings,
    );
    this.active.add(run);
    void run.ended.then((end) => {
      this.active.delete(run);
      if (end.metered === false && !warnedUnmetered) {
        warnedUnmetered = true;
        console.warn(
          'fledge-desktop: warning: fuel metering is not available yet (module preparation is not implemented); plugins run unmetered.',
        );
      }
    });
    void this.launch(run, options, limits, granted);
    return run;
  }

  /** Kills idle warm processes; runs in progress are cancelled. */
  async close(): Promise<void> {
    for (const run of this.active) run.abort('The engine is shutting down.');
    await this.pool.close();
  }

  private async launch(
    run: Run,
    options: StartRunOptions,
    limits: RunLimits,
    granted: Capabilities,
  ): Promise<void> {
    run.startClock();
    const plugin = options.plugin;
    const memoryCapBytes = Math.floor(limits.memoryMb * 1024 * 1024);
    let wasi: WasiSetup;
    try {
      wasi = await wasiSetup(plugin, options.project ?? null, granted);
    } catch (err) {
      run.failToStart(`its sandbox could not be set up: ${(err as Error).message}`);
      return;
    }
    const init = JSON.stringify({
      type: 'init',
      protocol: 'fledge-v1',
      args: options.args ?? [],
      project: options.project ?? null,
      plugin: { name: plugin.name, version: plugin.version, dir: plugin.dir },
      fledge: { version: this.fledgeVersion },
      capabilities: {
        exec: granted.exec,
        store: granted.store,
        metadata: granted.metadata,
        filesystem: granted.filesystem,
        network: granted.network,
      },
    });
    let proc: Awaited<ReturnType<SandboxPool['acquire']>>;
    try {
      proc = await this.pool.acquire(memoryCapBytes);
    } catch (err) {
      run.failToStart(`no sandbox process could be started: ${(err as Error).message}`, 'crash');
      return;
    }
    run.attach(proc, {
      pluginName: plugin.name,
      binaryPath: isAbsolute(options.binary) ? options.binary : resolve(plugin.dir, options.binary),
      init,
      declared: plugin.declared,
      granted,
      fuel: limits.fuel,
      memoryCapBytes,
      wasi,
    });
  }
}

async function wasiSetup(
  plugin: RunPluginInfo,
  project: ProjectContext | null,
  granted: Capabilities,
): Promise<WasiSetup> {
  const mounts: WasiSetup['mounts'] = [];
  if ((granted.filesystem === 'project' || granted.filesystem === 'plugin') && project) {
    mounts.push({ guestPath: '/project', hostPath: await realpath(project.root), readOnly: true });
  }
  if (granted.filesystem === 'plugin') {
    const data = join(plugin.dir, 'data');
    await mkdir(data, { recursive: true });
    mounts.push({ guestPath: '/plugin', hostPath: await realpath(data), readOnly: false });
  }
  return {
    args: [plugin.name],
    env: {},
    mounts,
    realClock: granted.clock === true,
    realRandom: granted.random === true,
    randomSeed: `${plugin.name}@${plugin.version}`,
  };
}
