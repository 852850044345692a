// The engine's run API: start a plugin command in a sandbox process and get a Run (events, answer,
// cancel, end). Used by the CLI, the app (through AppService) and the benchmarks. startWasiProgram
// runs a plain WASI command the same way (the WASI conformance suite goes through it).
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { type Capabilities, intersectCapabilities, NO_CAPABILITIES } from '../../../shared/capabilities.js';
import { DenyingHostServices, type HostServices } from '../../sandbox/host-services.js';
import type { SandboxStart, WasiSetup } from '../../sandbox/protocol.js';
import { DEFAULT_DATA_QUOTA_BYTES, dataFolderBytes } from '../host/data-quota.js';
import type { ProjectContext } from '../host/project.js';
import { EngineHostServices } from '../host/services.js';
import { launchNative, NATIVE_CANCEL_GRACE_MS, type NativeRunOptions } from '../native/launch.js';
import { resolveConfigDir } from '../registry/config-dir.js';
import { prepareCacheKey } from './cache-key.js';
import { hiddenFromProject } from './hidden-folders.js';
import { NodeSandboxLauncher, type SandboxLauncher } from './launcher.js';
import { DEFAULT_MEMORY_CAP_BYTES, SandboxPool } from './pool.js';
import {
  DEFAULT_LIMITS,
  Run,
  type RunEnd,
  type RunLimits,
  type RunPluginInfo,
  type RunTimings,
} from './run.js';

export { DEFAULT_DATA_QUOTA_BYTES } from '../host/data-quota.js';
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
  /** The binary's SHA-256 when it was approved (consent): a binary with other bytes is not run. */
  binarySha256?: string;
  args?: string[];
  project?: ProjectContext | null;
  /** What the user granted; intersected with what the plugin declares. */
  grants: Capabilities;
  limits?: Partial<RunLimits>;
  /** Serves GRANTED exec/store/metadata calls. Default: the engine's host services for this plugin and project. */
  hostServices?: HostServices;
  timings?: RunTimings;
  /** A native plugin command (runtime = "native"): run as the CLI runs it, contained where possible. */
  native?: NativeRunOptions;
}

export interface RunManagerOptions {
  launcher?: SandboxLauncher;
  /** Warm sandbox processes to keep (default 2; 0 for one-shot use such as the CLI). */
  poolSize?: number;
  fledgeVersion?: string;
  /** Keys the prepared-module cache stamps (64 hex digits). Default: the one kept in the config dir. */
  prepareCacheKey?: string;
  /** The config dir, hidden from every plugin's /project (default: resolveConfigDir()). */
  configDir?: string;
}

export interface WasiProgramOptions {
  /** The WASI command module (.wasm): absolute, or relative to the current directory. */
  binary: string;
  /** Arguments after the program name (argv[0] is the binary's file name). */
  args?: string[];
  /** The exact environment; nothing is inherited. */
  env?: Record<string, string>;
  /** Preopened directories, in this order (fds 3, 4, ...). */
  mounts?: WasiSetup['mounts'];
  /** Grant the real clocks / real random numbers (default: deterministic ones, as for plugins). */
  realClock?: boolean;
  realRandom?: boolean;
  limits?: Partial<RunLimits>;
  timings?: RunTimings;
}

/** How a WASI program ended: exit code (proc_exit's, or 0 when _start returned), reason, exact output. */
export interface WasiProgramEnd extends RunEnd {
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/** A Run of a WASI program: its end carries stdout and stderr. */
export type WasiProgramRun = Run & { readonly ended: Promise<WasiProgramEnd> };

export class RunManager {
  readonly pool: SandboxPool;
  private readonly fledgeVersion: string;
  private readonly active = new Set<Run>();
  private cacheKey: string | undefined;
  private readonly configDir: string;

  constructor(options: RunManagerOptions = {}) {
    const launcher = options.launcher ?? new NodeSandboxLauncher();
    this.pool = new SandboxPool(launcher, {
      size: options.poolSize ?? 2,
      memoryCapBytes: DEFAULT_MEMORY_CAP_BYTES,
    });
    this.fledgeVersion = options.fledgeVersion ?? FLEDGE_COMPAT_VERSION;
    this.cacheKey = options.prepareCacheKey;
    this.configDir = options.configDir ?? resolveConfigDir();
  }

  /** The prepared-module cache key, read (or made) on the first plugin run. */
  private prepareCacheKey(): string {
    this.cacheKey ??= prepareCacheKey();
    return this.cacheKey;
  }

  /** Runs in progress. */
  runs(): Run[] {
    return [...this.active];
  }

  start(options: StartRunOptions): Run {
    const limits: RunLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const granted = intersectCapabilities(options.plugin.declared, options.grants);
    // The real host services, limited to the granted set (they check it again on every call).
    const host =
      options.hostServices ??
      new EngineHostServices({
        pluginName: options.plugin.name,
        pluginDir: options.plugin.dir,
        projectRoot: options.project?.root ?? null,
        grants: granted,
      });
    const run = new Run(
      {
        mode: 'plugin',
        plugin: options.plugin,
        command: options.command,
        args: options.args ?? [],
        project: options.project ?? null,
        grants: granted,
        limits,
      },
      host,
      options.native ? { cancelGraceMs: NATIVE_CANCEL_GRACE_MS, ...options.timings } : options.timings,
    );
    this.track(run);
    if (options.native)
      void launchNative(run, {
        plugin: options.plugin,
        binary: options.binary,
        args: options.args ?? [],
        project: options.project ?? null,
        granted,
        fledgeVersion: this.fledgeVersion,
        native: options.native,
        configDir: this.configDir,
        ...(options.binarySha256 !== undefined ? { binarySha256: options.binarySha256 } : {}),
      });
    else void this.launch(run, options, limits, granted);
    return run;
  }

  /**
   * Runs a plain WASI command in a sandbox process, as plugins run (fuel, memory cap, wall clock,
   * our WASI with these mounts), but without the fledge imports or init: its stdout and stderr are
   * returned byte for byte in the end. The module is prepared in memory; nothing is written beside it.
   */
  startWasiProgram(options: WasiProgramOptions): WasiProgramRun {
    const limits: RunLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const binaryPath = resolve(options.binary);
    const name = basename(binaryPath);
    const plugin: RunPluginInfo = { name, version: '', dir: dirname(binaryPath), declared: NO_CAPABILITIES };
    const run = new Run(
      {
        mode: 'program',
        plugin,
        command: name,
        args: options.args ?? [],
        project: null,
        grants: NO_CAPABILITIES,
        limits,
      },
      new DenyingHostServices(name),
      options.timings,
    );
    this.track(run);
    const wasi: WasiSetup = {
      args: [name, ...(options.args ?? [])],
      env: { ...options.env },
      mounts: options.mounts ?? [],
      realClock: options.realClock ?? false,
      realRandom: options.realRandom ?? false,
      randomSeed: name,
    };
    run.startClock();
    void this.attach(run, {
      pluginName: name,
      binaryPath,
      init: '',
      declared: NO_CAPABILITIES,
      granted: NO_CAPABILITIES,
      fuel: limits.fuel,
      memoryCapBytes: memoryCapBytes(limits),
      wasi,
    });
    return run as WasiProgramRun;
  }

  /** Kills idle warm processes; runs in progress are cancelled. */
  async close(): Promise<void> {
    for (const run of this.active) run.abort('The engine is shutting down.');
    await this.pool.close();
  }

  private track(run: Run): void {
    this.active.add(run);
    void run.ended.then(() => this.active.delete(run));
  }

  /** Hands the run a sandbox process from the pool (or a new one) and starts it there. */
  private async attach(run: Run, start: Omit<SandboxStart, 'runId' | 'mode'>): Promise<void> {
    let proc: Awaited<ReturnType<SandboxPool['acquire']>>;
    try {
      proc = await this.pool.acquire(start.memoryCapBytes, start.pluginName);
    } catch (err) {
      run.failToStart(`no sandbox process could be started: ${(err as Error).message}`, 'crash');
      return;
    }
    run.attach(proc, start);
  }

  private async launch(
    run: Run,
    options: StartRunOptions,
    limits: RunLimits,
    granted: Capabilities,
  ): Promise<void> {
    run.startClock();
    const plugin = options.plugin;
    let wasi: WasiSetup;
    try {
      const hidden = options.project ? await hiddenFromProject(this.configDir, plugin.dir) : [];
      wasi = await wasiSetup(plugin, options.project ?? null, granted, limits, hidden);
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
    await this.attach(run, {
      pluginName: plugin.name,
      binaryPath: isAbsolute(options.binary) ? options.binary : resolve(plugin.dir, options.binary),
      init,
      declared: plugin.declared,
      granted,
      cacheKey: this.prepareCacheKey(),
      pluginDir: plugin.dir,
      ...(options.binarySha256 !== undefined ? { binarySha256: options.binarySha256 } : {}),
      fuel: limits.fuel,
      memoryCapBytes: memoryCapBytes(limits),
      wasi,
    });
  }
}

function memoryCapBytes(limits: RunLimits): number {
  return Math.floor(limits.memoryMb * 1024 * 1024);
}

async function wasiSetup(
  plugin: RunPluginInfo,
  project: ProjectContext | null,
  granted: Capabilities,
  limits: RunLimits,
  /** Folders the project mount must not show (hidden-folders.ts). */
  hidden: string[],
): Promise<WasiSetup> {
  const mounts: WasiSetup['mounts'] = [];
  if ((granted.filesystem === 'project' || granted.filesystem === 'plugin') && project) {
    const root = await realpath(project.root);
    // A hidden folder that holds the whole project cannot be hidden from it (nothing else of it shows).
    const under = hidden.filter((h) => h !== root && h.startsWith(root.endsWith(sep) ? root : root + sep));
    mounts.push({
      guestPath: '/project',
      hostPath: root,
      readOnly: true,
      ...(under.length ? { hidden: under } : {}),
    });
  }
  if (granted.filesystem === 'plugin') {
    // The plugin folder is its author's: `data` must be a real folder in it, never a link (a `data`
    // linked to `.` or `/` would hand the plugin write access to itself or to anything).
    const data = join(plugin.dir, 'data');
    await mkdir(data, { recursive: true });
    const info = await lstat(data);
    if (info.isSymbolicLink() || !info.isDirectory())
      throw new Error(
        `${data} is ${info.isSymbolicLink() ? 'a link' : 'not a folder'}; the plugin's data folder must be a real folder`,
      );
    // Its quota: what it holds is counted once now; the sandbox counts every change from there.
    const limitBytes = limits.dataQuotaBytes ?? DEFAULT_DATA_QUOTA_BYTES;
    const hostPath = await realpath(data);
    const usedBytes = await dataFolderBytes(hostPath, limitBytes);
    mounts.push({ guestPath: '/plugin', hostPath, readOnly: false, quota: { limitBytes, usedBytes } });
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
