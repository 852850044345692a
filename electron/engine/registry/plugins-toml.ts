// plugins.toml, the fledge CLI's registry of installed plugins: read, validated at the edge, and
// written back atomically in the shape the CLI writes, keeping every entry and field this version
// does not understand.
//
// The CLI takes no lock on plugins.toml: it reads, changes and writes `plugins.toml.tmp.<pid>` +
// rename. So a write here re-reads the file just before its rename and, if anything changed since it
// was read (a CLI install in between), applies its change again to the new content: a CLI write is
// never undone. (The CLI can still undo ours if it read before our rename; nothing on our side can
// prevent that.) App-only data (the desktop-only grants, what the app has seen) lives in the app's
// own file (app-registry.ts), since the CLI drops unknown keys.
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import {
  BOOLEAN_CAPABILITIES,
  type Capabilities,
  FILESYSTEM_ACCESS,
  type FilesystemAccess,
  NO_CAPABILITIES,
} from '../../../shared/capabilities.js';
import { describeValue } from '../../../shared/manifest/validate-manifest.js';
import { parseToml } from '../../../shared/toml.js';
import { withFileLock } from '../fs/atomic.js';
import {
  type AppRegistry,
  fingerprint,
  readAppRegistry,
  type SeenState,
  seenState,
  updateAppRegistry,
} from './app-registry.js';
import { renderRegistryToml } from './cli-toml.js';
import { replaceIfUnchanged } from './replace-if-unchanged.js';

type Table = Record<string, unknown>;

/** One [[plugins]] entry, in the CLI's field names. */
export interface PluginRecord {
  name: string;
  source: string;
  version: string;
  /** The install date as the CLI writes it: the local date, YYYY-MM-DD (older files: a timestamp). */
  installed: string;
  commands: string[];
  pinned_ref?: string;
  /**
   * The GRANTED set. Absent (no [plugins.capabilities] table): the fledge CLI grants the manifest's
   * whole declared set; see grantedByEntry. clock/random come from the app's own file.
   */
  capabilities?: Capabilities;
  runtime?: string;
  /** Fields of the entry this version does not know, kept as they were. */
  extra: Table;
  /** Read from the app's own file, never written to plugins.toml: did the app write this entry as it is? */
  seen?: SeenState;
}

export interface Registry {
  plugins: PluginRecord[];
  /** Top-level keys other than `plugins`, kept as they were. */
  extra: Table;
}

export class RegistryError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

const KNOWN_FIELDS = new Set([
  'name',
  'source',
  'version',
  'installed',
  'commands',
  'pinned_ref',
  'capabilities',
  'runtime',
]);

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function corrupt(file: string, what: string): RegistryError {
  return new RegistryError(
    file,
    `${file} is damaged: ${what}. Fix or move the file away; it will not be overwritten until it reads cleanly.`,
  );
}

function readCapabilities(file: string, where: string, raw: unknown): Capabilities {
  if (!isTable(raw)) throw corrupt(file, `${where} must be a table (got ${describeValue(raw)})`);
  const caps: Capabilities = { ...NO_CAPABILITIES };
  for (const name of BOOLEAN_CAPABILITIES) {
    const v = raw[name];
    if (v === undefined) continue;
    if (typeof v !== 'boolean')
      throw corrupt(file, `${where}.${name} must be true or false (got ${describeValue(v)})`);
    caps[name] = v;
  }
  const fs = raw.filesystem;
  if (fs !== undefined) {
    if (typeof fs !== 'string' || !(FILESYSTEM_ACCESS as readonly string[]).includes(fs))
      throw corrupt(
        file,
        `${where}.filesystem must be "none", "project" or "plugin" (got ${describeValue(fs)})`,
      );
    caps.filesystem = fs as FilesystemAccess;
  }
  return caps;
}

function readRecord(file: string, index: number, raw: unknown): PluginRecord {
  const where = `plugins[${index}]`;
  if (!isTable(raw)) throw corrupt(file, `${where} must be a table (got ${describeValue(raw)})`);
  const str = (key: string, required: boolean): string | undefined => {
    const v = raw[key];
    if (v === undefined) {
      if (required) throw corrupt(file, `${where}.${key} is missing`);
      return undefined;
    }
    if (v instanceof Date) return v.toISOString();
    if (typeof v !== 'string')
      throw corrupt(file, `${where}.${key} must be a string (got ${describeValue(v)})`);
    return v;
  };
  const commandsRaw = raw.commands ?? [];
  if (!Array.isArray(commandsRaw) || commandsRaw.some((c) => typeof c !== 'string'))
    throw corrupt(file, `${where}.commands must be a list of strings`);
  const record: PluginRecord = {
    name: str('name', true)!,
    source: str('source', false) ?? '',
    version: str('version', false) ?? '',
    installed: str('installed', false) ?? '',
    commands: commandsRaw as string[],
    extra: {},
  };
  const pinned = str('pinned_ref', false);
  if (pinned !== undefined) record.pinned_ref = pinned;
  const runtime = str('runtime', false);
  if (runtime !== undefined) record.runtime = runtime;
  if (raw.capabilities !== undefined)
    record.capabilities = readCapabilities(file, `${where}.capabilities`, raw.capabilities);
  for (const [key, value] of Object.entries(raw)) if (!KNOWN_FIELDS.has(key)) record.extra[key] = value;
  return record;
}

/** Parses plugins.toml text; throws RegistryError naming what is wrong and where. */
export function parseRegistry(text: string, file = 'plugins.toml'): Registry {
  const parsed = parseToml(text);
  if (!parsed.ok) throw corrupt(file, parsed.error.message);
  const doc = parsed.doc;
  const { plugins: rawPlugins = [], ...extra } = doc;
  if (!Array.isArray(rawPlugins)) throw corrupt(file, `"plugins" must be a list of [[plugins]] tables`);
  const plugins = rawPlugins.map((raw, i) => readRecord(file, i, raw));
  const seen = new Set<string>();
  for (const p of plugins) {
    if (seen.has(p.name)) throw corrupt(file, `the plugin "${p.name}" is listed twice`);
    seen.add(p.name);
  }
  return { plugins, extra };
}

function capabilitiesTable(caps: Capabilities): Table {
  // The CLI's five, in its order; filesystem only when it grants something (the CLI reads a missing
  // filesystem as "none" and omits it itself). clock/random are the app's: kept in its own file.
  const table: Table = { exec: caps.exec, store: caps.store, metadata: caps.metadata };
  if (caps.filesystem !== 'none') table.filesystem = caps.filesystem;
  table.network = caps.network;
  return table;
}

function entryTable(p: PluginRecord): Table {
  const table: Table = {
    name: p.name,
    source: p.source,
    version: p.version,
    installed: p.installed,
    commands: p.commands,
  };
  if (p.pinned_ref !== undefined) table.pinned_ref = p.pinned_ref;
  if (p.runtime !== undefined) table.runtime = p.runtime;
  for (const [k, v] of Object.entries(p.extra)) if (!(k in table) && k !== 'capabilities') table[k] = v;
  if (p.capabilities !== undefined) table.capabilities = capabilitiesTable(p.capabilities);
  return table;
}

/** Renders the registry as the CLI writes it (field order: name, source, version, installed, commands, pinned_ref, runtime, [capabilities]). */
export function serializeRegistry(registry: Registry): string {
  if (registry.plugins.length === 0) return renderRegistryToml({ ...registry.extra, plugins: [] }, []);
  return renderRegistryToml(registry.extra, registry.plugins.map(entryTable));
}

/** What an entry grants, as the fledge CLI reads it: its table, or with none the manifest's whole declared set (never the app-only clock/random). */
export function grantedByEntry(record: PluginRecord, declared: Capabilities | null): Capabilities {
  if (record.capabilities) return record.capabilities;
  if (!declared) return { ...NO_CAPABILITIES };
  return { ...declared, clock: false, random: false };
}

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RegistryError(file, `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The app's view of each entry (seen state, desktop-only grants) laid over the file's content. */
function withAppView(registry: Registry, app: AppRegistry): Registry {
  for (const p of registry.plugins) {
    p.seen = seenState(app, p);
    const grants = app[p.name]?.desktopGrants;
    if (p.seen === 'as-seen' && p.capabilities && grants) {
      p.capabilities.clock = p.capabilities.clock || grants.clock;
      p.capabilities.random = p.capabilities.random || grants.random;
    }
  }
  return registry;
}

/** Reads the registry file (a missing file is an empty registry), with the app's view of each entry. */
export async function readRegistry(file: string): Promise<Registry> {
  const text = await readText(file);
  const registry = text === null ? { plugins: [], extra: {} } : parseRegistry(text, file);
  return withAppView(registry, await readAppRegistry(file));
}

export interface WriteRegistryOptions {
  /** Test hook: runs just before the re-read that precedes the rename (simulates another writer). */
  beforeRecheck?: () => Promise<void> | void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The temp name the CLI uses (`plugins.toml.tmp.<pid>`), so a leftover is recognisable as the registry's. */
function tempFor(file: string): string {
  return `${dirname(file)}/${basename(file, '.toml')}.toml.tmp.${process.pid}`;
}

const MAX_ATTEMPTS = 50;

/**
 * Read-modify-write: `change` is applied to the registry as read, and applied AGAIN to a fresh read
 * whenever the file changed before our rename (so it must only change the registry it is given).
 * App-vs-app writers are serialised by a lock file of ours; the CLI is handled by the re-read.
 * A damaged file throws before anything is written.
 */
export async function updateRegistry(
  file: string,
  change: (registry: Registry) => void | Promise<void>,
  options: WriteRegistryOptions = {},
): Promise<Registry> {
  await mkdir(dirname(file), { recursive: true });
  return withFileLock(`${file}.desktop-lock`, async () => {
    for (let attempt = 1; ; attempt++) {
      const base = await readText(file);
      const app = await readAppRegistry(file);
      const registry = withAppView(
        base === null ? { plugins: [], extra: {} } : parseRegistry(base, file),
        app,
      );
      // What each entry was before our change: its CLI fields, and the app-only grants.
      const before = new Map(registry.plugins.map((p) => [p.name, `${fingerprint(p)} ${desktopKey(p)}`]));
      const seenBefore = new Map(registry.plugins.map((p) => [p.name, p.seen]));
      await change(registry);
      const written = await replaceIfUnchanged(file, base, serializeRegistry(registry), {
        tempPath: tempFor(file),
        beforeCheck: options.beforeRecheck,
      });
      if (!written) {
        if (attempt >= MAX_ATTEMPTS)
          throw new RegistryError(
            file,
            `${file} kept changing while it was being saved (another program is writing it); try again.`,
          );
        await sleep(attempt * 2);
        continue;
      }
      await recordWhatWeWrote(file, registry, before, seenBefore);
      return registry;
    }
  });
}

const desktopKey = (p: PluginRecord) =>
  `${p.capabilities?.clock === true}/${p.capabilities?.random === true}`;

/** Entries we changed are now "as seen" (with their desktop grants); untouched ones keep their state; removed ones are forgotten. */
async function recordWhatWeWrote(
  file: string,
  registry: Registry,
  before: Map<string, string>,
  seenBefore: Map<string, SeenState | undefined>,
): Promise<void> {
  const names = new Set(registry.plugins.map((p) => p.name));
  await updateAppRegistry(file, (app) => {
    for (const name of Object.keys(app)) if (!names.has(name)) delete app[name];
    for (const p of registry.plugins) {
      const fp = fingerprint(p);
      const ours = before.get(p.name) !== `${fp} ${desktopKey(p)}` || seenBefore.get(p.name) === 'as-seen';
      if (!ours) continue;
      app[p.name] = {
        seen: fp,
        desktopGrants: { clock: p.capabilities?.clock === true, random: p.capabilities?.random === true },
      };
    }
  });
}

/** The person reviewed these entries as they are now (e.g. `plugins approve`): they are no longer "changed by the CLI". Desktop-only grants of a changed entry are dropped. */
export async function markSeen(file: string, names: string[]): Promise<void> {
  const registry = await readRegistry(file);
  await updateAppRegistry(file, (app) => {
    for (const p of registry.plugins) {
      if (!names.includes(p.name)) continue;
      const keep = p.seen === 'as-seen' ? app[p.name]?.desktopGrants : undefined;
      app[p.name] = { seen: fingerprint(p), desktopGrants: keep ?? { clock: false, random: false } };
    }
  });
}
