// Fetching a plugin into a private staging folder (<config>/fledge-desktop/staging/<id>/: the app's
// own folder, beside plugins/ on the same file system, never inside the CLI's plugins/), and moving
// a staged plugin into plugins/<name>/ so that a failure at any point leaves either the previous
// version or nothing, never a half-installed plugin:
//   1. the previous version's state.json and data/ (the plugin's store and files) move into the new
//      tree, so an update keeps them (as the CLI's `git pull` update does);
//   2. plugins/<name> is renamed to a backup inside the staging folder; 3. the new tree is renamed in;
//   4. the backup is deleted. If 2 or 3 fails, everything is moved back.
// Renames within one folder tree are atomic on every platform we target; plugins/<name> is missing
// only for the instant between steps 2 and 3.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { isValidPluginName } from '../../../shared/manifest/validate-manifest.js';
import { withFileLock } from '../fs/atomic.js';
import { describeError, errnoCode, HostError } from '../host/errors.js';
import { extractArchive } from './archive.js';
import { cloneRepository } from './git-source.js';
import { DEFAULT_INSTALL_LIMITS, type InstallLimits } from './limits.js';
import { CARRIED_OVER, refuseLinkedStorage } from './linked-storage.js';
import { type PluginSource, parseSource } from './source.js';
import { checkPluginTree, copyPluginTree } from './tree.js';

/** Where older versions staged, inside the CLI's plugins/ (cleaned away when found). */
export const LEGACY_STAGING_DIR = '.staging';

/** The app's staging folder for a plugins dir: <config>/fledge-desktop/staging. */
export function stagingRoot(pluginsDir: string): string {
  return join(dirname(pluginsDir), 'fledge-desktop', 'staging');
}

/**
 * The staging folder RELATIVE TO the plugins dir, for code that joins it: join(pluginsDir, STAGING_DIR)
 * is stagingRoot(pluginsDir). Prefer stagingRoot().
 */
export const STAGING_DIR = join('..', 'fledge-desktop', 'staging');

export function validatePluginName(name: unknown): string {
  if (typeof name !== 'string' || !isValidPluginName(name)) {
    throw new HostError(
      'plugin_bad_name',
      `"${String(name)}" cannot be a plugin's folder name: use letters, digits, ".", "_" and "-" (starting with a letter or digit, at most 128).`,
    );
  }
  return name;
}

export interface StagedPlugin {
  /** The plugin's root inside the staging folder (plugin.toml is expected here). */
  dir: string;
  /** The staging folder of this install (removed by discard). */
  stagingDir: string;
  source: PluginSource;
  /** The commit checked out, for git sources. */
  commit: string | null;
  files: number;
  bytes: number;
  /** Removes everything staged. Safe to call twice, and after a successful swap. */
  discard(): Promise<void>;
}

export interface StageOptions {
  pluginsDir: string;
  cwd?: string;
  limits?: InstallLimits;
  gitTimeoutMs?: number;
}

/**
 * Removes staging folders left by a process that died mid-install (older than `maxAgeMs`), and the
 * `plugins/.staging` of older versions once nothing in it is recent (the CLI would list it as clutter).
 */
export async function cleanStaleStaging(pluginsDir: string, maxAgeMs = 60 * 60 * 1000): Promise<void> {
  const clean = async (root: string): Promise<number> => {
    const names = await fsp.readdir(root).catch(() => [] as string[]);
    let kept = 0;
    await Promise.all(
      names.map(async (n) => {
        const st = await fsp.lstat(join(root, n)).catch(() => null);
        if (st && Date.now() - st.mtimeMs > maxAgeMs)
          await fsp.rm(join(root, n), { recursive: true, force: true });
        else if (st) kept++;
      }),
    );
    return kept;
  };
  await clean(stagingRoot(pluginsDir));
  const legacy = join(pluginsDir, LEGACY_STAGING_DIR);
  if ((await fsp.lstat(legacy).catch(() => null))?.isDirectory() && (await clean(legacy)) === 0)
    await fsp.rmdir(legacy).catch(() => undefined);
}

/** Archives often wrap everything in one folder (`plugin-1.0/...`): use that folder as the root. */
async function unwrapSingleFolder(dir: string): Promise<string> {
  if (await fsp.stat(join(dir, 'plugin.toml')).catch(() => null)) return dir;
  const names = (await fsp.readdir(dir)).filter((n) => n !== '__MACOSX' && n !== '.DS_Store');
  if (names.length !== 1) return dir;
  const only = join(dir, names[0]!);
  const st = await fsp.lstat(only);
  return st.isDirectory() ? only : dir;
}

/** Fetches a source (a spec the person typed, or an already parsed one) into a new staging folder. */
export async function stagePlugin(
  source: string | PluginSource,
  options: StageOptions,
): Promise<StagedPlugin> {
  const parsed = typeof source === 'string' ? await parseSource(source, options.cwd) : source;
  const limits = options.limits ?? DEFAULT_INSTALL_LIMITS;
  const root = stagingRoot(options.pluginsDir);
  await fsp.mkdir(root, { recursive: true });
  const stagingDir = join(root, `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
  await fsp.mkdir(stagingDir);
  const discard = () => fsp.rm(stagingDir, { recursive: true, force: true });
  const fetched = join(stagingDir, 'plugin');
  try {
    let commit: string | null = null;
    let stats: { files: number; bytes: number };
    let dir = fetched;
    switch (parsed.kind) {
      case 'directory':
        stats = await copyPluginTree(parsed.path, fetched, limits, `The folder ${parsed.path}`);
        break;
      case 'archive':
        await fsp.mkdir(fetched);
        stats = await extractArchive(parsed.path, fetched, limits);
        dir = await unwrapSingleFolder(fetched);
        break;
      case 'git': {
        commit = (await cloneRepository(parsed.url, parsed.ref, fetched, { timeoutMs: options.gitTimeoutMs }))
          .commit;
        stats = await checkPluginTree(fetched, limits, `The repository ${parsed.spec}`);
        break;
      }
    }
    await refuseLinkedStorage(dir, `"${parsed.spec}"`);
    return { dir, stagingDir, source: parsed, commit, ...stats, discard };
  } catch (err) {
    await discard();
    throw err;
  }
}

export interface SwapOptions {
  /** Test hook: called after each step ('carried' | 'backed-up'); throwing simulates a failure there. */
  onStep?: (step: 'carried' | 'backed-up') => Promise<void> | void;
}

async function exists(p: string): Promise<boolean> {
  return fsp
    .lstat(p)
    .then(() => true)
    .catch(() => false);
}

/**
 * Moves a staged plugin into `<pluginsDir>/<name>`, replacing (and carrying the data of) any
 * installed version; on failure the installed version is put back as it was. Removes the staging
 * folder either way. Two installs of the same name are serialised.
 */
export async function swapIntoPlace(
  staged: StagedPlugin,
  pluginsDir: string,
  name: string,
  options: SwapOptions = {},
): Promise<{ path: string; replaced: boolean }> {
  try {
    validatePluginName(name);
    const target = join(pluginsDir, name);
    const backup = join(staged.stagingDir, 'previous');
    const lock = join(stagingRoot(pluginsDir), `${name}.lock`);
    return await withFileLock(
      lock,
      async () => {
        const hadPrevious = await exists(target);
        const carried: string[] = [];
        let backedUp = false;
        try {
          if (hadPrevious) {
            // A linked install (the CLI's local install: plugins/<name> -> the author's folder): its
            // store and data are COPIED, never moved out of that folder; only the link is replaced.
            const linked = (await fsp.lstat(target)).isSymbolicLink();
            for (const item of CARRIED_OVER) {
              if (!(await exists(join(target, item)))) continue;
              await fsp.rm(join(staged.dir, item), { recursive: true, force: true });
              if (linked) {
                await fsp.cp(join(target, item), join(staged.dir, item), {
                  recursive: true,
                  verbatimSymlinks: true,
                });
                continue;
              }
              await fsp.rename(join(target, item), join(staged.dir, item));
              carried.push(item);
            }
            await options.onStep?.('carried');
            await fsp.rename(target, backup);
            backedUp = true;
            await options.onStep?.('backed-up');
          }
          await fsp.mkdir(pluginsDir, { recursive: true });
          await fsp.rename(staged.dir, target);
        } catch (err) {
          // Put the installed version back exactly as it was.
          if (backedUp && !(await exists(target))) await fsp.rename(backup, target);
          for (const item of carried) {
            await fsp.rename(join(staged.dir, item), join(target, item)).catch(() => undefined);
          }
          throw new HostError(
            'install_swap_failed',
            `Could not put the new version of ${name} in place (${describeError(err)}); ${hadPrevious ? 'the installed version was kept.' : 'nothing was installed.'}`,
            { cause: err },
          );
        }
        return { path: target, replaced: hadPrevious };
      },
      { timeoutMs: 60_000 },
    );
  } finally {
    await staged.discard().catch((err: unknown) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
  }
}

/** Removes an installed plugin's folder atomically (rename away, then delete); for a linked install only the link goes, never the folder it points to. */
export async function removeInstalled(pluginsDir: string, name: string): Promise<boolean> {
  validatePluginName(name);
  const target = join(pluginsDir, name);
  if (!(await exists(target))) return false;
  const root = stagingRoot(pluginsDir);
  await fsp.mkdir(root, { recursive: true });
  const trash = join(root, `${name}.removed-${randomBytes(4).toString('hex')}`);
  await fsp.rename(target, trash);
  await fsp.rm(trash, { recursive: true, force: true });
  return true;
}
