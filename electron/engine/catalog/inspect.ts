// What the catalog can learn about one repository before installing it, in as few requests as
// GitHub's limit allows (60 an hour without a token): the latest release (its tag and assets), else
// the default branch's commit; then plugin.toml at that tag or commit, which gives the runtime and
// the build hook. A wasm plugin installs without a toolchain when the release carries a built wasm
// for every command (or it needs no build); otherwise the hook's program says which toolchain.
// What was learnt is keyed by its release or commit: a second look at an unchanged repository
// costs one request (or none, while its last push is the same), never a second plugin.toml.
// Every answer is untrusted: checked with zod, bounded in size, plugin.toml validated as at install.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { validateManifestText } from '../../../shared/manifest/validate-manifest.js';
import { HostError } from '../host/errors.js';
import type { GitHubApi } from '../install/github-api.js';
import { assetFor } from '../install/github-prebuilt.js';
import { commitSchema, orNullOn404, parsed, type Release, releaseSchema } from '../install/github-source.js';
import { hookProgram } from '../pack/toolchain.js';
import type { RepoFacts } from './catalog-cache.js';

export const MAX_MANIFEST_BYTES = 256 * 1024;
/** A saved look-up is trusted without asking GitHub while the repository's last push is the same, this long. */
export const FRESH_FOR_MS = 24 * 60 * 60 * 1000;

export interface InspectHint {
  /** From the search answer: saves the repository request when there is no release. */
  defaultBranch?: string | null;
  /** From the search answer: while it is unchanged, a saved look-up is used as it is. */
  pushedAt?: string | null;
}

const repoSchema = z.object({ default_branch: z.string().min(1).max(255) });
/** GitHub's contents answer for a file: base64 text, bounded (a plugin.toml is a few KB). */
const contentsSchema = z.object({
  type: z.literal('file'),
  encoding: z.literal('base64'),
  content: z.string().max(Math.ceil((MAX_MANIFEST_BYTES * 4) / 3) + 8192),
});

/** The program a build hook starts, as the toolchain a person would install ("Rust", "Go"...). */
export function toolchainOf(hook: string): string {
  const program = hookProgram(hook)
    .replace(/^.*[\\/]/, '')
    .toLowerCase();
  const known: Record<string, string> = {
    cargo: 'Rust',
    rustc: 'Rust',
    go: 'Go',
    tinygo: 'TinyGo',
    swift: 'Swift',
    npm: 'Node.js',
    npx: 'Node.js',
    node: 'Node.js',
    pnpm: 'Node.js',
    yarn: 'Node.js',
    asc: 'AssemblyScript',
    zig: 'Zig',
    clang: 'a C compiler',
    gcc: 'a C compiler',
    cc: 'a C compiler',
    make: 'make',
    cmake: 'CMake',
    python: 'Python',
    python3: 'Python',
  };
  // Anything else is named only when it is a plain program name (it comes from an untrusted plugin.toml).
  return known[program] ?? (/^[a-z0-9][a-z0-9._+-]{0,29}$/.test(program) ? `"${program}"` : 'a build tool');
}

/** The release's identity for the cache: its tag and the names of its assets (a built wasm added later counts). */
function releaseKey(release: Release): string {
  const names = release.assets
    .map((a) => a.name)
    .sort()
    .join('\n');
  return `release:${release.tag_name}#${createHash('sha256').update(names).digest('hex').slice(0, 16)}`;
}

/** True when `cached` may be used without asking GitHub (same last push, recent enough). */
export function stillFresh(cached: RepoFacts | null, hint: InspectHint, now = Date.now()): boolean {
  if (!cached?.key || !hint.pushedAt || cached.pushedAt !== hint.pushedAt) return false;
  const at = Date.parse(cached.inspectedAt);
  return Number.isFinite(at) && now - at < FRESH_FOR_MS;
}

export async function inspectRepository(
  api: GitHubApi,
  owner: string,
  repo: string,
  options: { signal?: AbortSignal; cached?: RepoFacts | null; hint?: InspectHint } = {},
): Promise<RepoFacts> {
  const { signal, cached = null, hint = {} } = options;
  const label = `${owner}/${repo}`;
  const base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
  const json = (path: string) => api.getJson(`${base}${path}`, { signal });
  const inspectedAt = new Date().toISOString();
  const pushedAt = hint.pushedAt ?? null;

  const latest = await orNullOn404(json('/releases/latest'));
  const release = latest === null ? null : parsed(releaseSchema, latest, `the latest release of ${label}`);
  let ref: string;
  let key: string;
  if (release) {
    ref = release.tag_name;
    key = releaseKey(release);
  } else {
    const branch =
      hint.defaultBranch ??
      parsed(
        repoSchema,
        await orNullOn404(json('')).then((r) => {
          if (r === null) throw new HostError('git_not_found', `There is no repository ${label} on GitHub.`);
          return r;
        }),
        label,
      ).default_branch;
    const commit = await orNullOn404(json(`/commits/${encodeURIComponent(branch)}`));
    if (commit === null)
      throw new HostError('git_ref_not_found', `${label} has no branch "${branch.slice(0, 100)}".`);
    ref = parsed(commitSchema, commit, `the commit of ${label} ${branch.slice(0, 100)}`).sha;
    key = `commit:${ref}`;
  }
  // The same release (tag and assets) or the same commit: what was learnt from it still holds.
  if (cached && cached.key === key) return { ...cached, pushedAt, inspectedAt };
  const facts = (f: Omit<RepoFacts, 'key' | 'pushedAt' | 'inspectedAt'>): RepoFacts => ({
    ...f,
    key,
    pushedAt,
    inspectedAt,
  });

  const answer = await orNullOn404(json(`/contents/plugin.toml?ref=${encodeURIComponent(ref)}`));
  if (answer === null)
    return facts({
      runtime: null,
      installable_without_toolchain: false,
      toolchain: null,
      problem: 'It has no plugin.toml at its top, so it cannot be installed as a fledge plugin.',
    });
  const body = parsed(contentsSchema, answer, `${label}'s plugin.toml`);
  const bytes = Buffer.from(body.content.replace(/\s+/g, ''), 'base64');
  if (bytes.length > MAX_MANIFEST_BYTES)
    return facts({
      runtime: null,
      installable_without_toolchain: false,
      toolchain: null,
      problem: 'Its plugin.toml is far larger than a plugin manifest can be; it was not read.',
    });
  const manifest = validateManifestText(bytes.toString('utf8')).manifest;
  if (!manifest)
    return facts({
      runtime: null,
      installable_without_toolchain: false,
      toolchain: null,
      problem: 'Its plugin.toml is not valid, so it cannot be installed until its author fixes it.',
    });
  const hook = manifest.hooks.build;
  let installable: boolean;
  if (manifest.runtime === 'wasm') {
    const allPrebuilt =
      release !== null && manifest.commands.every((c) => assetFor(release, c.binary, manifest.name) !== null);
    // Without a build hook the wasm must be in the repository itself.
    installable = allPrebuilt || !hook;
  } else installable = !hook;
  return facts({
    runtime: manifest.runtime,
    installable_without_toolchain: installable,
    toolchain: installable || !hook ? null : toolchainOf(hook),
    problem: null,
  });
}
