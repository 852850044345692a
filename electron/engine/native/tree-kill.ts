// Stopping a native plugin and everything it started. On Unix the plugin leads its own process group
// (spawned detached), so one signal to the group reaches its children and theirs; on Windows
// `taskkill /T /F` ends the whole tree.
import { spawn } from 'node:child_process';

export type TreeSignal = 'SIGTERM' | 'SIGKILL';

/** Sends `signal` to the process group led by `pid` (Windows: kills the tree). Never throws. */
export function killTree(
  pid: number,
  signal: TreeSignal,
  platform: NodeJS.Platform = process.platform,
): void {
  if (platform === 'win32') {
    // There is no gentle signal for a console program's tree: a stop request is the protocol's
    // `cancel`; what follows is the end of the tree.
    if (signal !== 'SIGKILL') return;
    try {
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
        'error',
        () => {},
      );
    } catch {
      // taskkill missing: nothing more can be done from here
    }
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // no such group any more: everyone in it has exited (never fall back to the bare pid: once the
    // leader is reaped, that number may belong to someone else)
  }
}
