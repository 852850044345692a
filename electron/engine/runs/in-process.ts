// The sandbox of a one-shot engine (the CLI's `run`) inside the engine's own process: the controller
// (sandbox/controller.ts) on this thread, the wasm on a worker thread, exactly as in a sandbox
// process, minus the second Node process (about half of a trivial run's CPU time; measured by
// test/bench/trivial-run.ts).
//
// What a sandbox process gives and how it holds here:
// - the memory cap: written into the module per run (capMemory), and V8's --wasm-max-mem-pages for
//   the whole process behind it (set by the worker before any wasm; the CLI runs no other wasm);
//   the worker's JS heap is bounded by the same resourceLimits (running out ends the run as memory);
// - kill on timeout: kill() terminates the worker, which V8 stops wherever it is (wasm loops, JS,
//   Atomics.wait); our WASI opens files non-blocking, so no system call holds the thread;
// - a plain environment: the worker gets NODE_ENV only, as the process did (and FLEDGE_CODE_CACHE in
//   the build's run that makes its code cache: sandbox/code-cache.ts); its stdout is dropped
//   and its stderr kept as the process's was (the last 16 KB, for a crash message).
// What it does not give: surviving a V8 fatal error of the worker (the engine's process goes with
// it). The app and browser mode keep one process per run for that (and for their warm pool); the
// CLI, which exits with its run anyway, takes this launcher unless FLEDGE_CLI_SANDBOX=process.
import type { Worker } from 'node:worker_threads';
import { startController } from '../../sandbox/controller.js';
import type { FromSandbox, ToSandbox } from '../../sandbox/protocol.js';
import {
  bundledScript,
  type LaunchOptions,
  type SandboxExit,
  type SandboxLauncher,
  type SandboxProcess,
  sandboxWorkerEnv,
} from './launcher.js';
import { ProcessEvents } from './process-events.js';
import { explicitSandboxNode, pinnedNode } from './sandbox-node.js';

/** The largest page cap set in this process so far (the flag is process-wide: it only grows). */
let maxPagesSet = 0;

class InProcessSandbox implements SandboxProcess {
  exited = false;
  readonly pid = process.pid;
  private readonly events = new ProcessEvents();
  private toController: ((msg: ToSandbox) => void) | null = null;
  private readonly worker: Worker;

  constructor(workerScript: string, maxPages: number, workerEnv: Record<string, string>) {
    this.worker = startController(
      {
        send: (msg, done) => {
          if (this.exited) return;
          this.events.message(msg);
          done?.();
        },
        onMessage: (listener) => {
          this.toController = listener;
        },
        leave: () => this.stop(0, null),
        peakRssBytes: () => process.resourceUsage().maxRSS * 1024,
      },
      {
        workerScript,
        maxPages,
        workerOptions: { env: workerEnv, stdout: true, stderr: true },
      },
    );
    this.worker.stdout.resume();
    this.worker.stderr.setEncoding('utf8');
    this.worker.stderr.on('data', (chunk: string) => this.events.stderr(chunk));
  }

  postMessage(msg: ToSandbox): void {
    if (this.exited) return;
    this.toController?.(msg);
  }

  onMessage(listener: (msg: FromSandbox) => void): void {
    this.events.onMessage(listener);
  }

  onExit(listener: (exit: SandboxExit) => void): void {
    this.events.onExit(listener);
  }

  kill(): void {
    this.stop(null, 'SIGKILL');
  }

  setActive(active: boolean): void {
    if (active) this.worker.ref();
    else this.worker.unref();
  }

  /** Ends the worker (V8 stops it wherever it is), then reports the exit once, as a process would. */
  private stop(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    const report = () => this.events.exit(code, signal);
    this.worker.terminate().then(report, report);
  }
}

export interface InProcessLauncherOptions {
  /** The worker script (default: dist/sandbox-worker.cjs beside the bundle or in the repository). */
  workerScript?: string;
  /** Make the worker's code cache with this run (the build's, sandbox/code-cache.ts). */
  writeCodeCache?: boolean;
}

/** Runs each sandbox in this process: a controller here, the wasm in a worker thread (see above). */
export class InProcessSandboxLauncher implements SandboxLauncher {
  private readonly workerScript: string;
  private readonly workerEnv: Record<string, string>;

  constructor(options: InProcessLauncherOptions = {}) {
    this.workerScript = options.workerScript ?? bundledScript('sandbox-worker.cjs');
    this.workerEnv = sandboxWorkerEnv(options.writeCodeCache);
  }

  launch(options: LaunchOptions): SandboxProcess {
    // The worker sets it before any wasm exists (sandbox/worker.ts says why not here). Process-wide,
    // so it only grows: a run with a smaller cap keeps its own in its module.
    maxPagesSet = Math.max(maxPagesSet, Math.ceil(options.memoryCapBytes / 65536), 1);
    return new InProcessSandbox(this.workerScript, maxPagesSet, this.workerEnv);
  }
}

/**
 * Wasm modules at least this big run in a sandbox process on the pinned Node when it is installed
 * (sandbox-node.ts): ruby.wasm (30 MB) through the CLI takes 0.78 s in this process on Node 20 and
 * 0.63 s forked on Node 26, whose V8 loads its cached code and runs it faster, while the fork costs
 * ~40 ms of CPU: a trivial plugin 0.10 s in-process against 0.14 s (`npm run bench:wasmtime`, (a)
 * against a24). The bench's other programs (under 1 MB) gain nothing either way that pays for it.
 */
export const FORK_MIN_BYTES = 8 << 20;

/**
 * The launcher for a one-shot CLI run of a module of `binaryBytes`: in this process, unless
 * FLEDGE_CLI_SANDBOX=process asks for a sandbox process, FLEDGE_SANDBOX_NODE names another Node than
 * this one to run it on (which only a process can do; naming this one keeps it here), or the module
 * is FORK_MIN_BYTES or more and the pinned Node is installed and is not this one (the CLI's
 * launcher, build/cli-launcher.mjs, starts the CLI on the pinned Node: then every run stays here). A
 * trivial run costs 115 ms of CPU in this process, 155 ms in a process on the pinned Node (npx tsx
 * test/bench/trivial-run.ts).
 */
export function cliSandboxMode(
  env: Record<string, string | undefined>,
  binaryBytes = 0,
): 'in-process' | 'process' {
  if (env.FLEDGE_CLI_SANDBOX === 'process') return 'process';
  const explicit = explicitSandboxNode(env);
  const other = explicit ?? (binaryBytes >= FORK_MIN_BYTES ? pinnedNode() : undefined);
  return other !== undefined && other !== process.execPath ? 'process' : 'in-process';
}
