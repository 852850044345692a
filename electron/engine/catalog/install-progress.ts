// How far an install has come, as events the app turns into a progress bar (and the CLI into lines).
import { HostError } from '../host/errors.js';

export type InstallProgressPhase =
  | 'resolving'
  | 'downloading'
  | 'extracting'
  | 'building'
  | 'preparing'
  | 'done';

export interface InstallProgress {
  phase: InstallProgressPhase;
  /** One line for the person, e.g. "Downloading owner/repo v1.2.0 (1.2 MB of 3.4 MB)". */
  message: string;
  /** Bytes received so far (downloading). */
  bytes?: number;
  /** Bytes expected, when the server said (downloading). */
  total?: number;
}

export interface InstallProgressOptions {
  onProgress?: (progress: InstallProgress) => void;
  /** Aborting stops the install where it is; nothing is left behind. */
  signal?: AbortSignal;
}

/** Throws the plain-words cancellation error once `signal` is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new HostError('install_cancelled', 'Cancelled; nothing was installed.');
}
