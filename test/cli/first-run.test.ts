// A person's first runs of a plugin folder, with nothing installed yet (no config dir): the first run
// makes the config dir and the key that signs the prepared copy, so the second run uses the copy the
// first one saved instead of preparing the module again and warning that it did not match.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('the first runs on a machine with nothing installed', () => {
  it('the second run of a plugin folder uses the prepared copy the first saved, without a warning', async () => {
    const home = tempDir('first-run-home');
    const plugin = makePlugin(await fixtureWasm('hello'), { root: tempDir('first-run-plugins') });
    const env = { HOME: home, XDG_CONFIG_HOME: '', FLEDGE_CONFIG_DIR: '' };
    const first = runCli(['run', plugin.dir], env);
    expect(first.code).toBe(0);
    const configDir = join(home, '.config', 'fledge');
    expect(readdirSync(configDir)).toContain('prepare-cache.key');
    expect(statSync(configDir).mode & 0o077).toBe(0);
    const prepared = join(plugin.dir, 'plugin.wasm.fuel.wasm');
    const savedAt = statSync(prepared).mtimeMs;

    const second = runCli(['run', plugin.dir], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).not.toMatch(/did not match/);
    expect(statSync(prepared).mtimeMs).toBe(savedAt);
  });
});
