// The installed plugins, as the app and the CLI manage them: install (with consent), update, remove,
// grant, revoke, approve, audit, and finding what to run. plugins.toml stays the fledge CLI's
// registry (granted sets included); the hashes pinned at consent live in the app's consent.json.
import { isAbsolute, join } from 'node:path';
import {
  type Capabilities,
  type CapabilityName,
  capabilitiesBeyond,
  intersectCapabilities,
  NO_CAPABILITIES,
} from '../../../shared/capabilities.js';
import { allowedByTier, describeRequests, type TrustTier, tierForbids } from '../../../shared/consent.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { visibleText } from '../../../shared/manifest/visible.js';
import { type InstallProgressOptions, throwIfCancelled } from '../catalog/install-progress.js';
import { consentProblems, hashWasmBinaries, readConsent, updateConsent } from '../consent/consent-store.js';
import { HostError } from '../host/errors.js';
import { type FolderUsage, folderUsage, PluginStore, type StoreSizes } from '../host/store.js';
import { GitHubApi, type GitHubApiOptions, githubApiSettings } from '../install/github-api.js';
import { fetchForInstall } from '../install/github-install.js';
import { githubUpdateSpec, rememberRequestedRef } from '../install/github-pins.js';
import {
  latestReleaseTag,
  type ResolvedGitHubSource,
  refWords,
  upToDateText,
} from '../install/github-source.js';
import { type PluginSource, recordedSource } from '../install/source.js';
import { cleanStaleStaging, removeInstalled, type StagedPlugin, swapIntoPlace } from '../install/staging.js';
import { classifyTrust, loadTrustConfig } from '../install/trust.js';
import {
  type InteropAuditFields,
  interopAuditFields,
  refuseLinkedUpdate,
  relinkCommands,
  removeCommandLinks,
} from '../interop/cli-compat.js';
import { installDate } from '../interop/install-date.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { nativeConsentFor, requireNativeConfirmation } from '../native/consent.js';
import { afterInstall, beforeRemove, lifecycleHooks } from '../native/lifecycle-hooks.js';
import { type FledgePaths, fledgePaths } from '../registry/config-dir.js';
import {
  grantedByEntry,
  markSeen,
  type PluginRecord,
  readRegistry,
  updateRegistry,
} from '../registry/plugins-toml.js';
import { prepareCacheKey } from '../runs/cache-key.js';
import { runBuildHook } from './build-hook.js';
import type { ConsentPrompt } from './consent-request.js';
import { installedManifest, manifestErrors, type Runnable, resolveRunnable } from './resolve-runnable.js';
import { checkAndPrepareWasm } from './wasm-check.js';

export type { Runnable } from './resolve-runnable.js';

export interface ApproveOptions {
  /**
   * Only if the files are already approved here exactly as they are on disk (Electron's grant guard
   * let the call through unasked because they were): a file changed since is refused, not approved.
   */
  onlyIfUnchanged?: boolean;
}

function sameHashes(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

function filesChanged(name: string): HostError {
  return new HostError(
    'approval_changed',
    `The files of "${name}" changed a moment ago, so nothing was approved or granted. Look at its page again, then choose.`,
  );
}

export interface InstallOutcome {
  name: string;
  version: string;
  pluginDir: string;
  granted: Capabilities;
  tier: TrustTier;
  /** True when an installed version was replaced. */
  replaced: boolean;
  /** Capabilities the new version asks for that stay withheld until approved again. */
  withheld: CapabilityName[];
  warnings: string[];
  /** An update that found nothing newer (nothing was downloaded or changed): why, in plain words. */
  upToDate?: string;
}

export interface AuditRow extends InteropAuditFields {
  name: string;
  version: string;
  runtime: string;
  sandboxed: boolean;
  tier: TrustTier;
  source: string;
  declared: Capabilities | null;
  granted: Capabilities;
  commands: string[];
  /** Empty when the approval holds; otherwise why the plugin needs approving again. */
  consentProblems: string[];
  /** Its state.json store: keys and sizes (null when it cannot be read). */
  store: StoreSizes | null;
  /** Its data folder (what `filesystem = "plugin"` mounts at /plugin). */
  data: FolderUsage;
}

/**
 * `run X` finds the plugin NAMED X first, then the first plugin with a command X: a new plugin named
 * like another's command (or declaring another's name or command) would take over what the person
 * types to run the plugin they already trust. Refused, whatever the case.
 */
function refuseCommandClash(installed: PluginRecord[], name: string, manifest: PluginManifest): void {
  const mine = [name, ...manifest.commands.map((c) => c.name)].map((n) => n.toLowerCase());
  for (const other of installed) {
    if (other.name.toLowerCase() === name.toLowerCase()) continue;
    const theirs = [other.name, ...other.commands];
    const hit = theirs.find((n) => mine.includes(n.toLowerCase()));
    if (hit !== undefined)
      throw new HostError(
        'plugin_command_clash',
        `"${name}" cannot be installed: "${hit}" already runs the installed plugin "${other.name}"; a plugin's name and commands must not reuse another plugin's`,
      );
  }
}

type TrustConfig = Awaited<ReturnType<typeof loadTrustConfig>>;

function tierOf(source: PluginSource, trust: TrustConfig): TrustTier {
  const local = source.kind !== 'git' || source.local === true;
  return classifyTrust(source.spec, local, trust);
}

/** The tier of a source as plugins.toml records it: a path is local, anything else is classified by its owner. */
function tierOfRecorded(source: string, trust: TrustConfig): TrustTier {
  // A file:// repository (recorded as typed, as the CLI records it) is on this machine: local, as at install.
  return classifyTrust(source, isAbsolute(source) || source.startsWith('file://'), trust);
}

export class PluginService {
  readonly paths: FledgePaths;

  constructor(
    configDir: string,
    private readonly cwd: string = process.cwd(),
    /** GitHub's API for owner/repo sources (default: FLEDGE_GITHUB_API_URL / FLEDGE_GITHUB_TOKEN / GITHUB_TOKEN); a function is asked at each install (a token saved later). */
    private readonly github: GitHubApiOptions | (() => GitHubApiOptions) = githubApiSettings(process.env),
  ) {
    this.paths = fledgePaths(configDir);
  }

  private pluginDir(name: string): string {
    return join(this.paths.pluginsDir, name);
  }

  private async record(name: string): Promise<PluginRecord> {
    const registry = await readRegistry(this.paths.registryFile);
    const record = registry.plugins.find((p) => p.name === name);
    if (!record) throw new HostError('plugin_not_installed', `no plugin named "${name}" is installed`);
    return record;
  }

  private installedManifest(name: string): Promise<PluginManifest> {
    return installedManifest(this.paths, name);
  }

  /** Installs a plugin from a folder, an archive or a git source, asking `prompt` for consent. */
  install(
    source: string,
    prompt: ConsentPrompt,
    options: InstallProgressOptions = {},
  ): Promise<InstallOutcome> {
    return this.installFrom(source, prompt, null, options);
  }

  /**
   * Fetches the recorded source again and installs the new version, keeping grants it does not widen.
   * `from`: a folder or archive on this computer to take the new version from instead (a newer file
   * dropped on the window), for a plugin that came from this computer; it becomes the recorded
   * source. A plugin from anywhere else keeps getting its updates from there.
   */
  async update(
    name: string,
    prompt: ConsentPrompt,
    options: InstallProgressOptions = {},
    from: string | null = null,
  ): Promise<InstallOutcome> {
    const record = await this.record(name);
    await refuseLinkedUpdate(this.pluginDir(name), name);
    if (from !== null) {
      if (tierOfRecorded(record.source, await loadTrustConfig(this.paths.configDir)) !== 'local')
        throw new HostError(
          'update_source_differs',
          `"${name}" was installed from ${record.source}, and its updates come from there, not from a file on this computer. Nothing was changed; to use this file instead, remove "${name}" first.`,
        );
      return this.installFrom(from, prompt, record, options);
    }
    // A GitHub install follows what was asked for (the latest release, or a tag/branch), not its old commit.
    const spec =
      (await githubUpdateSpec(this.paths.configDir, record)) ??
      (record.pinned_ref && !record.source.includes('@')
        ? `${record.source}@${record.pinned_ref}`
        : record.source);
    return this.installFrom(spec, prompt, record, options);
  }

  private async installFrom(
    spec: string,
    prompt: ConsentPrompt,
    previous: PluginRecord | null,
    options: InstallProgressOptions = {},
  ): Promise<InstallOutcome> {
    await cleanStaleStaging(this.paths.pluginsDir);
    const trust = await loadTrustConfig(this.paths.configDir);
    const progress = options.onProgress ?? (() => undefined);
    // GitHub sources come through the API without git; prebuilt wasm from the release fills in binaries.
    const github = new GitHubApi(typeof this.github === 'function' ? this.github() : this.github);
    const fetched = await fetchForInstall(spec, {
      pluginsDir: this.paths.pluginsDir,
      cwd: this.cwd,
      github,
      ...options,
      // An update resolves again as an install does; the same commit as installed is not fetched again.
      installedRef: previous?.pinned_ref ?? null,
    });
    if ('upToDate' in fetched && previous)
      return this.upToDateOutcome(previous, fetched.upToDate, github, trust, options);
    if ('upToDate' in fetched) throw new HostError('update_internal', 'nothing to install');
    const staged: StagedPlugin = fetched.staged;
    try {
      const first = await loadManifest(staged.dir);
      if (!first.manifest) throw manifestErrors(first, `"${spec}"`);
      const name = first.name!;
      if (previous && name !== previous.name)
        throw new HostError(
          'update_renamed',
          `the source of "${previous.name}" now holds a plugin named "${name}"; remove and install it instead`,
        );
      const registry = await readRegistry(this.paths.registryFile);
      // Case-insensitively: on macOS and Windows plugins/Foo IS plugins/foo, so installing "Foo" would
      // replace the files of the installed "foo" (and inherit its grants and data).
      const clash = registry.plugins.find((p) => p.name.toLowerCase() === name.toLowerCase());
      if (!previous && clash)
        throw new HostError(
          'plugin_exists',
          clash.name === name
            ? `"${name}" is already installed; use "plugins update ${name}" to update it`
            : `"${name}" cannot be installed next to the installed "${clash.name}": plugin names must differ by more than letter case`,
        );

      const parsed = first.manifest;
      refuseCommandClash(registry.plugins, name, parsed);
      if (previous) {
        // Leaving the sandbox is not "more capabilities": it is all of them. Never by an update (which
        // may run unattended, keeping the old grants); the person installs it again to approve that.
        const before =
          previous.runtime ?? (await loadManifest(this.pluginDir(previous.name))).manifest?.runtime;
        if (before === 'wasm' && parsed.runtime !== 'wasm')
          throw new HostError(
            'update_unsandboxed',
            `the new version of "${name}" is a native plugin: it would run outside the sandbox with all your permissions. Nothing was updated; remove "${name}" and install it again if you trust that.`,
          );
      }
      const unbuilt = first.warnings.filter((w) => w.rule === 'binary-built');
      // With the binaries taken from the release, the build hook is not needed (and not run).
      const buildHook = fetched.prebuilt.length > 0 ? undefined : parsed.hooks.build;
      const tier = tierOf(staged.source, trust);
      const source = recordedSource(staged.source);
      const previousGrants = previous ? (previous.capabilities ?? { ...NO_CAPABILITIES }) : null;
      const beyond = previousGrants ? capabilitiesBeyond(parsed.capabilities, previousGrants) : [];
      const native = await nativeConsentFor(staged.dir, parsed, tier);
      const decision = await prompt({
        manifest: parsed,
        source,
        tier,
        requests: describeRequests(parsed.capabilities, tier),
        buildHook: buildHook ?? null,
        update:
          previousGrants && previous
            ? {
                previous: previousGrants,
                beyond,
                fromVersion: previous.version,
                toVersion: parsed.version,
                fromCommit: previous.pinned_ref ?? null,
                toCommit: fetched.github?.commit ?? null,
                toRef: fetched.github ? refWords(fetched.github) : null,
              }
            : null,
        prebuilt: fetched.prebuilt,
        native,
        lifecycleHooks: lifecycleHooks(parsed),
      });
      throwIfCancelled(options.signal);
      if (!decision)
        throw new HostError(
          'install_declined',
          `the install of "${name}" was declined; nothing was installed`,
        );
      requireNativeConfirmation(native, name, decision.confirmUnverifiedNative);

      const warnings: string[] = first.warnings.map((w) => w.message);
      if (buildHook) {
        if (decision.allowBuild) {
          progress({ phase: 'building', message: `Building ${name}: ${visibleText(buildHook)}` });
          await runBuildHook(buildHook, staged.dir, undefined, {
            signal: options.signal,
            onOutput: (line) => progress({ phase: 'building', message: line }),
          });
        } else if (unbuilt.length)
          throw new HostError(
            'install_needs_build',
            `"${name}" must be built first with its build hook: ${visibleText(buildHook)}\nNothing was installed. Approve that exact command to build it (CLI: --allow-build).`,
          );
        else
          warnings.push(
            `the build hook was not run (not approved): ${visibleText(buildHook)}; using the files as shipped`,
          );
      }
      const report = await loadManifest(staged.dir);
      if (!report.manifest) throw manifestErrors(report, `"${name}" after its build`);
      const stillMissing = report.warnings.filter((w) => w.rule === 'binary-built');
      if (stillMissing.length)
        throw new HostError(
          'build_incomplete',
          `the build hook of "${name}" did not produce: ${stillMissing.map((w) => w.message).join('; ')}`,
        );
      const manifest = report.manifest;
      refuseCommandClash(registry.plugins, name, manifest);
      if (manifest.runtime !== parsed.runtime)
        throw new HostError(
          'build_changed_runtime',
          `the build of "${name}" changed its runtime from ${parsed.runtime} to ${manifest.runtime}, which is not what was approved; nothing was installed`,
        );
      throwIfCancelled(options.signal);
      if (manifest.runtime === 'wasm')
        progress({ phase: 'preparing', message: `Preparing ${name} to run in the sandbox` });
      warnings.push(
        ...(await checkAndPrepareWasm(staged.dir, manifest, prepareCacheKey(this.paths.configDir))).warnings,
      );
      throwIfCancelled(options.signal);

      // The decision is the person's answer: for an update, a capability beyond the old grants is granted
      // only if they granted it now; otherwise it stays withheld until approved again.
      const granted = allowedByTier(intersectCapabilities(manifest.capabilities, decision.granted), tier);
      const widened = previousGrants ? capabilitiesBeyond(granted, previousGrants) : [];
      const withheld = beyond.filter((c) => !widened.includes(c));
      const hashes = await hashWasmBinaries(staged.dir, manifest);
      const { path, replaced } = await swapIntoPlace(staged, this.paths.pluginsDir, name);
      await updateRegistry(this.paths.registryFile, (reg) => {
        const entry: PluginRecord = {
          name,
          source,
          version: manifest.version,
          installed: installDate(),
          commands: manifest.commands.map((c) => c.name),
          capabilities: granted,
          runtime: manifest.runtime,
          extra: previous?.extra ?? {},
        };
        if (fetched.pinnedRef) entry.pinned_ref = fetched.pinnedRef;
        const at = reg.plugins.findIndex((p) => p.name === name);
        if (at >= 0) reg.plugins[at] = entry;
        else reg.plugins.push(entry);
      });
      await updateConsent(this.paths.configDir, (consent) => {
        consent[name] = { wasm: hashes, approvedAt: new Date().toISOString() };
      });
      warnings.push(...(await relinkCommands(this.paths, name, manifest, previous?.commands ?? [])));
      warnings.push(
        ...(await afterInstall(
          this.paths.configDir,
          name,
          path,
          manifest,
          decision.approvedHooks ?? [],
          this.cwd,
        )),
      );
      // What was asked for (latest release, or a tag/branch), so an update follows it.
      if (fetched.github)
        await rememberRequestedRef(this.paths.configDir, name, fetched.github.commit, fetched.github.ref);
      progress({ phase: 'done', message: `Installed ${name} ${manifest.version}` });
      return {
        name,
        version: manifest.version,
        pluginDir: path,
        granted,
        tier,
        replaced,
        withheld,
        warnings,
      };
    } catch (err) {
      await staged.discard();
      throw err;
    }
  }

  /** An update that found the installed commit again: nothing downloaded, nothing changed. */
  private async upToDateOutcome(
    record: PluginRecord,
    resolved: ResolvedGitHubSource,
    github: GitHubApi,
    trust: TrustConfig,
    options: InstallProgressOptions,
  ): Promise<InstallOutcome> {
    // Pinned by the person to a tag or commit: it stays (as fledge 1.8), but they hear of a newer release.
    const latest = resolved.ref ? await latestReleaseTag(github, resolved, { signal: options.signal }) : null;
    const declared = (await loadManifest(this.pluginDir(record.name))).manifest?.capabilities ?? null;
    const upToDate = upToDateText(resolved, latest);
    options.onProgress?.({ phase: 'done', message: `${record.name} ${record.version}: ${upToDate}` });
    return {
      name: record.name,
      version: record.version,
      pluginDir: this.pluginDir(record.name),
      granted: grantedByEntry(record, declared),
      tier: tierOfRecorded(record.source, trust),
      replaced: false,
      withheld: [],
      warnings: [],
      upToDate,
    };
  }

  /** Removes the plugin folder (state and data included), its registry entry and its approval. */
  async remove(name: string): Promise<void> {
    const record = await this.record(name);
    await beforeRemove(this.paths.configDir, name, this.pluginDir(name), this.cwd);
    await removeInstalled(this.paths.pluginsDir, name);
    await removeCommandLinks(this.paths, record);
    await updateRegistry(this.paths.registryFile, (reg) => {
      reg.plugins = reg.plugins.filter((p) => p.name !== name);
    });
    await updateConsent(this.paths.configDir, (consent) => {
      delete consent[name];
    });
  }

  /** Grants more capabilities (only ones the plugin declares and its tier allows); approves its current binaries. */
  async grant(
    name: string,
    capabilities: CapabilityName[],
    options: ApproveOptions = {},
  ): Promise<Capabilities> {
    const record = await this.record(name);
    const manifest = await this.installedManifest(name);
    const tier = tierOfRecorded(record.source, await loadTrustConfig(this.paths.configDir));
    const granted: Capabilities = { ...grantedByEntry(record, manifest.capabilities) };
    for (const cap of capabilities) {
      if (tierForbids(tier, cap))
        throw new HostError(
          'grant_forbidden',
          `"${name}" comes from an unverified source and cannot be granted ${cap}`,
        );
      if (cap === 'filesystem') {
        if (manifest.capabilities.filesystem === 'none')
          throw new HostError('grant_undeclared', `"${name}" does not ask for filesystem access`);
        granted.filesystem = manifest.capabilities.filesystem;
      } else {
        if (!manifest.capabilities[cap])
          throw new HostError('grant_undeclared', `"${name}" does not ask for ${cap}`);
        granted[cap] = true;
      }
    }
    // Approved first: an approval refused (files changed since) leaves the grants as they were.
    await this.approve(name, options);
    await this.setGrants(name, granted);
    return granted;
  }

  /** Withdraws capabilities. */
  async revoke(name: string, capabilities: CapabilityName[]): Promise<Capabilities> {
    const record = await this.record(name);
    const declared = (await loadManifest(this.pluginDir(name))).manifest?.capabilities ?? null;
    const granted: Capabilities = { ...grantedByEntry(record, declared) };
    for (const cap of capabilities) {
      if (cap === 'filesystem') granted.filesystem = 'none';
      else granted[cap] = false;
    }
    await this.setGrants(name, granted);
    return granted;
  }

  private async setGrants(name: string, granted: Capabilities): Promise<void> {
    await updateRegistry(this.paths.registryFile, (reg) => {
      const entry = reg.plugins.find((p) => p.name === name);
      if (entry) entry.capabilities = granted;
    });
  }

  /** Approves the plugin's binaries as they are on disk now. */
  async approve(name: string, options: ApproveOptions = {}): Promise<void> {
    const manifest = await this.installedManifest(name);
    const wasm = await hashWasmBinaries(this.pluginDir(name), manifest);
    await updateConsent(this.paths.configDir, (consent) => {
      // Checked under the consent file's lock, against the bytes about to be pinned.
      if (options.onlyIfUnchanged && !sameHashes(consent[name]?.wasm, wasm)) throw filesChanged(name);
      consent[name] = { wasm, approvedAt: new Date().toISOString() };
    });
    await markSeen(this.paths.registryFile, [name]);
  }

  /** Every installed plugin: runtime, sandboxed or not, trust tier, declared and granted capabilities, consent state. */
  async audit(): Promise<AuditRow[]> {
    const [registry, consent, trust] = await Promise.all([
      readRegistry(this.paths.registryFile),
      readConsent(this.paths.configDir),
      loadTrustConfig(this.paths.configDir),
    ]);
    // Plugins are read side by side (in order of the registry): one after the other, 50 plugins'
    // few dozen file reads each waited their turn, 100-250 ms on a busy machine instead of ~10.
    return Promise.all(
      registry.plugins.map(async (record): Promise<AuditRow> => {
        const dir = this.pluginDir(record.name);
        const report = await loadManifest(dir);
        const manifest = report.manifest;
        const runtime = manifest?.runtime ?? record.runtime ?? 'native';
        const [problems, store, data, interop] = await Promise.all([
          manifest
            ? consentProblems(dir, manifest, consent[record.name])
            : report.errors.map((e) => e.message),
          new PluginStore(dir).sizes().catch(() => null),
          folderUsage(join(dir, 'data')),
          interopAuditFields(this.paths, record, manifest?.capabilities ?? null),
        ]);
        return {
          name: record.name,
          version: record.version,
          runtime,
          sandboxed: runtime === 'wasm',
          tier: tierOfRecorded(record.source, trust),
          source: record.source,
          declared: manifest?.capabilities ?? null,
          granted: grantedByEntry(record, manifest?.capabilities ?? null),
          commands: record.commands,
          consentProblems: problems,
          store,
          data,
          ...interop,
        };
      }),
    );
  }

  /** Finds an installed plugin by its name or one of its command names, ready to run with its grants. */
  resolveRunnable(target: string): Promise<Runnable> {
    return resolveRunnable(this.paths, target);
  }
}
