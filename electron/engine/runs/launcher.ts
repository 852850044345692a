// Starting sandbox processes. The engine only sees the small SandboxLauncher interface (postMessage
// style messages, kill, an exit event, a pid), so the Electron utilityProcess launcher can stand in
// for the Node one below without the rest of the engine noticing.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FromSandbox, type ToSandbox, WASM_MAX_PAGES_ARG } from '../../sandbox/protocol.js';
import { ProcessEvents } from './process-events.js';
import { sandboxNode } from './sandbox-node.js';

export interface SandboxExit {
  code: number | null;
  signal: string | null;
  /** The last few KB the process wrote to stderr (a V8 fatal error, say). */
  stderrTail: string;
  /**
   * Why the process ended, when the launcher knows better than its exit code: it killed it for using
   * more memory than its cap, or Electron reported it gone (oom, crashed, launch-failed...).
   */
  cause?: { reason: 'memory' | 'crash' | 'error'; detail: string };
}

export interface SandboxProcess {
  readonly pid: number | null;
  readonly exited: boolean;
  postMessage(msg: ToSandbox): void;
  onMessage(listener: (msg: FromSandbox) => void): void;
  onExit(listener: (exit: SandboxExit) => void): void;
  kill(): void;
  /** Whether this process keeps the engine's event loop alive (idle pooled processes do not). */
  setActive(active: boolean): void;
}

export interface LaunchOptions {
  /** Every wasm memory in the process is capped at this (V8 --wasm-max-mem-pages), defence in depth. */
  memoryCapBytes: number;
  /** Who the process is for (a plugin's name), where the launcher can show it; warm processes have none. */
  label?: string;
}

export interface SandboxLauncher {
  launch(options: LaunchOptions): SandboxProcess;
}

/**
 * The environment of a sandbox's worker thread: NODE_ENV only, and FLEDGE_CODE_CACHE in the build's
 * run that makes its code cache (sandbox/code-cache.ts).
 */
export function sandboxWorkerEnv(writeCodeCache = false): Record<string, string> {
  return { NODE_ENV: 'production', ...(writeCodeCache ? { FLEDGE_CODE_CACHE: 'write' } : {}) };
}

/** Finds a bundled script of the sandbox in dist/: beside the running bundle, or in the repository's dist/. */
export function bundledScript(name: 'sandbox-host.js' | 'sandbox-worker.js' | 'sandbox-worker.cjs'): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, name), join(here, '..', '..', '..', 'dist', name)];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(
    `the sandbox ${name === 'sandbox-host.js' ? 'host' : 'worker'} script is missing (looked for ${candidates.join(' and ')}); run "npm run build" first`,
  );
}

/** Finds dist/sandbox-host.js: beside the running bundle, or in the repository's dist/. */
export function defaultHostScript(): string {
  return bundledScript('sandbox-host.js');
}

export interface NodeLauncherOptions {
  hostScript?: string;
  /** More Node/V8 flags for the sandbox process (profiling, say). */
  extraExecArgv?: string[];
  /** The Node binary to fork on (default: sandbox-node.ts's choice). */
  nodePath?: string;
  /** Make the sandbox worker's code cache with this run (the build's, sandbox/code-cache.ts). */
  writeCodeCache?: boolean;
}

class NodeSandboxProcess implements SandboxProcess {
  exited = false;
  private readonly events = new ProcessEvents();

  constructor(private readonly child: ChildProcess) {
    child.on('message', (msg: FromSandbox) => this.events.message(msg));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.events.stderr(chunk));
    child.on('error', () => {
      // spawn failures also end in 'exit' (or never start); kill() below copes with both
    });
    child.on('exit', () => {
      this.exited = true;
    });
    // 'close', not 'exit': 'exit' can come before the last IPC messages (the run's `end`) and the last
    // stderr bytes are delivered; 'close' comes after the process ended and its channels are drained.
    child.on('close', (code, signal) => {
      this.exited = true;
      this.events.exit(code, signal);
    });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  postMessage(msg: ToSandbox): void {
    if (this.exited || !this.child.connected) return;
    try {
      this.child.send(msg);
    } catch {
      // the process is going away; its exit event tells the rest
    }
  }

  onMessage(listener: (msg: FromSandbox) => void): void {
    this.events.onMessage(listener);
  }

  onExit(listener: (exit: SandboxExit) => void): void {
    this.events.onExit(listener);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  setActive(active: boolean): void {
    const channel = this.child.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (active) {
      this.child.ref();
      channel?.ref?.();
    } else {
      this.child.unref();
      channel?.unref?.();
    }
    const stderr = this.child.stderr as
      | (NodeJS.ReadableStream & { ref?: () => void; unref?: () => void })
      | null;
    if (active) stderr?.ref?.();
    else stderr?.unref?.();
  }
}

/** Sandbox processes under plain Node: child_process.fork of dist/sandbox-host.js. */
export class NodeSandboxLauncher implements SandboxLauncher {
  private readonly script: string;
  private readonly extraExecArgv: string[];
  private readonly nodePath: string | undefined;
  private readonly env: Record<string, string>;

  constructor(options: NodeLauncherOptions = {}) {
    this.extraExecArgv = options.extraExecArgv ?? [];
    this.nodePath = options.nodePath;
    this.env = sandboxWorkerEnv(options.writeCodeCache); // the worker thread inherits it
    this.script = options.hostScript ?? defaultHostScript();
  }

  launch(options: LaunchOptions): SandboxProcess {
    const pages = Math.max(1, Math.ceil(options.memoryCapBytes / 65536));
    // The page cap goes in as an argument, not as a V8 flag in execArgv: any V8 flag there costs a
    // Node process about 30 ms of start-up here (measured side by side), so the host sets it itself.
    const child = fork(this.script, [`${WASM_MAX_PAGES_ARG}${pages}`], {
      execPath: this.nodePath ?? sandboxNode(), // sandbox-node.ts: a pinned current Node when installed
      execArgv: this.extraExecArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: this.env,
    });
    return new NodeSandboxProcess(child);
  }
}
