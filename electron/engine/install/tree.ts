// Copying a plugin folder, and checking a fetched tree, under the install limits.
//
// Copy rules (a local folder source): `.git` and `node_modules` are skipped (an install from git
// never has node_modules either; a build hook recreates it); symlinks are kept only if their real
// target stays inside the source, and are rewritten as relative links; a link that escapes or dangles
// refuses the install; fifos, sockets and devices refuse it too. Files keep their executable bit.
import { promises as fsp } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { HostError } from '../host/errors.js';
import { Budget, DEFAULT_INSTALL_LIMITS, type InstallLimits, isInside } from './limits.js';

export const COPY_SKIP = new Set(['.git', 'node_modules']);

export interface TreeStats {
  files: number;
  bytes: number;
}

async function checkedLinkTarget(link: string, root: string, label: string): Promise<string> {
  let real: string;
  try {
    real = await fsp.realpath(link);
  } catch {
    throw new HostError(
      'source_symlink_dangling',
      `${label} was refused: the symbolic link "${relative(root, link)}" points to something that does not exist.`,
    );
  }
  if (!isInside(real, root)) {
    throw new HostError(
      'source_symlink_escapes',
      `${label} was refused: the symbolic link "${relative(root, link)}" points outside the plugin (to ${real}).`,
    );
  }
  return real;
}

/** Copies `src` (a real path) into `dest` (must not exist yet). */
export async function copyPluginTree(
  src: string,
  dest: string,
  limits: InstallLimits = DEFAULT_INSTALL_LIMITS,
  label = src,
): Promise<TreeStats> {
  const root = await fsp.realpath(src);
  const budget = new Budget(limits, label);
  const walk = async (from: string, to: string): Promise<void> => {
    await fsp.mkdir(to, { recursive: false });
    const entries = await fsp.readdir(from, { withFileTypes: true });
    for (const e of entries) {
      if (COPY_SKIP.has(e.name)) continue;
      const s = join(from, e.name);
      const d = join(to, e.name);
      budget.addEntry();
      if (e.isSymbolicLink()) {
        const real = await checkedLinkTarget(s, root, label);
        // Recreate as a relative link to the same place inside the copy.
        const targetInCopy = join(dest, relative(root, real));
        await fsp.symlink(relative(dirname(d), targetInCopy) || '.', d);
      } else if (e.isDirectory()) {
        await walk(s, d);
      } else if (e.isFile()) {
        const st = await fsp.stat(s);
        budget.addBytes(st.size);
        await fsp.copyFile(s, d, 1 /* COPYFILE_EXCL */);
        await fsp.chmod(d, st.mode & 0o111 ? 0o755 : 0o644);
      } else {
        throw new HostError(
          'source_special_file',
          `${label} was refused: "${relative(root, s)}" is a fifo, socket or device rather than a file.`,
        );
      }
    }
  };
  await walk(root, dest);
  return { files: budget.entries, bytes: budget.bytes };
}

/**
 * Checks a tree that something else produced (a git checkout): limits, symlinks staying inside,
 * nothing but files, folders and links. `.git` itself is skipped (git's own data).
 */
export async function checkPluginTree(
  dir: string,
  limits: InstallLimits = DEFAULT_INSTALL_LIMITS,
  label = dir,
): Promise<TreeStats> {
  const root = await fsp.realpath(dir);
  const budget = new Budget(limits, label);
  const walk = async (at: string): Promise<void> => {
    for (const e of await fsp.readdir(at, { withFileTypes: true })) {
      if (at === root && e.name === '.git') continue;
      const p = join(at, e.name);
      budget.addEntry();
      if (e.isSymbolicLink()) await checkedLinkTarget(p, root, label);
      else if (e.isDirectory()) await walk(p);
      else if (e.isFile()) budget.addBytes((await fsp.stat(p)).size);
      else {
        throw new HostError(
          'source_special_file',
          `${label} was refused: "${relative(root, p)}" is a fifo, socket or device rather than a file.`,
        );
      }
    }
  };
  await walk(root);
  return { files: budget.entries, bytes: budget.bytes };
}
