// Files that sit in the repository (or the packaged app) beside the code, found from where the
// running file is: dist/ is one folder down from the top, electron/<layer>/ two, electron/engine/runs/
// three (a packaged app keeps dist/ and what it unpacks in app.asar.unpacked/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `relative` under the folder of `fromUrl` (an import.meta.url) or one of its `levels` parents, if it exists. */
export function findUp(fromUrl: string, relative: string, levels: number): string | undefined {
  let dir = dirname(fileURLToPath(fromUrl));
  for (let up = 0; up <= levels; up++) {
    const path = join(dir, relative);
    if (existsSync(path)) return path;
    dir = dirname(dir);
  }
  return undefined;
}
