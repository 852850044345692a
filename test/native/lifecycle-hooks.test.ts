// post_install and post_remove run only when the person approved their exact text, as the fledge
// CLI 1.8 runs hooks (no shell), in the installed plugin folder.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConsentRequest } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { tempDir } from '../support/temp.js';

function pluginWithHooks(marks: string): string {
  const dir = join(tempDir('native-lifecycle'), 'fledge-hooked');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'bin', 'run'), '#!/bin/sh\n');
  chmodSync(join(dir, 'bin', 'run'), 0o755);
  for (const hook of ['installed.sh', 'removed.sh']) {
    writeFileSync(join(dir, hook), `#!/bin/sh\necho "${hook} in $PWD" >> '${marks}'\n`);
    chmodSync(join(dir, hook), 0o755);
  }
  writeFileSync(
    join(dir, 'plugin.toml'),
    '[plugin]\nname = "fledge-hooked"\nversion = "1.0.0"\n\n[[commands]]\nname = "hooked"\nbinary = "bin/run"\n\n[hooks]\npost_install = "installed.sh"\npost_remove = "removed.sh"\n',
  );
  return dir;
}

describe('lifecycle hooks', () => {
  it('approved: post_install runs after the install, post_remove before the removal, in the plugin folder', async () => {
    const marks = join(tempDir('native-lifecycle'), 'marks');
    const service = new PluginService(tempDir('native-lifecycle-config'));
    let asked: ConsentRequest | null = null;
    const out = await service.install(pluginWithHooks(marks), async (req) => {
      asked = req;
      return {
        granted: { ...NO_CAPABILITIES },
        allowBuild: false,
        approvedHooks: ['post_install', 'post_remove'],
      };
    });
    expect(asked!.lifecycleHooks).toEqual([
      { hook: 'post_install', text: 'installed.sh' },
      { hook: 'post_remove', text: 'removed.sh' },
    ]);
    expect(readFileSync(marks, 'utf8')).toBe(`installed.sh in ${out.pluginDir}\n`);
    await service.remove('fledge-hooked');
    expect(readFileSync(marks, 'utf8')).toBe(
      `installed.sh in ${out.pluginDir}\nremoved.sh in ${out.pluginDir}\n`,
    );
  });

  it('not approved: neither runs, and the install says so', async () => {
    const marks = join(tempDir('native-lifecycle'), 'marks');
    const service = new PluginService(tempDir('native-lifecycle-config'));
    const out = await service.install(pluginWithHooks(marks), async () => ({
      granted: { ...NO_CAPABILITIES },
      allowBuild: false,
    }));
    expect(out.warnings).toContainEqual(
      expect.stringMatching(/post_install hook was not run \(not approved\)/),
    );
    await service.remove('fledge-hooked');
    expect(existsSync(marks)).toBe(false);
  });

  it('a post_remove whose text changed after approval is not run', async () => {
    const marks = join(tempDir('native-lifecycle'), 'marks');
    const service = new PluginService(tempDir('native-lifecycle-config'));
    const out = await service.install(pluginWithHooks(marks), async () => ({
      granted: { ...NO_CAPABILITIES },
      allowBuild: false,
      approvedHooks: ['post_remove'],
    }));
    const toml = join(out.pluginDir, 'plugin.toml');
    writeFileSync(
      toml,
      readFileSync(toml, 'utf8').replace('post_remove = "removed.sh"', 'post_remove = "installed.sh"'),
    );
    await service.remove('fledge-hooked');
    expect(existsSync(marks)).toBe(false);
  });
});
