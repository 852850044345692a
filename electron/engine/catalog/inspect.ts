// What the catalog can learn about one repository before installing it, in as few requests as
// GitHub's limit allows (60 an hour without a token): the latest release (its tag and assets), then
// plugin.toml at that tag, else plugin.toml on the default branch: two requests. plugin.toml gives the
// runtime and the build hook. A wasm plugin installs without a toolchain when the release carries a
// built wasm for every command (or it needs no build); otherwise the hook's program says which
// toolchain. What was learnt is keyed by what it was read from: the release (tag and asset names),
// else the default branch's plugin.toml (its git object id: asking for the branch's commit first
// would cost a third request and never save one). While the repository's last push is unchanged
// the saved look-up is used with no request; a push with the same release costs one.
// Every answer is untrusted: checked with zod, bounded in size, plugin.toml validated as at install.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { validateManifestText } from '../../../shared/manifest/validate-manifest.js';
import type { GitHubApi } from '../install/github-api.js';
import { assetFor } from '../install/github-prebuilt.js';
import { orNullOn404, parsed, type Release, releaseSchema } from '../install/github-source.js';
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

/** GitHub's contents answer for a file: base64 text, bounded (a plugin.toml is a few KB), and its git object id. */
const contentsSchema = z.object({
  type: z.literal('file'),
  encoding: z.literal('base64'),
  content: z.string().max(Math.ceil((MAX_MANIFEST_BYTES * 4) / 3) + 8192),
  sha: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
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
  // The same release (tag and assets): what was learnt from it still holds.
  if (release && cached && cached.key === releaseKey(release)) return { ...cached, pushedAt, inspectedAt };
  // Without a ref, GitHub answers for the default branch.
  const answer = await orNullOn404(
    json(`/contents/plugin.toml${release ? `?ref=${encodeURIComponent(release.tag_name)}` : ''}`),
  );
  const body = answer === null ? null : parsed(contentsSchema, answer, `${label}'s plugin.toml`);
  const key = release
    ? releaseKey(release)
    : `branch:${hint.defaultBranch ?? 'default'}#${body?.sha ?? 'no-plugin-toml'}`;
  const facts = (f: Omit<RepoFacts, 'key' | 'pushedAt' | 'inspectedAt'>): RepoFacts => ({
    ...f,
    key,
    pushedAt,
    inspectedAt,
  });

  if (body === null)
    return facts({
      runtime: null,
      installable_without_toolchain: false,
      toolchain: null,
      problem: 'It has no plugin.toml at its top, so it cannot be installed as a fledge plugin.',
    });
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
