// plugins.toml as the real fledge 1.8 CLI writes it (golden files): read here, and written here
// byte for byte the same.
import { describe, expect, it } from 'vitest';
import { installDate } from '../../electron/engine/interop/install-date.js';
import {
  grantedByEntry,
  type PluginRecord,
  parseRegistry,
  serializeRegistry,
} from '../../electron/engine/registry/plugins-toml.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { golden } from '../interop/golden.js';

const ROOT = '/home/me/work';
const DATE = '2026-12-01';
const CLI_FILE = golden('plugins.toml', { root: ROOT, date: DATE });
const caps = (over: Partial<PluginRecord['capabilities']> = {}) => ({ ...NO_CAPABILITIES, ...over });

/** The entries this app writes for the same five installs. */
const OURS: PluginRecord[] = [
  {
    name: 'fledge-wasm-linked',
    source: `${ROOT}/src/wasm-linked`,
    version: '0.1.0',
    installed: DATE,
    commands: ['wasm-linked'],
    runtime: 'wasm',
    capabilities: caps({ store: true }),
    extra: {},
  },
  {
    name: 'fledge-wasm-copied',
    source: `${ROOT}/src/wasm-copied`,
    version: '0.1.0',
    installed: DATE,
    commands: ['wasm-copied'],
    runtime: 'wasm',
    capabilities: caps(),
    extra: {},
  },
  {
    name: 'fledge-native-plain',
    source: `${ROOT}/src/native-plain`,
    version: '1.0.0',
    installed: DATE,
    commands: ['native-plain'],
    extra: {},
  },
  {
    name: 'fledge-wasm-git',
    source: `file://${ROOT}/repos/fledge-wasm-git.git`,
    version: '0.2.0',
    installed: DATE,
    commands: ['wasm-git'],
    runtime: 'wasm',
    capabilities: caps(),
    extra: {},
  },
  {
    name: 'fledge-wasm-pinned',
    source: `file://${ROOT}/repos/fledge-wasm-pinned.git`,
    version: '0.1.0',
    installed: DATE,
    commands: ['wasm-pinned'],
    pinned_ref: 'v0.1.0',
    runtime: 'wasm',
    capabilities: caps(),
    extra: {},
  },
];

describe('plugins.toml written by the fledge CLI 1.8 (golden)', () => {
  it('reads linked, copied, native, git and pinned entries', () => {
    const reg = parseRegistry(CLI_FILE);
    expect(reg.plugins).toEqual(OURS);
  });

  it('an entry written here for the same installs is byte for byte what the CLI writes', () => {
    expect(serializeRegistry({ plugins: OURS, extra: {} })).toBe(CLI_FILE);
    expect(serializeRegistry(parseRegistry(CLI_FILE))).toBe(CLI_FILE);
  });

  it('arrays of several items and paths with quotes or backslashes are written as the CLI writes them', () => {
    const cli = golden('plugins-two-commands.toml', { root: ROOT, date: DATE });
    const reg = parseRegistry(cli);
    expect(reg.plugins[0]?.source).toBe(`${ROOT}/src/we"ird\\dir`);
    expect(reg.plugins[0]?.commands).toEqual(['two-a', 'two-b']);
    expect(serializeRegistry(reg)).toBe(cli);
  });

  it('an empty registry is written as the CLI writes it after removing the last plugin', () => {
    expect(serializeRegistry({ plugins: [], extra: {} })).toBe(golden('plugins-empty.toml'));
    expect(parseRegistry(golden('plugins-empty.toml')).plugins).toEqual([]);
  });

  it('the capabilities table is written for every install of ours, never left out', () => {
    const text = serializeRegistry({ plugins: [{ ...OURS[1]!, capabilities: caps() }], extra: {} });
    expect(text).toContain(
      '[plugins.capabilities]\nexec = false\nstore = false\nmetadata = false\nnetwork = false\n',
    );
  });

  it('an entry without a capabilities table grants what the manifest declares, as the CLI runs it', () => {
    const native = parseRegistry(CLI_FILE).plugins.find((p) => p.name === 'fledge-native-plain')!;
    expect(native.capabilities).toBeUndefined();
    const declared = caps({ exec: true, filesystem: 'project', clock: true });
    // The CLI knows nothing of the app-only clock/random: never granted by a table-less entry.
    expect(grantedByEntry(native, declared)).toEqual(caps({ exec: true, filesystem: 'project' }));
    expect(grantedByEntry(native, null)).toEqual(caps());
    const linked = parseRegistry(CLI_FILE).plugins[0]!;
    expect(grantedByEntry(linked, declared)).toEqual(caps({ store: true }));
  });

  it('installed is the local date, YYYY-MM-DD, as the CLI writes it', () => {
    // 23:30 local time on 1 March is 1 March here, whatever the UTC date is.
    expect(installDate(new Date(2026, 2, 1, 23, 30))).toBe('2026-03-01');
    expect(installDate(new Date(2026, 11, 31, 0, 5))).toBe('2026-12-31');
    expect(installDate()).toMatch(/^\d{4}-\d\d-\d\d$/);
  });
});
