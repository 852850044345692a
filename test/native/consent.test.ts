// Consent for native plugins at install: plain words that it is a program that runs as you, how it
// will run here, each binary with its SHA-256 (pinned like a wasm), and a separate confirmation for
// an unverified source.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import type { ConsentRequest } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { nativePlugin } from './helpers.js';

const contained = (await containmentSupport()).available;

describe('installing a native plugin', () => {
  it('shows it runs as you, how it will run here, and the SHA-256 of its program', async () => {
    const plugin = nativePlugin('plain.sh', { protocol: false });
    const service = new PluginService(tempDir('native-consent'));
    let asked: ConsentRequest | null = null;
    await service.install(plugin.dir, async (req) => {
      asked = req;
      return { granted: { ...NO_CAPABILITIES }, allowBuild: false };
    });
    const native = asked!.native!;
    expect(native.summary).toMatch(/a program that runs on your computer as you/);
    expect(native.accessLabel).toBe(
      contained ? 'native, contained (read-only project, no network)' : 'native, full access',
    );
    const sha = createHash('sha256')
      .update(readFileSync(join(plugin.dir, plugin.binary)))
      .digest('hex');
    expect(native.binaries).toEqual([{ path: plugin.binary, sha256: sha }]);
    expect(native.extraConfirmation).toBeNull(); // a local folder
  });

  it('from an unverified source: refused unless the person confirms it separately', async () => {
    const plugin = nativePlugin('plain.sh', { protocol: false });
    // "someone/<name>" is github.com/someone/<name>, an unverified owner: served by a stand-in on 127.0.0.1.
    const files = Object.fromEntries(
      ['plugin.toml', plugin.binary].map((f) => [f, readFileSync(join(plugin.dir, f))]),
    );
    const gh = await startGitHubStandIn({ repos: [{ owner: 'someone', name: plugin.name, files }] });
    try {
      const service = new PluginService(tempDir('native-consent'), tempDir('native-cwd'), {
        baseUrl: gh.url,
      });
      let question: string | null = null;
      const refused = service.install(`someone/${plugin.name}`, async (req) => {
        question = req.native?.extraConfirmation ?? null;
        return { granted: { ...NO_CAPABILITIES }, allowBuild: false };
      });
      await expect(refused).rejects.toMatchObject({ code: 'install_unverified_native' });
      expect(question).toMatch(/Nobody has checked this program.*It will run as you/);
      expect((await service.audit()).length).toBe(0);

      const outcome = await service.install(`someone/${plugin.name}`, async () => ({
        granted: { ...NO_CAPABILITIES },
        allowBuild: false,
        confirmUnverifiedNative: true,
      }));
      expect(outcome).toMatchObject({ name: plugin.name, tier: 'unverified' });
    } finally {
      await gh.close();
    }
  });
});
