// The fetch step of an install, before consent: a GitHub repository comes as its source archive
// through the API (no git needed) with the release's prebuilt wasm filling in missing binaries; any
// other source goes through the existing staging (git only for other hosts and local repositories).
// Afterwards, a binary that is still missing must come from the build hook: when the toolchain it
// needs is not here, the install stops now, saying what is missing and where to get it.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { validateManifestText } from '../../../shared/manifest/validate-manifest.js';
import { type InstallProgressOptions, throwIfCancelled } from '../catalog/install-progress.js';
import { HostError } from '../host/errors.js';
import { stripUrlCredentials } from '../host/secrets.js';
import { checkToolchain, findProgram } from '../pack/toolchain.js';
import type { GitHubApi } from './github-api.js';
import { downloadToFile } from './github-download.js';
import { fetchPrebuiltWasm, type PrebuiltWasm } from './github-prebuilt.js';
import {
  enterpriseWebHost,
  githubRepoOf,
  type ResolvedGitHubSource,
  repoLabel,
  resolveGitHubSource,
} from './github-source.js';
import { DEFAULT_INSTALL_LIMITS, fmtSize, type InstallLimits } from './limits.js';
import { type PluginSource, parseSource } from './source.js';
import { type StagedPlugin, stagePlugin } from './staging.js';

export interface FetchOptions extends InstallProgressOptions {
  pluginsDir: string;
  cwd: string;
  github: GitHubApi;
  limits?: InstallLimits;
  /** Where git, cargo and the hook's program are looked for (default process.env). */
  env?: Record<string, string | undefined>;
  /**
   * An update: plugins.toml's pinned_ref (the commit this app installed, or the tag the fledge CLI
   * was given). A GitHub source that still resolves to it is not downloaded again.
   */
  installedRef?: string | null;
}

/** A GitHub update whose source resolves to the commit already installed: nothing was downloaded. */
export interface UpToDate {
  upToDate: ResolvedGitHubSource;
}

export interface FetchedPlugin {
  staged: StagedPlugin;
  /** Binaries that came from release assets (shown on the consent request). */
  prebuilt: PrebuiltWasm[];
  /** What plugins.toml records as pinned_ref: the resolved commit for GitHub, the ref given for git. */
  pinnedRef: string | null;
  github: ResolvedGitHubSource | null;
}

export async function fetchForInstall(
  spec: string,
  options: FetchOptions,
): Promise<FetchedPlugin | UpToDate> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => undefined);
  throwIfCancelled(options.signal);
  const source = await parseSource(spec, options.cwd);
  const repo = githubRepoOf(source, enterpriseWebHost(options.github));
  let staged: StagedPlugin;
  let resolved: ResolvedGitHubSource | null = null;
  let prebuilt: PrebuiltWasm[] = [];
  if (repo) {
    progress({
      phase: 'resolving',
      message: `Looking up ${repoLabel(repo, repo.ref)} on ${options.github.host}`,
    });
    resolved = await resolveGitHubSource(options.github, repo, { signal: options.signal });
    if (isInstalled(resolved, options.installedRef)) return { upToDate: resolved };
    staged = await stageArchive(source, resolved, options);
  } else {
    if (source.kind === 'git') {
      if (!(await findProgram('git', env, options.cwd)))
        throw new HostError(
          'git_missing',
          `Installing from ${stripUrlCredentials(source.url)} needs git, which is not installed on this computer. GitHub repositories (owner/repo or https://github.com/owner/repo) install without it; for other places, install git from https://git-scm.com and try again.`,
        );
      progress({ phase: 'downloading', message: `Cloning ${stripUrlCredentials(source.url)}` });
    } else progress({ phase: 'extracting', message: `Copying ${source.path}` });
    staged = await stagePlugin(source, {
      pluginsDir: options.pluginsDir,
      cwd: options.cwd,
      limits: options.limits,
    });
  }
  try {
    throwIfCancelled(options.signal);
    const manifest = await readManifest(staged.dir);
    if (manifest && resolved?.release) {
      const tag = resolved.release.tag_name;
      prebuilt = await fetchPrebuiltWasm(options.github, staged.dir, manifest, resolved.release, {
        signal: options.signal,
        onBytes: (asset, bytes, total) =>
          progress({
            phase: 'downloading',
            message: `Downloading ${asset} (${tag}): ${fmtSize(bytes)}${total ? ` of ${fmtSize(total)}` : ''}`,
            bytes,
            ...(total !== undefined ? { total } : {}),
          }),
      });
    }
    if (manifest) await requireToolchain(staged.dir, manifest, env, resolved !== null);
    return {
      staged,
      prebuilt,
      pinnedRef: resolved ? resolved.commit : source.kind === 'git' ? source.ref : null,
      github: resolved,
    };
  } catch (err) {
    await staged.discard();
    throw err;
  }
}

/**
 * The same commit as installed; or the same release tag the install was pinned to by the fledge CLI
 * (which records the tag it was given, not a commit; a release's tag is taken not to move, as 1.8 does).
 */
function isInstalled(resolved: ResolvedGitHubSource, installedRef: string | null | undefined): boolean {
  if (!installedRef) return false;
  if (resolved.commit === installedRef) return true;
  return resolved.ref === installedRef && resolved.release?.tag_name === installedRef;
}

/** Downloads the source archive of the resolved commit and stages it like a local .tar.gz. */
async function stageArchive(
  source: PluginSource,
  resolved: ResolvedGitHubSource,
  options: FetchOptions,
): Promise<StagedPlugin> {
  const limits = options.limits ?? DEFAULT_INSTALL_LIMITS;
  const root = downloadsRoot(options.pluginsDir);
  await fsp.mkdir(root, { recursive: true });
  await cleanStaleDownloads(root);
  const work = join(root, randomBytes(6).toString('hex'));
  await fsp.mkdir(work);
  const label = `${repoLabel(resolved, resolved.resolvedRef)}`;
  try {
    const archive = join(work, 'source.tar.gz');
    await downloadToFile(options.github, resolved.archiveUrl, archive, {
      maxBytes: limits.maxTotalBytes,
      label: `The source of ${label}`,
      signal: options.signal,
      onBytes: (bytes, total) =>
        options.onProgress?.({
          phase: 'downloading',
          message: `Downloading ${label}: ${fmtSize(bytes)}${total ? ` of ${fmtSize(total)}` : ''}`,
          bytes,
          ...(total !== undefined ? { total } : {}),
        }),
    });
    throwIfCancelled(options.signal);
    options.onProgress?.({ phase: 'extracting', message: `Unpacking ${label}` });
    const staged = await stagePlugin(
      { kind: 'archive', path: archive, format: 'tar.gz', spec: source.spec },
      { pluginsDir: options.pluginsDir, cwd: options.cwd, limits },
    );
    return { ...staged, source, commit: resolved.commit };
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}

/** Source archives are downloaded into <config>/fledge-desktop/downloads/<id>/ and removed once unpacked. */
export function downloadsRoot(pluginsDir: string): string {
  return join(dirname(pluginsDir), 'fledge-desktop', 'downloads');
}

/** Removes what a process that died mid-download left (older than an hour). */
async function cleanStaleDownloads(root: string): Promise<void> {
  for (const name of await fsp.readdir(root).catch(() => [] as string[])) {
    const st = await fsp.lstat(join(root, name)).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 60 * 60 * 1000)
      await fsp.rm(join(root, name), { recursive: true, force: true });
  }
}

/** plugin.toml read without the disk checks (binaries may still be missing); null when invalid. */
async function readManifest(dir: string): Promise<PluginManifest | null> {
  const text = await fsp.readFile(join(dir, 'plugin.toml'), 'utf8').catch(() => null);
  return text === null ? null : validateManifestText(text).manifest;
}

async function requireToolchain(
  dir: string,
  manifest: PluginManifest,
  env: Record<string, string | undefined>,
  fromGitHub: boolean,
): Promise<void> {
  const hook = manifest.hooks.build;
  if (!hook) return;
  const missing: string[] = [];
  for (const binary of new Set(manifest.commands.map((c) => c.binary)))
    if (!(await fsp.lstat(join(dir, binary)).catch(() => null))) missing.push(binary);
  if (missing.length === 0) return;
  const report = await checkToolchain(hook, dir, manifest.runtime, env);
  if (report.missing === null) return;
  throw new HostError(
    'toolchain_missing',
    `"${manifest.name}" has to be built from its source before it can run (${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not included${manifest.runtime === 'wasm' && fromGitHub ? ', and its release carries no prebuilt wasm for it' : ''}), with: ${hook}\n${report.missing}\nNothing was installed. The plugin's author can make it installable without this by attaching the built .wasm to a release (see "fledge-desktop pack").`,
  );
}
