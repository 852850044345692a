// Messages between the engine (parent), the sandbox process's controller (main thread) and the
// worker thread that runs the wasm. Everything here crosses a process or thread boundary, so it is
// plain serialisable data (the fork IPC uses 'advanced' serialization, so bigint is fine).
import type { Capabilities } from '../../shared/capabilities.js';

export type CapabilitySet = Capabilities;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type RequestKind = 'prompt' | 'confirm' | 'select' | 'multi_select';

/** One event of a run. Small, serialisable, timestamped (`t` = epoch milliseconds). */
export type RunEvent =
  | { type: 'started'; t: number; runId: string; plugin: string; command: string; pid: number | null }
  | { type: 'output'; t: number; text: string }
  | { type: 'log'; t: number; level: LogLevel; message: string; source: 'plugin' | 'host' }
  | {
      type: 'progress';
      t: number;
      message?: string;
      current?: number;
      total?: number;
      done?: boolean;
    }
  | {
      type: 'request';
      t: number;
      id: string;
      kind: RequestKind;
      message: string;
      options?: string[];
      default?: unknown;
      defaults?: number[];
      validate?: string;
    }
  | { type: 'stderr'; t: number; line: string }
  | { type: 'exec'; t: number; command: string; cwd: string | null; code: number; durationMs: number }
  /** A regular file the plugin opened under a mount (path as the plugin sees it, e.g. /project/README.md). */
  | { type: 'file'; t: number; mount: string; path: string; access: 'read' | 'write' }
  /** A request the sandbox refused because its capability is not granted. */
  | { type: 'denied'; t: number; capability: string; what: string }
  /** A store key the plugin wrote (the key only, never the value), once the write landed. */
  | { type: 'store'; t: number; key: string }
  /** The metadata keys a plugin's request was answered with (fledge_config, git_status...). */
  | { type: 'metadata'; t: number; keys: string[] }
  | {
      type: 'exit';
      t: number;
      code: number;
      reason: EndReason;
      message: string;
      fuelUsed: number;
      durationMs: number;
    };

export type EndReason = 'exit' | 'fuel' | 'timeout' | 'memory' | 'stack' | 'trap' | 'crash' | 'error';

/** How the wasm side ended, before the engine words it for a person. */
export interface WorkerEnd {
  reason: EndReason;
  code: number;
  /** Technical detail: the trap message, the load error... */
  detail: string;
  fuelUsed: number;
  peakMemoryBytes: number;
  /** The sandbox process's peak RSS (filled in by the controller). */
  peakRssBytes?: number;
  /** For a plugin whose compiled code can be cached (compiled-cache.ts): whether it started from it. */
  codeFromCache?: boolean;
  /** A WASI program's output, byte for byte (program runs only; see SandboxStart.mode). */
  stdout?: Uint8Array;
  stderr?: Uint8Array;
}

export interface WasiSetup {
  args: string[];
  env: Record<string, string>;
  mounts: {
    guestPath: string;
    hostPath: string;
    readOnly: boolean;
    /** Bytes the mount may hold and holds now (counted once by the engine; wasi/quota.ts). */
    quota?: { limitBytes: number; usedBytes: number };
    /** Host folders under the mount that the plugin must not see (wasi/resolve.ts). */
    hidden?: string[];
  }[];
  realClock: boolean;
  realRandom: boolean;
  randomSeed: string;
}

/**
 * What the sandbox runs:
 * - 'plugin': a fledge plugin command: the fledge imports, `init` through recv, stdout as output
 *   events and stderr as stderr lines; the prepared module is cached beside the binary.
 * - 'program': a plain WASI command (e.g. a conformance test): no fledge imports (importing "fledge"
 *   is a load error), no init; stdout and stderr are returned in the end, byte for byte; the module is
 *   prepared in memory (nothing is written beside the binary).
 */
export type SandboxMode = 'plugin' | 'program';

/** Everything the sandbox needs to run one plugin command or WASI program. */
export interface SandboxStart {
  runId: string;
  mode: SandboxMode;
  /** The plugin's (or program's) name, for messages. */
  pluginName: string;
  binaryPath: string;
  /** The init message, exactly as sent to the plugin (JSON text); empty for a program. */
  init: string;
  declared: CapabilitySet;
  granted: CapabilitySet;
  fuel: bigint;
  memoryCapBytes: number;
  wasi: WasiSetup;
  /** Keys the prepared-module cache's stamps (64 hex digits; plugin mode). Never shown to the plugin. */
  cacheKey?: string;
  /** The plugin folder (plugin mode): the prepared-module cache is kept only inside it. */
  pluginDir?: string;
  /** The binary's SHA-256 when it was approved: other bytes are refused (load exactly what was checked). */
  binarySha256?: string;
}

export type HostOp = 'exec' | 'storeGet' | 'storeSet' | 'metadata';

/** A host call with callId 0 expects no result (store_set). */
/** Parent -> sandbox process. */
export type ToSandbox =
  | { kind: 'start'; start: SandboxStart }
  | { kind: 'answer'; id: string; value: unknown }
  | { kind: 'cancel'; reason: 'user_interrupt' | 'timeout' }
  | { kind: 'hostResult'; callId: number; value: unknown }
  /**
   * utilityProcess only: the parent has handled one `events` or `end` message. parentPort.postMessage
   * gives no written signal (child_process's send callback does), so the parent acknowledges each
   * batch (the sandbox's back-pressure holds in Electron too) and the end (the process leaves only
   * once its end is in: exiting with messages still queued would lose them).
   */
  | { kind: 'delivered' };

/** Sandbox process -> parent. `json` is a JSON array of RunEvent (one string: cheap to pass on). */
export type FromSandbox =
  | { kind: 'ready'; pid: number }
  | { kind: 'events'; json: string }
  | { kind: 'hostCall'; callId: number; op: HostOp; payload: unknown }
  | { kind: 'end'; end: WorkerEnd };

/** Worker -> controller (over parentPort). */
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'drain' }
  | { kind: 'events'; json: string }
  | { kind: 'hostCall'; callId: number; op: HostOp; payload: unknown }
  | { kind: 'end'; end: WorkerEnd };

/** Controller -> worker over the synchronous port (read with receiveMessageOnPort). */
export type ToWorkerSync =
  | { kind: 'start'; start: SandboxStart }
  | { kind: 'answer'; id: string; value: unknown }
  | { kind: 'cancel'; reason: 'user_interrupt' | 'timeout' }
  | { kind: 'hostResult'; callId: number; value: unknown };

/** Index of the wake-up counter in the shared Int32Array. */
export const SIGNAL_INDEX = 0;

/** The sandbox process's argument carrying V8's cap on every wasm memory, in 64 KiB pages. */
export const WASM_MAX_PAGES_ARG = '--fledge-wasm-max-pages=';
