// A GitHub repository as an install source, fetched without git: `owner/repo[@ref]` and
// `https://github.com/owner/repo[.git][@ref]` (or the same on the GitHub Enterprise host the API is
// configured for). Resolving picks what to install: the ref given; else the latest release (its
// tag's source and its assets); else the default branch; always down to one commit.
import { z } from 'zod';
import { HostError, isHostError } from '../host/errors.js';
import type { GitHubApi, GitHubRequestOptions } from './github-api.js';
import type { PluginSource } from './source.js';

export interface GitHubRepo {
  owner: string;
  repo: string;
  /** The branch, tag or commit asked for; null: latest release, else the default branch. */
  ref: string | null;
}

const OWNER = '[A-Za-z0-9][A-Za-z0-9-]{0,38}';
const REPO = '[A-Za-z0-9._-]{1,100}?';

/**
 * The GitHub repository a parsed source names, or null when it is not one (another host, a local
 * repository, an ssh address, credentials in the URL: those stay with git). `webHost` is the web
 * host of a GitHub Enterprise API; github.com always counts.
 */
export function githubRepoOf(source: PluginSource, webHost: string | null = null): GitHubRepo | null {
  if (source.kind !== 'git' || source.local) return null;
  const hosts = ['github\\.com', ...(webHost ? [webHost.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')] : [])];
  const m = new RegExp(`^https://(?:${hosts.join('|')})/(${OWNER})/(${REPO})(?:\\.git)?/?$`, 'i').exec(
    source.url,
  );
  if (!m) return null;
  const repo = m[2]!;
  if (repo === '.' || repo === '..' || repo.endsWith('.')) return null;
  return { owner: m[1]!, repo, ref: source.ref };
}

/** The web host of a GitHub Enterprise API (`https://HOST/api/v3` -> HOST), null for api.github.com. */
export function enterpriseWebHost(api: GitHubApi): string | null {
  const host = api.baseUrl.hostname.toLowerCase();
  if (host === 'api.github.com') return null;
  return /\/api\/v3\/?$/.test(api.baseUrl.pathname) ? api.baseUrl.host : null;
}

/** "owner/repo" or "owner/repo@ref", as a person types it. */
export function repoLabel(repo: { owner: string; repo: string }, ref?: string | null): string {
  return `${repo.owner}/${repo.repo}${ref ? `@${ref}` : ''}`;
}

const assetSchema = z.object({
  name: z.string().min(1).max(255),
  size: z.number().int().nonnegative(),
  browser_download_url: z.string().min(1),
  /** The API's address of the asset: on the API's own host, so a token (private repositories) goes with it. */
  url: z.string().min(1).optional(),
});
export const releaseSchema = z.object({
  tag_name: z.string().min(1).max(255),
  draft: z.boolean().optional(),
  prerelease: z.boolean().optional(),
  assets: z.array(assetSchema).max(1000).default([]),
});
export type ReleaseAsset = z.infer<typeof assetSchema>;
export type Release = z.infer<typeof releaseSchema>;

const repoSchema = z.object({ default_branch: z.string().min(1).max(255) });
export const commitSchema = z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/) });

export interface ResolvedGitHubSource extends GitHubRepo {
  /** The ref that was installed (the asked one, the release's tag, or the default branch). */
  resolvedRef: string;
  /** The commit it points at (40 hex digits): recorded as pinned_ref. */
  commit: string;
  /** The release whose assets may carry prebuilt wasm (null when none matches). */
  release: Release | null;
  /** The API address of the source archive (.tar.gz) of that commit. */
  archiveUrl: string;
}

export function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new HostError(
      'github_bad_answer',
      `GitHub's answer about ${what} is not what was expected; stopped.`,
    );
  return r.data;
}

export async function orNullOn404<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isHostError(err, 'github_not_found')) return null;
    throw err;
  }
}

/** Finds the commit to install and the release that goes with it. */
export async function resolveGitHubSource(
  api: GitHubApi,
  repo: GitHubRepo,
  options: GitHubRequestOptions = {},
): Promise<ResolvedGitHubSource> {
  const base = `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`;
  const label = repoLabel(repo);
  const json = (path: string) => api.getJson(`${base}${path}`, options);
  const commitOf = async (ref: string): Promise<string> => {
    const answer = await orNullOn404(json(`/commits/${encodeURIComponent(ref)}`));
    if (answer === null)
      throw new HostError('git_ref_not_found', `There is no branch, tag or commit "${ref}" in ${label}.`);
    return parsed(commitSchema, answer, `the commit of ${label} ${ref}`).sha;
  };
  const info = await orNullOn404(json(''));
  if (info === null)
    throw new HostError(
      'git_not_found',
      `There is no repository ${label} on ${api.host === 'api.github.com' ? 'GitHub' : api.host} (or it is private: set a GitHub token).`,
    );
  const { default_branch } = parsed(repoSchema, info, label);
  let release: Release | null = null;
  let resolvedRef: string;
  if (repo.ref) {
    resolvedRef = repo.ref;
    const tagged = await orNullOn404(json(`/releases/tags/${encodeURIComponent(repo.ref)}`));
    release = tagged === null ? null : parsed(releaseSchema, tagged, `the release ${repo.ref} of ${label}`);
  } else {
    const latest = await orNullOn404(json('/releases/latest'));
    release = latest === null ? null : parsed(releaseSchema, latest, `the latest release of ${label}`);
    resolvedRef = release ? release.tag_name : default_branch;
  }
  const commit = await commitOf(resolvedRef);
  return {
    ...repo,
    resolvedRef,
    commit,
    release,
    archiveUrl: api.urlFor(`${base}/tarball/${commit}`),
  };
}

/** The latest release's tag, or null when there is none or GitHub cannot say (only informative). */
export async function latestReleaseTag(
  api: GitHubApi,
  repo: { owner: string; repo: string },
  options: GitHubRequestOptions = {},
): Promise<string | null> {
  try {
    const base = `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`;
    const latest = await orNullOn404(api.getJson(`${base}/releases/latest`, options));
    return latest === null
      ? null
      : parsed(releaseSchema, latest, `the latest release of ${repoLabel(repo)}`).tag_name;
  } catch {
    return null;
  }
}

/** "already up to date" for an update that found the installed commit again, in fledge 1.8's terms. */
export function upToDateText(resolved: ResolvedGitHubSource, latestTag: string | null): string {
  const sha = resolved.commit.slice(0, 7);
  if (resolved.ref) {
    const newer =
      latestTag && latestTag !== resolved.ref
        ? ` The latest release is ${latestTag}: install ${repoLabel(resolved, latestTag)} to move to it.`
        : '';
    const pin = /^[0-9a-f]{40}$/.test(resolved.ref) ? `commit ${sha}` : `${resolved.ref} (commit ${sha})`;
    return `Pinned to ${pin}, as asked at install; already up to date.${newer}`;
  }
  return resolved.release
    ? `Already up to date: ${resolved.release.tag_name} is the latest release (commit ${sha}).`
    : `Already up to date: commit ${sha} is the newest on ${resolved.resolvedRef} (no releases).`;
}

/** Where a resolved install comes from, in words: "release v1.1.0", "branch main", "v2-beta". */
export function refWords(resolved: ResolvedGitHubSource): string {
  if (resolved.release && resolved.release.tag_name === resolved.resolvedRef)
    return `release ${resolved.resolvedRef}`;
  if (!resolved.ref) return `branch ${resolved.resolvedRef}`;
  return /^[0-9a-f]{40}$/.test(resolved.ref) ? `commit ${resolved.ref.slice(0, 7)}` : resolved.ref;
}
