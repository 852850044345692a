// The slice of Electron that the utilityProcess launcher uses, as structural types: Electron's own
// `utilityProcess`, `app.getAppMetrics()` and `app.on('child-process-gone')` satisfy them, and so
// does the child_process-based stand-in the tests run against (test/support/utility-stand-in).

/** What `utilityProcess.fork` returns (Electron's UtilityProcess), as far as the launcher uses it. */
export interface UtilityChild {
  /** Undefined until 'spawn', and again after 'exit'. */
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  /** SIGTERM on POSIX; false (and nothing happens) before 'spawn' (electron/electron#44009). */
  kill(): boolean;
  on(event: 'spawn', listener: () => void): this;
  on(event: 'message', listener: (message: unknown) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): this;
}

export interface UtilityForkOptions {
  env?: Record<string, string>;
  execArgv?: string[];
  stdio?: ['ignore', 'pipe', 'pipe'];
  serviceName?: string;
}

export type UtilityFork = (modulePath: string, args: string[], options: UtilityForkOptions) => UtilityChild;

/** One entry of `app.getAppMetrics()`; memory figures are in kilobytes, as Electron gives them. */
export interface ProcessMetricLike {
  pid: number;
  type: string;
  name?: string;
  memory: { workingSetSize: number; peakWorkingSetSize: number };
}

/** The details of `app.on('child-process-gone')` (no pid: the process is known by its name). */
export interface ChildGoneDetails {
  type: string;
  reason: string;
  exitCode: number;
  name?: string;
  serviceName?: string;
}

export interface UtilityApi {
  fork: UtilityFork;
  getAppMetrics(): ProcessMetricLike[];
  /** Subscribes to child-process-gone; returns the unsubscribe. */
  onChildGone(listener: (details: ChildGoneDetails) => void): () => void;
}
