// plugins.toml, the fledge CLI's registry of installed plugins: read, validated at the edge, and
// written back atomically, keeping every entry and field this version does not understand.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'smol-toml';
import {
  BOOLEAN_CAPABILITIES,
  type Capabilities,
  FILESYSTEM_ACCESS,
  type FilesystemAccess,
  NO_CAPABILITIES,
} from '../../../shared/capabilities.js';
import { describeValue } from '../../../shared/manifest/validate-manifest.js';
import { parseToml } from '../../../shared/toml.js';
import { withFileLock, writeFileAtomic } from '../fs/atomic.js';

type Table = Record<string, unknown>;

/** One [[plugins]] entry, in the CLI's field names. */
export interface PluginRecord {
  name: string;
  source: string;
  version: string;
  /** RFC 3339 timestamp of the install. */
  installed: string;
  commands: string[];
  pinned_ref?: string;
  /** The GRANTED set (absent: nothing granted). */
  capabilities?: Capabilities;
  runtime?: string;
  /** Fields of the entry this version does not know, kept as they were. */
  extra: Table;
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
  const table: Table = {
    exec: caps.exec,
    store: caps.store,
    metadata: caps.metadata,
    filesystem: caps.filesystem,
    network: caps.network,
  };
  // Desktop-only grants are written only when given, so the CLI's files stay as it writes them.
  if (caps.clock) table.clock = true;
  if (caps.random) table.random = true;
  return table;
}

/** Renders the registry as the CLI writes it (field order: name, source, version, installed, commands, ...). */
export function serializeRegistry(registry: Registry): string {
  const plugins = registry.plugins.map((p) => {
    const table: Table = {
      name: p.name,
      source: p.source,
      version: p.version,
      installed: p.installed,
      commands: p.commands,
    };
    if (p.pinned_ref !== undefined) table.pinned_ref = p.pinned_ref;
    if (p.runtime !== undefined) table.runtime = p.runtime;
    Object.assign(table, p.extra);
    if (p.capabilities !== undefined) table.capabilities = capabilitiesTable(p.capabilities);
    return table;
  });
  return stringify({ ...registry.extra, plugins });
}

/** Reads the registry file; a missing file is an empty registry. */
export async function readRegistry(file: string): Promise<Registry> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { plugins: [], extra: {} };
    throw new RegistryError(file, `cannot read ${file}: ${(err as Error).message}`);
  }
  return parseRegistry(text, file);
}

export async function writeRegistry(file: string, registry: Registry): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, serializeRegistry(registry));
}

/** Read-modify-write under a lock file, so two writers never lose each other's change. A damaged file throws before anything is written. */
export async function updateRegistry(
  file: string,
  change: (registry: Registry) => void | Promise<void>,
): Promise<Registry> {
  await mkdir(dirname(file), { recursive: true });
  return withFileLock(`${file}.desktop-lock`, async () => {
    const registry = await readRegistry(file);
    await change(registry);
    await writeRegistry(file, registry);
    return registry;
  });
}
