// plugins.toml shared with a fledge CLI that takes no lock: a CLI write landing between our read and
// our rename is merged, never undone; the app's own data lives in its own file and survives the CLI
// rewriting plugins.toml without the keys it does not know.
import { readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRegistryFile, readAppRegistry } from '../../electron/engine/registry/app-registry.js';
import {
  markSeen,
  type PluginRecord,
  parseRegistry,
  readRegistry,
  serializeRegistry,
  updateRegistry,
} from '../../electron/engine/registry/plugins-toml.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { golden } from '../interop/golden.js';
import { tempDir } from '../support/temp.js';

const entry = (name: string, over: Partial<PluginRecord> = {}): PluginRecord => ({
  name,
  source: `/src/${name}`,
  version: '1.0.0',
  installed: '2026-12-01',
  commands: [name.replace(/^fledge-/, '')],
  runtime: 'wasm',
  capabilities: { ...NO_CAPABILITIES },
  extra: {},
  ...over,
});

/** What the CLI does: read, change, write plugins.toml.tmp.<pid>, rename (toml-rs shape, unknown keys dropped). */
function cliWrite(file: string, change: (plugins: PluginRecord[]) => void): void {
  const reg = parseRegistry(readFileSync(file, 'utf8'));
  for (const p of reg.plugins) p.extra = {};
  change(reg.plugins);
  writeFileSync(`${file}.tmp.999999`, serializeRegistry({ plugins: reg.plugins, extra: {} }));
  renameSync(`${file}.tmp.999999`, file);
}

function setup() {
  const dir = tempDir('reg-merge');
  const file = join(dir, 'plugins.toml');
  writeFileSync(file, golden('plugins.toml', { root: '/r', date: '2026-12-01' }));
  return { dir, file };
}

describe('plugins.toml with the CLI writing too', () => {
  it('a CLI install between our read and our rename is kept: our change is applied again to the new file', async () => {
    const { file } = setup();
    let calls = 0;
    let cliWrote = false;
    await updateRegistry(
      file,
      (reg) => {
        calls++;
        reg.plugins.push(entry('fledge-ours'));
      },
      {
        beforeRecheck: () => {
          if (cliWrote) return;
          cliWrote = true;
          cliWrite(file, (plugins) => plugins.push(entry('fledge-theirs', { runtime: undefined })));
        },
      },
    );
    expect(calls).toBe(2);
    const names = (await readRegistry(file)).plugins.map((p) => p.name);
    expect(names).toContain('fledge-theirs');
    expect(names).toContain('fledge-ours');
    expect(names.filter((n) => n === 'fledge-ours')).toHaveLength(1);
  });

  it('a CLI write half done (its plugins.toml.tmp.<pid> there) is waited for, then merged', async () => {
    const { file } = setup();
    const cliTemp = `${file}.tmp.424242`;
    const reg = parseRegistry(readFileSync(file, 'utf8'));
    reg.plugins.push(entry('fledge-theirs'));
    writeFileSync(cliTemp, serializeRegistry(reg));
    setTimeout(() => renameSync(cliTemp, file), 60); // the CLI's rename, a moment later
    const t0 = Date.now();
    await updateRegistry(file, (r) => void r.plugins.push(entry('fledge-ours')));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    const names = (await readRegistry(file)).plugins.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['fledge-theirs', 'fledge-ours']));
  });

  it('a CLI temp file left by a crash (old) does not hold writes up', async () => {
    const { file } = setup();
    const stale = `${file}.tmp.424243`;
    writeFileSync(stale, 'half');
    const old = new Date(Date.now() - 60_000);
    utimesSync(stale, old, old);
    const t0 = Date.now();
    await updateRegistry(file, (r) => void r.plugins.push(entry('fledge-ours')));
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect((await readRegistry(file)).plugins.map((p) => p.name)).toContain('fledge-ours');
  });

  it('without a CLI write in between, the change is applied once', async () => {
    const { file } = setup();
    let calls = 0;
    await updateRegistry(file, (reg) => {
      calls++;
      reg.plugins.pop();
    });
    expect(calls).toBe(1);
  });

  it('a CLI removal in between is not undone either', async () => {
    const { file } = setup();
    let once = false;
    await updateRegistry(
      file,
      (reg) => {
        reg.plugins.push(entry('fledge-ours'));
      },
      {
        beforeRecheck: () => {
          if (once) return;
          once = true;
          cliWrite(file, (plugins) => plugins.splice(0, 1)); // fledge plugins remove fledge-wasm-linked
        },
      },
    );
    const names = (await readRegistry(file)).plugins.map((p) => p.name);
    expect(names).not.toContain('fledge-wasm-linked');
    expect(names).toContain('fledge-ours');
  });

  it('a file that keeps changing is reported, and the last CLI content stays', async () => {
    const { file } = setup();
    let n = 0;
    await expect(
      updateRegistry(file, (reg) => void reg.plugins.push(entry('fledge-ours')), {
        beforeRecheck: () => cliWrite(file, (plugins) => void plugins.push(entry(`fledge-cli-${n++}`))),
      }),
    ).rejects.toThrow(/kept changing while it was being saved/);
    expect((await readRegistry(file)).plugins.map((p) => p.name)).not.toContain('fledge-ours');
  });
});

describe("the app's own data, in its own file", () => {
  it('desktop-only grants are kept in fledge-desktop/registry.json and survive the CLI rewriting plugins.toml', async () => {
    const { file } = setup();
    await updateRegistry(file, (reg) => {
      reg.plugins.push(entry('fledge-clock', { capabilities: { ...NO_CAPABILITIES, clock: true } }));
    });
    expect(readFileSync(file, 'utf8')).not.toContain('clock =');
    expect((await readAppRegistry(file))['fledge-clock']?.desktopGrants).toEqual({
      clock: true,
      random: false,
    });
    // The CLI installs something else, rewriting the whole file without keys it does not know.
    cliWrite(file, (plugins) => plugins.push(entry('fledge-other')));
    const clock = (await readRegistry(file)).plugins.find((p) => p.name === 'fledge-clock')!;
    expect(clock.capabilities?.clock).toBe(true);
    expect(clock.seen).toBe('as-seen');
  });

  it('an entry the CLI changed loses the desktop-only grants and is marked changed; approving restores "as seen" without them', async () => {
    const { file } = setup();
    await updateRegistry(file, (reg) => {
      reg.plugins.push(entry('fledge-clock', { capabilities: { ...NO_CAPABILITIES, clock: true } }));
    });
    cliWrite(file, (plugins) => {
      const p = plugins.find((x) => x.name === 'fledge-clock')!;
      p.version = '2.0.0'; // fledge plugins update / install --force
    });
    let clock = (await readRegistry(file)).plugins.find((p) => p.name === 'fledge-clock')!;
    expect(clock.seen).toBe('changed-elsewhere');
    expect(clock.capabilities?.clock).toBe(false);
    await markSeen(file, ['fledge-clock']);
    clock = (await readRegistry(file)).plugins.find((p) => p.name === 'fledge-clock')!;
    expect(clock.seen).toBe('as-seen');
    expect(clock.capabilities?.clock).toBe(false);
  });

  it('entries the app never wrote are "installed elsewhere"; ones it wrote are "as seen"; our writes do not mark the CLI ones seen', async () => {
    const { file } = setup();
    await updateRegistry(file, (reg) => {
      reg.plugins.push(entry('fledge-ours'));
    });
    const seen = Object.fromEntries((await readRegistry(file)).plugins.map((p) => [p.name, p.seen]));
    expect(seen['fledge-ours']).toBe('as-seen');
    expect(seen['fledge-wasm-linked']).toBe('installed-elsewhere');
    expect(seen['fledge-native-plain']).toBe('installed-elsewhere');
  });

  it('a desktop-only grant given to an entry the CLI installed is kept (granting it is reviewing it)', async () => {
    const { file } = setup();
    await updateRegistry(file, (reg) => {
      const p = reg.plugins.find((x) => x.name === 'fledge-wasm-linked')!;
      p.capabilities!.clock = true;
    });
    const p = (await readRegistry(file)).plugins.find((x) => x.name === 'fledge-wasm-linked')!;
    expect(p.seen).toBe('as-seen');
    expect(p.capabilities?.clock).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('clock');
  });

  it('a removed entry is forgotten; a damaged app file means nothing is trusted as seen', async () => {
    const { file } = setup();
    await updateRegistry(file, (reg) => {
      reg.plugins.push(entry('fledge-ours'));
    });
    await updateRegistry(file, (reg) => {
      reg.plugins = reg.plugins.filter((p) => p.name !== 'fledge-ours');
    });
    expect(await readAppRegistry(file)).not.toHaveProperty('fledge-ours');
    await updateRegistry(file, (reg) => {
      reg.plugins.push(entry('fledge-ours'));
    });
    writeFileSync(appRegistryFile(file), '{ damaged');
    expect((await readRegistry(file)).plugins.find((p) => p.name === 'fledge-ours')?.seen).toBe(
      'installed-elsewhere',
    );
  });
});
