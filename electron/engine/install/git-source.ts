// Cloning a plugin from git: `git clone --depth 1` (of the ref, if one is given), hooks and
// submodules off, never a credential prompt, bounded in time AND in the bytes it puts on disk,
// watched while it runs: past either bound git and everything it started (its process group) are
// killed and the half-made clone is removed. Needs the `git` CLI.
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { dataFolderBytes } from '../host/data-quota.js';
import { describeError, errnoCode, HostError } from '../host/errors.js';
import { type GitResult, gitEnv, runGit } from '../host/git.js';
import { redactUrls, stripUrlCredentials } from '../host/secrets.js';
import { fmtSize } from './limits.js';

/** How long a clone may take (default). */
export const CLONE_TIMEOUT_MS = 300_000;
/** How much a clone may put on disk, its .git included (default): twice an install's content limit. */
export const CLONE_MAX_BYTES = 512 * 1024 * 1024;
/** How often the clone's size on disk is looked at while it runs. */
const WATCH_MS = 200;

export interface CloneOptions {
  timeoutMs?: number;
  /** Bytes the clone may hold on disk while it runs and when done (default CLONE_MAX_BYTES). */
  maxBytes?: number;
}

interface Bounds {
  timeoutMs: number;
  maxBytes: number;
  /** The folder whose size is watched. */
  watch: string;
  cwd?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs git in a process group of its own, killing the whole group (git, git-remote-https,
 * index-pack...) when it takes longer than the time bound or the watched folder grows past the byte
 * bound. Resolves with the outcome and why it was stopped, if it was.
 */
function runBoundedGit(args: string[], b: Bounds): Promise<GitResult & { stopped?: 'time' | 'size' }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: b.cwd,
      env: b.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      if (stderr.length < 65536) stderr += c;
    });
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      if (stdout.length < 65536) stdout += c;
    });
    let stopped: 'time' | 'size' | undefined;
    const killGroup = () => {
      try {
        if (child.pid !== undefined)
          process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    };
    const kill = (why: 'time' | 'size') => {
      stopped ??= why;
      killGroup();
    };
    const timer = setTimeout(() => kill('time'), b.timeoutMs);
    let looking = false;
    const watcher = setInterval(() => {
      if (looking) return;
      looking = true;
      void dataFolderBytes(b.watch, b.maxBytes)
        .then((n) => {
          if (n > b.maxBytes) kill('size');
        })
        .finally(() => {
          looking = false;
        });
    }, WATCH_MS);
    const done = () => {
      clearTimeout(timer);
      clearInterval(watcher);
    };
    child.on('error', (err) => {
      done();
      if (errnoCode(err) === 'ENOENT')
        reject(
          new HostError('git_missing', 'git is not installed (or not on PATH); it is needed for this step.'),
        );
      else resolve({ ok: false, code: null, stdout, stderr: describeError(err) });
    });
    child.on('close', (code) => {
      done();
      // Whatever git left running in its group goes with it.
      killGroup();
      resolve({ ok: code === 0 && !stopped, code, stdout, stderr, ...(stopped ? { stopped } : {}) });
    });
  });
}

/** Options that keep a clone from running anything the repository asks for. */
const SAFE_CLONE = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'protocol.ext.allow=never',
];

function cloneFailure(url: string, ref: string | null, stderr: string): HostError {
  const shown = stripUrlCredentials(url);
  const detail = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(fatal|error):/.test(l))
    .map((l) => redactUrls(l.replace(/^(fatal|error):\s*/, '')))
    .join(' ');
  if (ref && /Remote branch .* not found|not found in upstream|did not match any/i.test(stderr)) {
    return new HostError('git_ref_not_found', `There is no branch, tag or commit "${ref}" in ${shown}.`);
  }
  if (
    /could not resolve host|unable to access|Could not read from remote|network is unreachable/i.test(stderr)
  ) {
    return new HostError(
      'git_unreachable',
      `Could not reach ${shown}. Check the address and your network connection.${detail ? ` (git: ${detail})` : ''}`,
    );
  }
  if (/does not exist|not a git repository|repository .* not found/i.test(stderr)) {
    return new HostError('git_not_found', `There is no git repository at ${shown}.`);
  }
  return new HostError('git_clone_failed', `Could not clone ${shown}${detail ? `: ${detail}` : '.'}`);
}

/** Clones `url` at `ref` (branch, tag or commit; default branch when null) into `dest` (must not exist). */
export async function cloneRepository(
  url: string,
  ref: string | null,
  dest: string,
  options: CloneOptions = {},
): Promise<{ commit: string }> {
  if (url.startsWith('-')) throw new HostError('source_bad', `"${url}" is not a repository address.`);
  const timeoutMs = options.timeoutMs ?? CLONE_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? CLONE_MAX_BYTES;
  const started = performance.now();
  // git-lfs (when the user has it) would fetch every LFS object the repository points at, from a
  // server of the repository's choosing, past the install size limits: keep the pointer files.
  const env = { ...gitEnv(), GIT_LFS_SKIP_SMUDGE: '1' };
  // Every step shares the one time bound; each is watched for size.
  const bounded = (args: string[], cwd?: string) =>
    runBoundedGit(args, {
      timeoutMs: Math.max(1, timeoutMs - (performance.now() - started)),
      maxBytes,
      watch: dest,
      env,
      ...(cwd ? { cwd } : {}),
    });
  const shown = stripUrlCredentials(url);
  /** Removes what the clone left and says why it stopped. */
  const fail = async (err: HostError): Promise<never> => {
    await fsp.rm(dest, { recursive: true, force: true });
    throw err;
  };
  const checkStopped = async (r: GitResult & { stopped?: 'time' | 'size' }) => {
    if (r.stopped === 'time')
      await fail(
        new HostError(
          'git_timeout',
          `Cloning ${shown} took longer than ${Math.round(timeoutMs / 1000)} s, so it was stopped; nothing was kept.`,
        ),
      );
    if (r.stopped === 'size')
      await fail(
        new HostError(
          'install_too_large',
          `Cloning ${shown} was stopped: it grew past ${fmtSize(maxBytes)} on disk; nothing was kept.`,
        ),
      );
  };
  const base = [...SAFE_CLONE, 'clone', '--quiet', '--no-recurse-submodules', '--depth', '1'];
  const first = await bounded([...base, ...(ref ? ['--branch', ref] : []), '--', url, dest]);
  await checkStopped(first);
  if (!first.ok) {
    // --branch takes branches and tags only; a commit id needs a full clone and a checkout.
    const maybeCommit = ref !== null && /^[0-9a-f]{7,40}$/i.test(ref);
    if (!maybeCommit) await fail(cloneFailure(url, ref, first.stderr));
    await fsp.rm(dest, { recursive: true, force: true });
    const full = await bounded([
      ...SAFE_CLONE,
      'clone',
      '--quiet',
      '--no-recurse-submodules',
      '--no-checkout',
      '--',
      url,
      dest,
    ]);
    await checkStopped(full);
    if (!full.ok) await fail(cloneFailure(url, ref, full.stderr));
    const co = await bounded([...SAFE_CLONE, 'checkout', '--quiet', '--detach', ref!, '--'], dest);
    await checkStopped(co);
    if (!co.ok) await fail(cloneFailure(url, ref, co.stderr));
  }
  // The last look: a clone that grew past the bound between two looks is refused too.
  if ((await dataFolderBytes(dest, maxBytes)) > maxBytes)
    await checkStopped({ ok: false, code: null, stdout: '', stderr: '', stopped: 'size' });
  const head = await runGit(['rev-parse', 'HEAD'], { cwd: dest, env });
  return { commit: head.ok ? head.stdout.trim() : '' };
}
