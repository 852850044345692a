// Install progress as lines of text (the CLI's stderr): one line per phase change and per build
// output line; downloads at most every 10% (or every 5 MB when the size is unknown).
import type { InstallProgress } from './install-progress.js';

export function progressLines(write: (line: string) => void): (p: InstallProgress) => void {
  let lastPhase = '';
  let lastShare = -1;
  let lastBytes = 0;
  return (p) => {
    if (p.phase === 'downloading' && p.bytes !== undefined) {
      const share = p.total ? Math.floor((p.bytes / p.total) * 10) : -1;
      const fresh = lastPhase !== 'downloading';
      if (!fresh && (p.total ? share === lastShare : p.bytes - lastBytes < 5 * 1024 * 1024)) return;
      lastShare = share;
      lastBytes = p.bytes;
    }
    lastPhase = p.phase;
    write(`${p.phase === 'building' ? '  | ' : ''}${p.message}\n`);
  };
}
