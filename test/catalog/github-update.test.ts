// Updating a GitHub install: pinned_ref holds the installed commit, but an update resolves again as
// an install does (the latest release, else the default branch's head), shows the versions and
// commits in its consent request and pins the new commit; nothing newer: "up to date", nothing
// downloaded. A tag the person asked for stays (fledge 1.8), with word of a newer release.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubRefsFile } from '../../electron/engine/install/github-pins.js';
import type { ConsentRequest } from '../../electron/engine/plugins/consent-request.js';
import { PluginService } from '../../electron/engine/plugins/plugin-service.js';
import { parseRegistry } from '../../electron/engine/registry/plugins-toml.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { type GitHubStandIn, type StandInRepo, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { emptyPath, helloWasm, runCliAsync, rustManifest, wasmRelease } from './helpers.js';

let gh: GitHubStandIn;
let wasm: Uint8Array;
const repo: StandInRepo = { owner: 'someone', name: 'fledge-moving', files: {}, releases: [] };
const release = (version: string) => wasmRelease('fledge-moving', version, wasm);

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

describe('an update resolves again as an install does', () => {
  it('a second release: the consent request shows both versions and commits, and the new commit is pinned', async () => {
    const config = join(tempDir('ghupdate-new'), 'config');
    const own: StandInRepo = {
      owner: 'someone',
      name: 'fledge-rel',
      files: {},
      releases: [wasmRelease('fledge-rel', '1.0.0', wasm)],
    };
    const local = await startGitHubStandIn({ repos: [own] });
    try {
      const service = new PluginService(config, config, { baseUrl: local.url });
      await service.install('someone/fledge-rel', prompt);
      own.releases!.unshift(wasmRelease('fledge-rel', '1.1.0', wasm, 'store = true'));
      const asked: ConsentRequest[] = [];
      const outcome = await service.update('fledge-rel', async (req) => {
        asked.push(req);
        return { granted: { ...NO_CAPABILITIES }, allowBuild: false };
      });
      expect(outcome).toMatchObject({ version: '1.1.0', replaced: true, withheld: ['store'] });
      expect(outcome.upToDate).toBeUndefined();
      expect(asked[0]?.update).toMatchObject({
        fromVersion: '1.0.0',
        toVersion: '1.1.0',
        fromCommit: local.commitOf('someone', 'fledge-rel', 'v1.0.0'),
        toCommit: local.commitOf('someone', 'fledge-rel', 'v1.1.0'),
        toRef: 'release v1.1.0',
        beyond: ['store'],
      });
      expect(entry(config)).toMatchObject({
        version: '1.1.0',
        pinned_ref: local.commitOf('someone', 'fledge-rel', 'v1.1.0'),
      });

      // Nothing newer: up to date, nothing downloaded, nothing asked, plugins.toml as it was.
      const before = readFileSync(join(config, 'plugins.toml'), 'utf8');
      const sent = local.requests.length;
      const again = await service.update('fledge-rel', async () => {
        throw new Error('an up-to-date plugin must not ask for consent');
      });
      expect(again).toMatchObject({ version: '1.1.0', replaced: false });
      expect(again.upToDate).toBe(
        `Already up to date: v1.1.0 is the latest release (commit ${local.commitOf('someone', 'fledge-rel', 'v1.1.0').slice(0, 7)}).`,
      );
      const urls = local.requests.slice(sent).map((r) => r.url);
      expect(urls.some((u) => /tarball|_codeload|_downloads|releases\/assets/.test(u))).toBe(false);
      expect(readFileSync(join(config, 'plugins.toml'), 'utf8')).toBe(before);
    } finally {
      await local.close();
    }
  });

  it('no release: a new commit on the default branch is found; the same commit is up to date', async () => {
    const config = join(tempDir('ghupdate-branch'), 'config');
    const wasmFile = 'target/wasm32-wasip1/release/fledge-branchy.wasm';
    const own: StandInRepo = {
      owner: 'someone',
      name: 'fledge-branchy',
      files: {
        'plugin.toml': rustManifest('fledge-branchy', '0.1.0').replace(/\[hooks\][^[]*/, ''),
        [wasmFile]: wasm,
      },
    };
    const local = await startGitHubStandIn({ repos: [own] });
    try {
      const service = new PluginService(config, config, { baseUrl: local.url });
      await service.install('someone/fledge-branchy', prompt);
      expect((await service.update('fledge-branchy', prompt)).upToDate).toMatch(
        /^Already up to date: commit [0-9a-f]{7} is the newest on main \(no releases\)\.$/,
      );
      own.revision = 1;
      own.files = {
        ...own.files,
        'plugin.toml': own.files['plugin.toml']!.toString().replace('0.1.0', '0.2.0'),
      };
      const asked: ConsentRequest[] = [];
      const out = await service.update('fledge-branchy', async (req) => {
        asked.push(req);
        return { granted: { ...NO_CAPABILITIES }, allowBuild: false };
      });
      expect(out.version).toBe('0.2.0');
      expect(asked[0]?.update).toMatchObject({
        fromVersion: '0.1.0',
        toVersion: '0.2.0',
        toRef: 'branch main',
      });
      expect(entry(config).pinned_ref).toBe(local.commitOf('someone', 'fledge-branchy', 'main'));
    } finally {
      await local.close();
    }
  });

  it('pinned by the person to a tag: it stays there (as fledge 1.8) and says which release is newer', async () => {
    const config = join(tempDir('ghupdate-pinned'), 'config');
    const own: StandInRepo = {
      owner: 'someone',
      name: 'fledge-pin',
      files: {},
      releases: [wasmRelease('fledge-pin', '1.0.0', wasm)],
    };
    const local = await startGitHubStandIn({ repos: [own] });
    try {
      const service = new PluginService(config, config, { baseUrl: local.url });
      await service.install('someone/fledge-pin@v1.0.0', prompt);
      own.releases!.unshift(wasmRelease('fledge-pin', '2.0.0', wasm));
      const out = await service.update('fledge-pin', prompt);
      expect(out).toMatchObject({ version: '1.0.0', replaced: false });
      expect(out.upToDate).toBe(
        `Pinned to v1.0.0 (commit ${local.commitOf('someone', 'fledge-pin', 'v1.0.0').slice(0, 7)}), as asked at install; already up to date. The latest release is v2.0.0: install someone/fledge-pin@v2.0.0 to move to it.`,
      );
      expect(entry(config).pinned_ref).toBe(local.commitOf('someone', 'fledge-pin', 'v1.0.0'));

      // As the fledge CLI records it: the tag it was given as pinned_ref, nothing remembered by the app.
      const toml = join(config, 'plugins.toml');
      writeFileSync(
        toml,
        readFileSync(toml, 'utf8').replace(local.commitOf('someone', 'fledge-pin', 'v1.0.0'), 'v1.0.0'),
      );
      rmSync(githubRefsFile(config), { force: true });
      const sent = local.requests.length;
      const cli = await service.update('fledge-pin', async () => {
        throw new Error('a pinned release tag that did not move must not ask again');
      });
      expect(cli.upToDate).toMatch(
        /^Pinned to v1\.0\.0 \(commit [0-9a-f]{7}\), as asked at install; already up to date\. The latest release is v2\.0\.0/,
      );
      expect(local.requests.slice(sent).some((r) => /tarball|_codeload|_downloads/.test(r.url))).toBe(false);
      expect(entry(config).pinned_ref).toBe('v1.0.0');
    } finally {
      await local.close();
    }
  });
});

describe('the CLI', () => {
  it('shows the versions and commits of an update, then says up to date (and skipped in --json, as fledge 1.8)', async () => {
    const root = tempDir('ghupdate-cli');
    const own: StandInRepo = { owner: 'someone', name: 'fledge-cli-up', files: {}, releases: [] };
    const rel = (version: string) => wasmRelease('fledge-cli-up', version, wasm);
    own.releases = [rel('1.0.0')];
    const local = await startGitHubStandIn({ repos: [own] });
    try {
      const env = {
        PATH: emptyPath(),
        HOME: root,
        FLEDGE_CONFIG_DIR: join(root, 'cfg'),
        FLEDGE_GITHUB_API_URL: local.url,
      };
      expect((await runCliAsync(['plugins', 'install', 'someone/fledge-cli-up', '--yes'], env)).code).toBe(0);
      own.releases.unshift(rel('1.1.0'));
      const up = await runCliAsync(['plugins', 'update', 'fledge-cli-up', '--yes'], env);
      expect(up.code).toBe(0);
      const c = (tag: string) => local.commitOf('someone', 'fledge-cli-up', tag).slice(0, 7);
      expect(up.stderr).toContain(
        `  from 1.0.0 to 1.1.0, release v1.1.0 (commit ${c('v1.1.0')}, was ${c('v1.0.0')})`,
      );
      expect(up.stdout).toMatch(/^Updated fledge-cli-up 1\.1\.0/);
      const same = await runCliAsync(['plugins', 'update', 'fledge-cli-up', '--yes'], env);
      expect(same.stdout).toBe(
        `fledge-cli-up 1.1.0: Already up to date: v1.1.0 is the latest release (commit ${c('v1.1.0')}).\n`,
      );
      const json = await runCliAsync(['plugins', 'update', 'fledge-cli-up', '--json'], env);
      expect(JSON.parse(json.stdout).results).toEqual([
        {
          name: 'fledge-cli-up',
          status: 'skipped',
          detail: `Already up to date: v1.1.0 is the latest release (commit ${c('v1.1.0')}).`,
        },
      ]);
    } finally {
      await local.close();
    }
  });
});
