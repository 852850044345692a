// Starts a native plugin command for a Run (RunManager.start with `native`): works out what to
// execute, whether it can be contained, its environment and working directory, and hands the Run a
// NativeProcess, which it drives exactly like a sandbox process.
import { constants } from 'node:fs';
import { access, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Capabilities } from '../../../shared/capabilities.js';
import type { SandboxStart } from '../../sandbox/protocol.js';
import { sha256File } from '../consent/consent-store.js';
import type { ProjectContext } from '../host/project.js';
import { hiddenFromProject } from '../runs/hidden-folders.js';
import type { Run, RunPluginInfo } from '../runs/run.js';
import {
  accessLabel,
  bwrapArgs,
  type ContainmentPlan,
  type ContainmentSupport,
  containmentSupport,
  type NativeAccess,
} from './containment.js';
import { nativeEnv } from './environment.js';
import { NativeProcess } from './native-process.js';
import { nativeProgram } from './program.js';

export interface NativeRunOptions {
  /** plugin.toml's `protocol = "fledge-v1"`: init on stdin, JSON lines; false: a plain command. */
  protocol: boolean;
  /**
   * 'auto' (the default): contained where the OS allows it, else full access with a warning that says
   * what to install. 'full': the person allowed this plugin full access. 'contained': never without.
   */
  access?: 'auto' | NativeAccess;
  /** The environment the plugin inherits (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** What containment this computer offers (default: detected once, by running bwrap). */
  support?: ContainmentSupport;
}

export interface NativeLaunch {
  plugin: RunPluginInfo;
  binary: string;
  args: string[];
  project: ProjectContext | null;
  granted: Capabilities;
  fledgeVersion: string;
  native: NativeRunOptions;
  /** The config dir: hidden from a contained plugin's view of the project (with other plugins' folders). */
  configDir: string;
  /** The SHA-256 approved at consent: the program must still be exactly that (a swapped one is refused). */
  binarySha256?: string;
}

/** What a Run of a native plugin tells about itself (RunInfo.native). */
export interface NativeRunDescription {
  access: NativeAccess;
  /** "native, contained (read-only project, no network)" or "native, full access". */
  label: string;
}

/** Cancel -> kill, for native runs: the protocol's 5 seconds. */
export const NATIVE_CANCEL_GRACE_MS = 5000;

async function checkProgram(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  if (!info) return `its program ${path} does not exist (was the plugin built?)`;
  if (!info.isFile()) return `its program ${path} is not a file`;
  if (process.platform !== 'win32') {
    const ok = await access(path, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!ok) return `its program ${path} is not executable (chmod +x it)`;
  }
  return null;
}

/** The plugin's data folder, made if missing; never a link (it would hand out write access elsewhere). */
async function dataFolder(pluginDir: string): Promise<{ path: string; real: string }> {
  const path = join(pluginDir, 'data');
  await mkdir(path, { recursive: true });
  const info = await lstat(path);
  if (info.isSymbolicLink() || !info.isDirectory())
    throw new Error(
      `${path} is ${info.isSymbolicLink() ? 'a link' : 'not a folder'}; the data folder must be a real folder`,
    );
  return { path, real: await realpath(path) };
}

function initMessage(l: NativeLaunch): string {
  const g = l.granted;
  return JSON.stringify({
    type: 'init',
    protocol: 'fledge-v1',
    args: l.args,
    project: l.project,
    plugin: { name: l.plugin.name, version: l.plugin.version, dir: l.plugin.dir },
    fledge: { version: l.fledgeVersion },
    capabilities: {
      exec: g.exec,
      store: g.store,
      metadata: g.metadata,
      filesystem: g.filesystem,
      network: g.network,
    },
  });
}

export async function launchNative(run: Run, l: NativeLaunch): Promise<void> {
  run.startClock();
  const { plugin, native } = l;
  const program = nativeProgram(plugin.dir, l.binary, native.protocol ? [] : l.args);
  const problem = await checkProgram(program.binaryPath);
  if (problem) return run.failToStart(problem);
  if (l.binarySha256 !== undefined && (await sha256File(program.binaryPath)) !== l.binarySha256)
    return run.failToStart(
      `its program ${program.binaryPath} is not the one you approved (it changed on disk); approve it again after checking it`,
    );
  const cwd = l.project?.root ?? plugin.dir;
  if (!(await stat(cwd).catch(() => null))?.isDirectory())
    return run.failToStart(`its working folder ${cwd} (the project) is not a folder that exists`);
  const notes: { level: 'info' | 'warn'; message: string }[] = [];
  let accessMode: NativeAccess = 'full';
  let file = program.file;
  let args = program.args;
  const dataWritable = l.granted.filesystem === 'plugin';
  try {
    if (native.access !== 'full') {
      const support = native.support ?? (await containmentSupport());
      if (support.available) {
        const plan: ContainmentPlan = {
          pluginDir: plugin.dir,
          pluginDirReal: await realpath(plugin.dir),
          project: l.project ? { path: l.project.root, real: await realpath(l.project.root) } : null,
          hidden: l.project ? await hiddenFromProject(l.configDir, plugin.dir) : [],
          data: dataWritable ? await dataFolder(plugin.dir) : null,
          network: l.granted.network,
          cwd,
        };
        accessMode = 'contained';
        file = support.bwrap!;
        args = [...bwrapArgs(plan), '--', program.file, ...program.args];
      } else if (native.access === 'contained') {
        return run.failToStart(`it must run contained, and ${support.reason}`);
      } else notes.push({ level: 'warn', message: support.reason! });
    }
  } catch (err) {
    return run.failToStart(`its containment could not be set up: ${(err as Error).message}`);
  }
  const description: NativeRunDescription = {
    access: accessMode,
    label: accessLabel(accessMode, { network: l.granted.network, dataWritable }),
  };
  run.info.native = description;
  const proc = new NativeProcess({
    pluginName: plugin.name,
    file,
    args,
    cwd: accessMode === 'contained' ? '/' : cwd,
    env: nativeEnv(native.env ?? process.env, plugin.dir, accessMode),
    protocol: native.protocol,
    granted: l.granted,
    signalExitCodes: accessMode === 'contained',
    notes: [{ level: 'info', message: `Plugin '${plugin.name}' runs ${description.label}.` }, ...notes],
  });
  const start: Omit<SandboxStart, 'runId' | 'mode'> = {
    pluginName: plugin.name,
    binaryPath: program.binaryPath,
    init: native.protocol ? initMessage(l) : '',
    declared: plugin.declared,
    granted: l.granted,
    fuel: 0n,
    memoryCapBytes: 0,
    wasi: { args: [], env: {}, mounts: [], realClock: false, realRandom: false, randomSeed: '' },
  };
  run.attach(proc, start);
}
