// What the catalog can learn about one repository before installing it: its plugin.toml (at the
// latest release's tag, else the default branch) gives the runtime; the release's assets say whether
// the wasm comes prebuilt, i.e. whether it installs without a toolchain.
import { validateManifestText } from '../../../shared/manifest/validate-manifest.js';
import { HostError, isHostError } from '../host/errors.js';
import { type GitHubApi, readCapped } from '../install/github-api.js';
import { assetFor } from '../install/github-prebuilt.js';
import { resolveGitHubSource } from '../install/github-source.js';
import type { RepoFacts } from './catalog-cache.js';

const MAX_MANIFEST_BYTES = 256 * 1024;

export async function inspectRepository(
  api: GitHubApi,
  owner: string,
  repo: string,
  signal?: AbortSignal,
): Promise<RepoFacts> {
  const resolved = await resolveGitHubSource(api, { owner, repo, ref: null }, { signal });
  const inspectedAt = new Date().toISOString();
  const path = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/contents/plugin.toml?ref=${encodeURIComponent(resolved.resolvedRef)}`;
  let text: string;
  try {
    const res = await api.get(api.urlFor(path), { signal, accept: 'application/vnd.github.v3+json' });
    const body = JSON.parse(
      (await readCapped(res, MAX_MANIFEST_BYTES * 2, 'plugin.toml')).toString('utf8'),
    ) as {
      content?: unknown;
      encoding?: unknown;
    };
    if (typeof body.content !== 'string' || body.encoding !== 'base64')
      throw new HostError(
        'github_bad_answer',
        `GitHub's answer for ${owner}/${repo}'s plugin.toml has no content.`,
      );
    text = Buffer.from(body.content, 'base64').toString('utf8');
  } catch (err) {
    // No plugin.toml at its top: not an installable plugin (nothing known).
    if (isHostError(err, 'github_not_found'))
      return { runtime: null, installable_without_toolchain: false, inspectedAt };
    throw err;
  }
  const manifest = validateManifestText(text).manifest;
  if (!manifest) return { runtime: null, installable_without_toolchain: null, inspectedAt };
  const hook = manifest.hooks.build;
  let installable: boolean;
  if (manifest.runtime === 'wasm') {
    const release = resolved.release;
    const allPrebuilt =
      release !== null && manifest.commands.every((c) => assetFor(release, c.binary, manifest.name) !== null);
    // Without a build hook the wasm must be in the repository itself.
    installable = allPrebuilt || !hook;
  } else installable = !hook;
  return { runtime: manifest.runtime, installable_without_toolchain: installable, inspectedAt };
}
