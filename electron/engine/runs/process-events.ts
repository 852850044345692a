// What every SandboxProcess keeps for its listeners, whatever carries it (a forked Node process, a
// worker in this process, an Electron utility process): each message as it comes, the tail of what it
// wrote to stderr, and its exit, reported once (a listener that comes later is told at once).
import type { FromSandbox } from '../../sandbox/protocol.js';
import type { SandboxExit } from './launcher.js';

/** How much of a sandbox's stderr an exit report keeps (the end, where the reason is). */
export const STDERR_TAIL = 16384;

export class ProcessEvents {
  private readonly messageListeners: ((msg: FromSandbox) => void)[] = [];
  private readonly exitListeners: ((exit: SandboxExit) => void)[] = [];
  private exitInfo: SandboxExit | null = null;
  private tail = '';

  /** True once the exit was reported. */
  get reported(): boolean {
    return this.exitInfo !== null;
  }

  onMessage(listener: (msg: FromSandbox) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: (exit: SandboxExit) => void): void {
    if (this.exitInfo) listener(this.exitInfo);
    else this.exitListeners.push(listener);
  }

  message(msg: FromSandbox): void {
    for (const l of this.messageListeners) l(msg);
  }

  stderr(chunk: string): void {
    this.tail = (this.tail + chunk).slice(-STDERR_TAIL);
  }

  /** Reports the exit to every listener, once (later calls do nothing); `cause` when known. */
  exit(code: number | null, signal: string | null, cause?: SandboxExit['cause']): void {
    if (this.exitInfo) return;
    this.exitInfo = { code, signal, stderrTail: this.tail, ...(cause ? { cause } : {}) };
    for (const l of this.exitListeners.splice(0)) l(this.exitInfo);
  }
}
