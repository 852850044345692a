// The `<plugins>/bin/fledge-<command>` links the fledge CLI dispatches through: `fledge <command>` and
// `fledge plugins run <command>` find a plugin only by these. Made as the CLI 1.8 makes them
// (link_commands): one per command, pointing at `<plugins>/<name>/<binary>` (that path as joined, not
// resolved), the binary made executable; on Windows `fledge-<command>.exe`, a file symlink or, when
// the OS refuses one (no Developer Mode), a copy of the binary.
import { constants, promises as fsp } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { errnoCode, HostError } from '../host/errors.js';

export interface LinkOptions {
  platform?: NodeJS.Platform;
  /** Creates a file symlink (injectable so the Windows copy fallback can be tested anywhere). */
  symlink?: (target: string, path: string) => Promise<void>;
}

export function binDir(pluginsDir: string): string {
  return join(pluginsDir, 'bin');
}

export function linkName(command: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? `fledge-${command}.exe` : `fledge-${command}`;
}

/** The CLI's validate_command_name: a command must be usable as one file name in bin/. */
export function checkCommandName(command: string): void {
  if (
    command === '' ||
    command.includes('/') ||
    command.includes('\\') ||
    command.includes('\0') ||
    command.startsWith('.') ||
    command.startsWith('-')
  )
    throw new HostError(
      'command_bad_name',
      `"${command}" cannot be a command name: the fledge CLI runs commands through bin/fledge-<command>, so it must be one plain file name (letters, digits, "-", "_").`,
    );
}

/** Where the CLI points the link: the plugin folder joined with the binary as written in plugin.toml. */
export function linkTarget(pluginsDir: string, name: string, binary: string): string {
  if (isAbsolute(binary) || binary.split(/[\\/]/).includes('..'))
    throw new HostError(
      'command_bad_binary',
      `The binary "${binary}" of "${name}" must be a path inside the plugin folder.`,
    );
  return `${join(pluginsDir, name)}${sep}${binary}`;
}

async function makeExecutable(path: string, platform: NodeJS.Platform): Promise<void> {
  if (platform === 'win32') return;
  const st = await fsp.stat(path).catch(() => null);
  if (st?.isFile() && (st.mode & 0o111) === 0) await fsp.chmod(path, st.mode | 0o755);
}

async function removeIfPresent(path: string): Promise<void> {
  await fsp.rm(path, { force: true });
}

/** Creates (or replaces) the links for every command; returns the link paths. */
export async function linkCommands(
  pluginsDir: string,
  name: string,
  commands: { name: string; binary: string }[],
  options: LinkOptions = {},
): Promise<string[]> {
  const platform = options.platform ?? process.platform;
  const symlink = options.symlink ?? ((target: string, path: string) => fsp.symlink(target, path, 'file'));
  const dir = binDir(pluginsDir);
  await fsp.mkdir(dir, { recursive: true });
  const made: string[] = [];
  for (const command of commands) {
    checkCommandName(command.name);
    const target = linkTarget(pluginsDir, name, command.binary);
    await makeExecutable(target, platform);
    const link = join(dir, linkName(command.name, platform));
    await removeIfPresent(link);
    try {
      await symlink(target, link);
    } catch (err) {
      if (platform !== 'win32') throw err;
      // As the CLI: symlink_file needs Developer Mode or elevation; fall back to a copy.
      await fsp.copyFile(target, link, constants.COPYFILE_FICLONE);
    }
    made.push(link);
  }
  return made;
}

/**
 * Removes the links of these commands, but only links (or Windows copies) that belong to plugin
 * `name`: a link that now points into another plugin's folder is left alone.
 */
export async function unlinkCommands(
  pluginsDir: string,
  name: string,
  commands: string[],
  options: Pick<LinkOptions, 'platform'> = {},
): Promise<void> {
  const platform = options.platform ?? process.platform;
  const mine = join(pluginsDir, name) + sep;
  for (const command of commands) {
    for (const file of new Set([linkName(command, platform), `fledge-${command}`])) {
      const link = join(binDir(pluginsDir), file);
      const st = await fsp.lstat(link).catch(() => null);
      if (!st) continue;
      if (st.isSymbolicLink()) {
        const target = resolve(binDir(pluginsDir), await fsp.readlink(link));
        if (!`${target}`.startsWith(mine)) continue;
      } else if (!st.isFile()) continue;
      await fsp.rm(link, { force: true }).catch((err: unknown) => {
        if (errnoCode(err) !== 'ENOENT') throw err;
      });
    }
  }
}
