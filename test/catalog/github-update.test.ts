// Updating a GitHub install: pinned_ref holds the installed commit, but an update follows what the
// person asked for: the latest release again (no ref), or the same tag or branch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { parseRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { type GitHubStandIn, type StandInRepo, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { helloWasm, rustManifest } from './helpers.js';

let gh: GitHubStandIn;
let wasm: Uint8Array;
const repo: StandInRepo = { owner: 'someone', name: 'fledge-moving', files: {}, releases: [] };
const release = (version: string) => ({
  tag: `v${version}`,
  files: { 'plugin.toml': rustManifest('fledge-moving', version) },
  assets: [{ name: 'fledge-moving.wasm', content: wasm }],
});

beforeAll(async () => {
  wasm = await helloWasm();
  repo.files = { 'plugin.toml': rustManifest('fledge-moving', '0.0.1') };
  repo.releases = [release('1.0.0')];
  gh = await startGitHubStandIn({ repos: [repo] });
});
afterAll(() => gh.close());

const prompt = async () => ({ granted: { ...NO_CAPABILITIES }, allowBuild: false });
const entry = (config: string) =>
  parseRegistry(readFileSync(join(config, 'plugins.toml'), 'utf8')).plugins[0]!;

describe('updating a GitHub install', () => {
  it('without a ref it moves to the latest release; with a tag it stays on that tag', async () => {
    const root = tempDir('ghupdate');
    const latest = join(root, 'latest');
    const tagged = join(root, 'tagged');
    const a = new PluginService(latest, root, { baseUrl: gh.url });
    const b = new PluginService(tagged, root, { baseUrl: gh.url });
    await a.install('someone/fledge-moving', prompt);
    await b.install('someone/fledge-moving@v1.0.0', prompt);
    expect(entry(latest).pinned_ref).toBe(gh.commitOf('someone', 'fledge-moving', 'v1.0.0'));

    // A refused attempt (already installed) asking for the tag must not change what the update follows.
    await expect(a.install('someone/fledge-moving@v1.0.0', prompt)).rejects.toThrow(/already installed/);
    repo.releases!.unshift(release('1.1.0'));
    expect((await a.update('fledge-moving', prompt)).version).toBe('1.1.0');
    expect(entry(latest)).toMatchObject({
      version: '1.1.0',
      pinned_ref: gh.commitOf('someone', 'fledge-moving', 'v1.1.0'),
    });
    expect((await b.update('fledge-moving', prompt)).version).toBe('1.0.0');
    expect(entry(tagged).pinned_ref).toBe(gh.commitOf('someone', 'fledge-moving', 'v1.0.0'));
  });
});
