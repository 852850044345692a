// The host services a plugin can reach through GRANTED capabilities (exec, store, metadata).
// The sandbox process never performs them itself: its controller forwards each call to the engine,
// which answers with a HostServices implementation (the real one lives in electron/engine/host/ once
// wired; until then every call is answered like the native protocol's denial).

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
