// Parses and validates plugin.toml text: the same rules as `fledge plugins validate`, with messages that
// say what is wrong, where, and what was found. Environment-free: checks that need the disk (does the
// binary exist, is it wasm) live in the engine's loadManifest.
import {
  BOOLEAN_CAPABILITIES,
  type Capabilities,
  FILESYSTEM_ACCESS,
  type FilesystemAccess,
  NO_CAPABILITIES,
} from '../capabilities.js';
import { parseToml } from '../toml.js';
import {
  HOOK_NAMES,
  type HookName,
  type ManifestCheck,
  type ManifestIssue,
  type PluginCommand,
  type PluginManifest,
  type PluginRuntime,
  RUNTIMES,
} from './types.js';
import { hasHiddenCharacters, visibleText } from './visible.js';

export const FLEDGE_PROTOCOL = 'fledge-v1';

const VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A plugin name is also its folder name: letters, digits, ".", "_", "-", at most 128, not ending in ".". */
/** Names Windows reserves for devices, with or without an extension (`plugins/CON` would be the console). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

export function isValidPluginName(name: string): boolean {
  return NAME_PATTERN.test(name) && !name.endsWith('.') && !WINDOWS_DEVICE.test(name);
}
const KNOWN_TOP = new Set(['plugin', 'commands', 'hooks', 'capabilities']);
const KNOWN_PLUGIN = new Set(['name', 'version', 'description', 'author', 'protocol', 'runtime']);
const KNOWN_COMMAND = new Set(['name', 'description', 'binary']);
const KNOWN_CAPABILITIES = new Set<string>([...BOOLEAN_CAPABILITIES, 'filesystem']);

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A short, readable rendering of a value a person wrote, for "got ..." in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  return `${typeof value} ${String(value)}`;
}

/** True when a manifest path is absolute (POSIX or Windows) or climbs out with `..`. */
export function escapesPluginDir(path: string): boolean {
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) return true;
  return path.split(/[\\/]+/).includes('..');
}

/** Whether a (relative) path is in the plugin's data folder: `data/x`, `./data/x`, `Data\\x` alike. */
export function isInDataFolder(path: string): boolean {
  const first = path.split(/[\\/]+/).find((p) => p !== '' && p !== '.');
  return first !== undefined && first.toLowerCase() === 'data';
}

class Collector {
  readonly errors: ManifestIssue[] = [];
  readonly warnings: ManifestIssue[] = [];
  error(path: string, rule: string, message: string): void {
    this.errors.push({ path, rule, message: path ? `${path}: ${message}` : message });
  }
  warn(path: string, rule: string, message: string): void {
    this.warnings.push({ path, rule, message: path ? `${path}: ${message}` : message });
  }
  unknownKeys(table: Table, known: Set<string>, prefix: string): void {
    for (const key of Object.keys(table)) {
      if (!known.has(key)) {
        const shown = visibleText(key);
        const path = prefix ? `${prefix}.${shown}` : shown;
        this.warn(path, 'unknown-key', 'unknown key; the fledge CLI ignores it (check the spelling)');
      }
    }
  }
}

function optionalString(c: Collector, table: Table, key: string, path: string): string | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    c.error(path, 'type', `must be a string (got ${describeValue(value)})`);
    return undefined;
  }
  return value;
}

function checkPlugin(c: Collector, doc: Table) {
  const plugin = doc.plugin;
  if (plugin === undefined) {
    c.error('plugin', 'required', 'the [plugin] table is missing; add [plugin] with name and version');
    return null;
  }
  if (!isTable(plugin)) {
    c.error('plugin', 'type', `must be a table (got ${describeValue(plugin)})`);
    return null;
  }
  c.unknownKeys(plugin, KNOWN_PLUGIN, 'plugin');

  const name = optionalString(c, plugin, 'name', 'plugin.name');
  if (name === undefined && plugin.name === undefined)
    c.error('plugin.name', 'required', 'is required; give the plugin a name, e.g. name = "fledge-my-lint"');
  else if (name !== undefined && name.trim() === '')
    c.error(
      'plugin.name',
      'non-empty',
      'must not be empty; give the plugin a name, e.g. name = "fledge-my-lint"',
    );
  else if (name !== undefined && !isValidPluginName(name))
    c.error(
      'plugin.name',
      'name-format',
      `may use only letters, digits, ".", "_" and "-" (at most 128, starting with a letter or digit, not ending in ".", not a Windows device name such as CON or NUL) (got ${describeValue(name)}); it names the plugin's folder`,
    );

  const version = optionalString(c, plugin, 'version', 'plugin.version');
  if (version === undefined && plugin.version === undefined)
    c.error('plugin.version', 'required', 'is required, as major.minor.patch, e.g. version = "0.1.0"');
  else if (version !== undefined && !VERSION_PATTERN.test(version))
    c.error(
      'plugin.version',
      'version-format',
      `must be major.minor.patch, e.g. "1.2.0" (got ${describeValue(version)})`,
    );

  const description = optionalString(c, plugin, 'description', 'plugin.description');
  if (plugin.description === undefined || description?.trim() === '')
    c.warn(
      'plugin.description',
      'recommended',
      'no description; add one so people know what the plugin does',
    );
  const author = optionalString(c, plugin, 'author', 'plugin.author');
  if (plugin.author === undefined || author?.trim() === '')
    c.warn('plugin.author', 'recommended', 'no author; add one so people know who made the plugin');

  const protocol = optionalString(c, plugin, 'protocol', 'plugin.protocol');
  if (protocol !== undefined && protocol !== FLEDGE_PROTOCOL)
    c.error(
      'plugin.protocol',
      'protocol',
      `must be "${FLEDGE_PROTOCOL}" or left out (got ${describeValue(protocol)})`,
    );

  let runtime: PluginRuntime = 'native';
  const rawRuntime = plugin.runtime;
  if (rawRuntime !== undefined) {
    if (typeof rawRuntime === 'string' && (RUNTIMES as readonly string[]).includes(rawRuntime))
      runtime = rawRuntime as PluginRuntime;
    else
      c.error('plugin.runtime', 'runtime', `must be "wasm" or "native" (got ${describeValue(rawRuntime)})`);
  }
  if (runtime === 'wasm' && protocol !== FLEDGE_PROTOCOL && plugin.protocol === undefined)
    c.error('plugin.protocol', 'wasm-protocol', `a wasm plugin must set protocol = "${FLEDGE_PROTOCOL}"`);

  return {
    name: name ?? '',
    version: version ?? '',
    description,
    author,
    protocol,
    runtime,
  };
}

function checkCommands(c: Collector, doc: Table, runtime: PluginRuntime): PluginCommand[] {
  const raw = doc.commands;
  if (raw === undefined) {
    c.warn('commands', 'recommended', 'no [[commands]]; the plugin cannot be run until it declares one');
    return [];
  }
  if (!Array.isArray(raw)) {
    c.error('commands', 'type', `must be a list of [[commands]] tables (got ${describeValue(raw)})`);
    return [];
  }
  if (raw.length === 0) c.warn('commands', 'recommended', 'no commands; the plugin cannot be run');
  const commands: PluginCommand[] = [];
  const seen = new Map<string, number>();
  raw.forEach((entry, i) => {
    const path = `commands[${i}]`;
    if (!isTable(entry)) {
      c.error(path, 'type', `must be a table with name and binary (got ${describeValue(entry)})`);
      return;
    }
    c.unknownKeys(entry, KNOWN_COMMAND, path);
    const name = optionalString(c, entry, 'name', `${path}.name`);
    if (name === undefined && entry.name === undefined) c.error(`${path}.name`, 'required', 'is required');
    else if (name !== undefined && name.trim() === '')
      c.error(`${path}.name`, 'non-empty', 'must not be empty');
    else if (name !== undefined && hasHiddenCharacters(name))
      c.error(
        `${path}.name`,
        'command-name-format',
        `must not contain control or invisible characters (got "${visibleText(name)}"); it is what people type to run it`,
      );
    else if (name !== undefined) {
      const first = seen.get(name);
      if (first !== undefined)
        c.error(
          `${path}.name`,
          'duplicate-command',
          `duplicates commands[${first}].name (got ${describeValue(name)})`,
        );
      else seen.set(name, i);
    }
    const binary = optionalString(c, entry, 'binary', `${path}.binary`);
    if (binary === undefined && entry.binary === undefined)
      c.error(
        `${path}.binary`,
        'required',
        'is required: the path of the executable inside the plugin directory',
      );
    else if (binary !== undefined && binary.trim() === '')
      c.error(`${path}.binary`, 'non-empty', 'must not be empty');
    else if (binary !== undefined && escapesPluginDir(binary))
      c.error(
        `${path}.binary`,
        'binary-inside',
        `must be a relative path inside the plugin directory, without ".." (got ${describeValue(binary)})`,
      );
    else if (binary !== undefined && isInDataFolder(binary))
      c.error(
        `${path}.binary`,
        'binary-not-in-data',
        `must not be in data/: that is the plugin's own storage (what filesystem = "plugin" lets it write), so a run of the plugin could replace the binary after you approved it (got ${describeValue(binary)})`,
      );
    else if (binary !== undefined && runtime === 'wasm' && !binary.endsWith('.wasm'))
      c.warn(
        `${path}.binary`,
        'wasm-extension',
        `a wasm command's binary usually ends in .wasm (got ${describeValue(binary)})`,
      );
    const description = optionalString(c, entry, 'description', `${path}.description`);
    if (name !== undefined && binary !== undefined) {
      const command: PluginCommand = { name, binary };
      if (description !== undefined) command.description = description;
      commands.push(command);
    }
  });

  return commands;
}

function checkHooks(c: Collector, doc: Table): Partial<Record<HookName, string>> {
  const raw = doc.hooks;
  const hooks: Partial<Record<HookName, string>> = {};
  if (raw === undefined) return hooks;
  if (!isTable(raw)) {
    c.error('hooks', 'type', `must be a table (got ${describeValue(raw)})`);
    return hooks;
  }
  c.unknownKeys(raw, new Set(HOOK_NAMES), 'hooks');
  for (const hook of HOOK_NAMES) {
    const value = optionalString(c, raw, hook, `hooks.${hook}`);
    if (value !== undefined) {
      if (value.trim() === '')
        c.error(`hooks.${hook}`, 'non-empty', 'must not be empty; remove it or give a command');
      else {
        hooks[hook] = value;
        if (hasHiddenCharacters(value))
          c.warn(
            `hooks.${hook}`,
            'hidden-characters',
            `holds control or invisible characters, shown escaped: ${visibleText(value)}`,
          );
      }
    }
  }
  return hooks;
}

function checkCapabilities(c: Collector, doc: Table): Capabilities {
  const caps: Capabilities = { ...NO_CAPABILITIES };
  const raw = doc.capabilities;
  if (raw === undefined) return caps;
  if (!isTable(raw)) {
    c.error('capabilities', 'type', `must be a table (got ${describeValue(raw)})`);
    return caps;
  }
  c.unknownKeys(raw, KNOWN_CAPABILITIES, 'capabilities');
  for (const name of BOOLEAN_CAPABILITIES) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value === 'boolean') caps[name] = value;
    else
      c.error(
        `capabilities.${name}`,
        'capability-type',
        `must be true or false (got ${describeValue(value)})`,
      );
  }
  const fs = raw.filesystem;
  if (fs !== undefined) {
    if (typeof fs === 'string' && (FILESYSTEM_ACCESS as readonly string[]).includes(fs))
      caps.filesystem = fs as FilesystemAccess;
    else
      c.error(
        'capabilities.filesystem',
        'filesystem',
        `must be "none", "project" or "plugin" (got ${describeValue(fs)})`,
      );
  }
  return caps;
}

/** Parses and validates plugin.toml text. Reports every problem at once, never just the first. */
export function validateManifestText(text: string): ManifestCheck {
  const c = new Collector();
  const parsed = parseToml(text);
  if (!parsed.ok) {
    c.errors.push({ path: '', rule: 'toml-syntax', ...parsed.error });
    return { manifest: null, name: null, errors: c.errors, warnings: c.warnings };
  }
  const doc = parsed.doc;
  c.unknownKeys(doc, KNOWN_TOP, '');
  const plugin = checkPlugin(c, doc);
  const hooks = checkHooks(c, doc);
  const runtime = plugin?.runtime ?? 'native';
  if (runtime === 'wasm' && hooks.build === undefined)
    c.warn(
      'hooks.build',
      'wasm-build-hook',
      'a wasm plugin has no build hook; its .wasm must be shipped prebuilt',
    );
  const commands = checkCommands(c, doc, runtime);
  const capabilities = checkCapabilities(c, doc);

  const name = plugin?.name ? plugin.name : null;
  if (c.errors.length > 0 || plugin === null)
    return { manifest: null, name, errors: c.errors, warnings: c.warnings };
  const manifest: PluginManifest = {
    name: plugin.name,
    version: plugin.version,
    runtime,
    commands,
    hooks,
    capabilities,
  };
  if (plugin.description !== undefined) manifest.description = plugin.description;
  if (plugin.author !== undefined) manifest.author = plugin.author;
  if (plugin.protocol !== undefined) manifest.protocol = plugin.protocol;
  return { manifest, name, errors: c.errors, warnings: c.warnings };
}
