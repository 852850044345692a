/**
 * Installed plugins as the screens show them: the audit row (runtime, tier, declared and granted
 * capabilities, consent state, store and data usage) joined with plugin.toml (description, command
 * descriptions, hooks), plugins.toml (pinned ref, install time), the app's approval record and the
 * app's per-plugin settings (enabled, limits).
 */
import { join } from 'node:path';
import { TIER_TEXT } from '../../../shared/consent.js';
import type { Result } from '../../../shared/ipc/index.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { hashWasmBinaries, readConsent } from '../consent/consent-store.js';
import { HostError } from '../host/errors.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { type PluginAccessView, pluginAccessView } from '../native/access-summary.js';
import type { AuditRow, PluginService } from '../plugins/plugin-service.js';
import { type PluginRecord, readRegistry } from '../registry/plugins-toml.js';
import { effectiveLimits, readPluginPrefs } from './plugin-prefs.js';
import type { KeyValueStore } from './stores.js';

type Summary = Result<'plugins.list'>[number];
type Detail = Result<'plugins.get'>;

interface Joined {
  row: AuditRow;
  record: PluginRecord | undefined;
  manifest: PluginManifest | null;
  approvedHere: boolean;
  /** How it runs here (sandboxed, contained, full access), from the engine's own checks. */
  access: PluginAccessView;
}

export class PluginViews {
  constructor(
    private readonly plugins: PluginService,
    private readonly settings: KeyValueStore,
    private readonly prefs: KeyValueStore,
    /** A recorded source as the person reads it (a dropped file by its name, not where it was kept). */
    private readonly describeSource: (source: string) => string,
  ) {}

  private async joined(): Promise<Joined[]> {
    const [rows, registry, consent] = await Promise.all([
      this.plugins.audit(),
      readRegistry(this.plugins.paths.registryFile),
      readConsent(this.plugins.paths.configDir),
    ]);
    return Promise.all(
      rows.map(async (row) => {
        const dir = join(this.plugins.paths.pluginsDir, row.name);
        const runtime = row.runtime === 'wasm' ? 'wasm' : 'native';
        const [manifest, access] = await Promise.all([
          loadManifest(dir).then((r) => r.manifest),
          pluginAccessView(this.plugins.paths.configDir, row.name, dir, runtime, row.granted),
        ]);
        return {
          row,
          record: registry.plugins.find((p) => p.name === row.name),
          manifest,
          approvedHere: Object.hasOwn(consent, row.name),
          access,
        };
      }),
    );
  }

  private summary(j: Joined, settings: KeyValueStore = this.settings): Summary {
    const { row, record, manifest } = j;
    const prefs = readPluginPrefs(this.prefs, row.name);
    const descriptions = new Map((manifest?.commands ?? []).map((c) => [c.name, c.description ?? null]));
    return {
      name: row.name,
      version: row.version,
      description: manifest?.description ?? null,
      author: manifest?.author ?? null,
      runtime: row.runtime === 'wasm' ? 'wasm' : 'native',
      sandboxed: row.sandboxed,
      access: j.access,
      tier: row.tier,
      tierText: TIER_TEXT[row.tier],
      source: this.describeSource(row.source),
      pinnedRef: record?.pinned_ref ?? null,
      installedAt: record?.installed ?? null,
      declared: row.declared,
      granted: row.granted,
      commands: row.commands.map((name) => ({ name, description: descriptions.get(name) ?? null })),
      consent: {
        state: row.consentProblems.length === 0 ? 'approved' : 'needs_approval',
        problems: row.consentProblems,
      },
      approvedHere: j.approvedHere,
      enabled: prefs.enabled,
      limits: effectiveLimits(settings, prefs),
    };
  }

  async list(): Promise<Summary[]> {
    const settings = readOnce(this.settings);
    return (await this.joined()).map((j) => this.summary(j, settings));
  }

  async one(name: string): Promise<Summary> {
    const j = (await this.joined()).find((x) => x.row.name === name);
    if (!j) throw new HostError('plugin_not_installed', `No plugin named "${name}" is installed.`);
    return this.summary(j);
  }

  async detail(name: string): Promise<Detail> {
    const j = (await this.joined()).find((x) => x.row.name === name);
    if (!j) throw new HostError('plugin_not_installed', `No plugin named "${name}" is installed.`);
    const dir = join(this.plugins.paths.pluginsDir, name);
    const prefs = readPluginPrefs(this.prefs, name);
    const hashes = j.manifest ? await hashWasmBinaries(dir, j.manifest) : {};
    const binaries =
      j.manifest?.runtime === 'wasm' ? [...new Set(j.manifest.commands.map((c) => c.binary))] : [];
    return {
      ...this.summary(j),
      pluginDir: dir,
      ownLimits: { ...prefs.limits },
      hooks: Object.entries(j.manifest?.hooks ?? {}).map(([hook, command]) => ({
        name: hook,
        command: command ?? '',
      })),
      wasm: binaries.map((binary) => ({ binary, sha256: hashes[binary] ?? null })),
      store: j.row.store
        ? { keys: j.row.store.keys, totalBytes: j.row.store.totalBytes, entries: j.row.store.entries }
        : null,
      data: { ...j.row.data },
    };
  }
}

/** The settings as they are now, each key read once (conf reads its file on every get: 4 per plugin listed). */
function readOnce(store: KeyValueStore): KeyValueStore {
  const seen = new Map<string, unknown>();
  return {
    get(key) {
      if (!seen.has(key)) seen.set(key, store.get(key));
      return seen.get(key);
    },
    set: () => {
      throw new Error('readOnce: read-only');
    },
    delete: () => {
      throw new Error('readOnce: read-only');
    },
  };
}
