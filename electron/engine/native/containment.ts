// Containing a native plugin where the OS allows it. On Linux, bubblewrap (`bwrap`) runs the plugin
// in fresh namespaces: the system folders and the plugin folder read-only, the project read-only, the
// plugin's data folder read-write only with `filesystem = "plugin"`, no home folder, a private /tmp,
// no network unless `network` is granted, its own PID namespace, and it dies with the engine.
// Elsewhere (or without a working bwrap) a native plugin runs with full access, and we say so.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';

export type NativeAccess = 'contained' | 'full';

export interface ContainmentSupport {
  available: boolean;
  /** The bwrap program, when available. */
  bwrap?: string;
  /** Why not, in plain words, with what to install or change. */
  reason?: string;
}

/** What a contained run may see. Paths are absolute; `*Real` are the same folders with links resolved. */
export interface ContainmentPlan {
  pluginDir: string;
  pluginDirReal: string;
  project: { path: string; real: string } | null;
  /** The plugin's data folder, bound read-write (filesystem = "plugin" only). */
  data: { path: string; real: string } | null;
  network: boolean;
  cwd: string;
  /** Real paths never to show inside the project (the config dir, other plugins' folders). */
  hidden?: string[];
}

const SYSTEM_LINKS_OR_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

function findBwrap(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'bwrap');
    if (existsSync(candidate)) return candidate;
  }
  return existsSync('/usr/bin/bwrap') ? '/usr/bin/bwrap' : null;
}

function probe(bwrap: string): Promise<string | null> {
  // The same namespaces a run uses: if this works, runs work.
  const args = [
    '--ro-bind',
    '/',
    '/',
    '--unshare-all',
    '--die-with-parent',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    'true',
  ];
  return new Promise((resolve) => {
    execFile(bwrap, args, { timeout: 10_000 }, (err, _stdout, stderr) => {
      resolve(err ? (String(stderr).trim() || err.message).split('\n')[0]! : null);
    });
  });
}

let cached: Promise<ContainmentSupport> | null = null;

/** Whether native runs can be contained here (checked once per process: bwrap is run once). */
export function containmentSupport(
  platform: NodeJS.Platform = process.platform,
): Promise<ContainmentSupport> {
  if (platform !== process.platform) return Promise.resolve(unsupported(platform));
  cached ??= detect(platform);
  return cached;
}

function unsupported(platform: NodeJS.Platform): ContainmentSupport {
  const os = platform === 'darwin' ? 'macOS' : platform === 'win32' ? 'Windows' : platform;
  return {
    available: false,
    reason: `Fledge Desktop cannot contain native plugins on ${os} yet: they run with full access, as you.`,
  };
}

async function detect(platform: NodeJS.Platform): Promise<ContainmentSupport> {
  if (platform !== 'linux') return unsupported(platform);
  const bwrap = findBwrap();
  if (!bwrap)
    return {
      available: false,
      reason:
        'bubblewrap (bwrap) is not installed, so native plugins run with full access. Install it to contain them: "sudo apt install bubblewrap" (Debian, Ubuntu), "sudo dnf install bubblewrap" (Fedora), "sudo pacman -S bubblewrap" (Arch).',
    };
  const failure = await probe(bwrap);
  if (failure)
    return {
      available: false,
      reason: `bubblewrap is installed but cannot make a sandbox here (${failure}), so native plugins run with full access. Unprivileged user namespaces are probably turned off: allow them (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04 an AppArmor profile for bwrap).`,
    };
  return { available: true, bwrap };
}

/** bwrap's arguments for a plan, up to (not including) the program to run. */
export function bwrapArgs(plan: ContainmentPlan): string[] {
  const args = ['--die-with-parent', '--unshare-all', '--cap-drop', 'ALL'];
  if (plan.network) args.push('--share-net');
  args.push('--ro-bind', '/usr', '/usr');
  for (const path of SYSTEM_LINKS_OR_DIRS) {
    let info: ReturnType<typeof lstatSync>;
    try {
      info = lstatSync(path);
    } catch {
      continue;
    }
    if (info.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else if (info.isDirectory()) args.push('--ro-bind', path, path);
  }
  args.push('--ro-bind-try', '/etc', '/etc', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  // Outer folders first, so a folder inside another is bound over it.
  const binds: { path: string; real: string; kind: 'ro' | 'rw' | 'hide' }[] = [];
  if (plan.project) {
    binds.push({ ...plan.project, kind: 'ro' });
    // What the project must not show is covered by an empty folder, where the plugin sees it.
    for (const real of plan.hidden ?? []) {
      const inside = relative(plan.project.real, real);
      if (inside && !inside.startsWith('..') && !isAbsolute(inside))
        binds.push({ path: join(plan.project.path, inside), real, kind: 'hide' });
    }
  }
  binds.push({ path: plan.pluginDir, real: plan.pluginDirReal, kind: 'ro' });
  if (plan.data) binds.push({ ...plan.data, kind: 'rw' });
  binds.sort((a, b) => a.path.split('/').length - b.path.split('/').length); // stable: project first
  for (const b of binds)
    if (b.kind === 'hide') args.push('--tmpfs', b.path);
    else args.push(b.kind === 'rw' ? '--bind' : '--ro-bind', b.real, b.path);
  args.push('--chdir', plan.cwd);
  return args;
}

/** How a native run is described to a person, on the consent screen and in the run view. */
export function accessLabel(access: NativeAccess, plan: { network: boolean; dataWritable: boolean }): string {
  if (access === 'full') return 'native, full access';
  const parts = ['read-only project'];
  if (plan.dataWritable) parts.push('its own data folder writable');
  parts.push(plan.network ? 'network allowed' : 'no network');
  return `native, contained (${parts.join(', ')})`;
}
