// The host services a plugin can reach through GRANTED capabilities (exec, store, metadata).
// The sandbox process never performs them itself: its controller forwards each call to the engine,
// which answers with a HostServices implementation (the real one lives in electron/engine/host/ once
// wired; until then every call is answered like the native protocol's denial).
import type { RunEvent } from './protocol.js';

export interface ExecRequest {
  command: string;
  cwd?: string;
  /** Seconds. */
  timeout?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HostServices {
  exec(request: ExecRequest): Promise<ExecResult>;
  storeGet(key: string): Promise<string | null>;
  storeSet(key: string, value: string): Promise<void>;
  metadata(keys: string[]): Promise<Record<string, unknown>>;
  /** Called when the run ends: stop whatever is still running (execs). */
  close?(): void;
}

export function execDenied(plugin: string): ExecResult {
  return {
    code: 126,
    stdout: '',
    stderr: `Plugin '${plugin}' is not allowed to run commands: the exec capability was not granted.`,
  };
}

/**
 * A load, exec or metadata request refused for want of its capability, as WASM and native runs alike
 * report it: what it asked in "what it touched" words (run "git status", read back "key", read
 * project details) and, for exec, the command's record (nothing ran) and the answer the plugin gets.
 */
export function refusedRequest(
  plugin: string,
  type: 'load' | 'exec' | 'metadata',
  msg: { key?: unknown; cwd?: unknown },
  command: string,
  t: number,
): { what: string; exec: { event: Extract<RunEvent, { type: 'exec' }>; result: ExecResult } | null } {
  if (type !== 'exec')
    return {
      what:
        type === 'load'
          ? `read back "${typeof msg.key === 'string' ? msg.key.slice(0, 256) : ''}"`
          : 'read project details',
      exec: null,
    };
  const result = execDenied(plugin);
  const cwd = typeof msg.cwd === 'string' ? msg.cwd : null;
  return {
    what: `run "${command}"`,
    exec: { event: { type: 'exec', t, command, cwd, code: result.code, durationMs: 0 }, result },
  };
}

/** Answers every call as the native protocol answers a capability that is not granted. */
export class DenyingHostServices implements HostServices {
  constructor(private readonly plugin: string) {}
  async exec(): Promise<ExecResult> {
    return execDenied(this.plugin);
  }
  async storeGet(): Promise<string | null> {
    return null;
  }
  async storeSet(): Promise<void> {}
  async metadata(): Promise<Record<string, unknown>> {
    return {};
  }
}
