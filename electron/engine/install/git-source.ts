// Cloning a plugin from git: `git clone --depth 1` (of the ref, if one is given), hooks and
// submodules off, never a credential prompt, bounded in time. Needs the `git` CLI.
import { promises as fsp } from 'node:fs';
import { HostError } from '../host/errors.js';
import { gitEnv, runGit } from '../host/git.js';
import { redactUrls, stripUrlCredentials } from '../host/secrets.js';

export interface CloneOptions {
  timeoutMs?: number;
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
  const timeoutMs = options.timeoutMs ?? 300_000;
  // git-lfs (when the user has it) would fetch every LFS object the repository points at, from a
  // server of the repository's choosing, past the install size limits: keep the pointer files.
  const env = { ...gitEnv(), GIT_LFS_SKIP_SMUDGE: '1' };
  const base = [...SAFE_CLONE, 'clone', '--quiet', '--no-recurse-submodules', '--depth', '1'];
  const first = await runGit([...base, ...(ref ? ['--branch', ref] : []), '--', url, dest], {
    timeoutMs,
    env,
  });
  if (!first.ok) {
    // --branch takes branches and tags only; a commit id needs a full clone and a checkout.
    const maybeCommit = ref !== null && /^[0-9a-f]{7,40}$/i.test(ref);
    if (!maybeCommit) throw cloneFailure(url, ref, first.stderr);
    await fsp.rm(dest, { recursive: true, force: true });
    const full = await runGit(
      [...SAFE_CLONE, 'clone', '--quiet', '--no-recurse-submodules', '--no-checkout', '--', url, dest],
      {
        timeoutMs,
        env,
      },
    );
    if (!full.ok) throw cloneFailure(url, ref, full.stderr);
    const co = await runGit([...SAFE_CLONE, 'checkout', '--quiet', '--detach', ref, '--'], {
      cwd: dest,
      timeoutMs,
      env,
    });
    if (!co.ok) throw cloneFailure(url, ref, co.stderr);
  }
  const head = await runGit(['rev-parse', 'HEAD'], { cwd: dest, env });
  return { commit: head.ok ? head.stdout.trim() : '' };
}
