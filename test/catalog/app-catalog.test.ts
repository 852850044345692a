// The catalog and GitHub updates through the app's contract (AppService, in-process client), against
// the GitHub stand-in: look-ups before install, the rate-limit notice naming Settings, the saved token
// used for look-ups AND installs, and an update that finds a new release (versions and commits in its
// consent request), then "up to date".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import type { FledgeApi } from '../../shared/ipc/index.js';
import { appWorld, closeAll, nextEvent } from '../app/helpers.js';
import { type GitHubStandIn, type StandInRepo, startGitHubStandIn } from '../support/github-stand-in.js';
import { helloWasm, rustManifest, wasmRelease } from './helpers.js';

let gh: GitHubStandIn;
let wasm: Uint8Array;
const ready: StandInRepo = { owner: 'someone', name: 'fledge-rel', topics: ['fledge-plugin'], files: {} };
const rust: StandInRepo = {
  owner: 'someone',
  name: 'fledge-src',
  topics: ['fledge-plugin'],
  files: { 'plugin.toml': rustManifest('fledge-src') },
};
const release = (version: string) => wasmRelease('fledge-rel', version, wasm);

beforeAll(async () => {
  wasm = await helloWasm();
  ready.releases = [release('1.0.0')];
  gh = await startGitHubStandIn({ repos: [ready, rust] });
  process.env.FLEDGE_GITHUB_API_URL = gh.url;
  delete process.env.FLEDGE_GITHUB_TOKEN;
  delete process.env.GITHUB_TOKEN;
});
afterAll(async () => {
  await closeAll();
  await gh.close();
});

/** Starts an install or update and answers its consent request with nothing granted. */
async function throughConsent(c: FledgeApi, start: () => Promise<{ operationId: string }>) {
  const consent = nextEvent(c, 'consent.requested');
  const { operationId } = await start();
  const finished = nextEvent(c, 'operations.finished', (p) => p.operationId === operationId);
  const { request } = await consent;
  await c.consent.answer({
    consentId: request.id,
    decision: { answer: 'install', grants: { ...NO_CAPABILITIES, filesystem: undefined }, allowBuild: false },
  });
  return { request, end: await finished };
}

describe('the catalog through the app', () => {
  it('learns each card before install, stops at the limit naming Settings, then uses the saved token everywhere', async () => {
    const { client: c } = await appWorld({ catalog: undefined });
    const found = await c.catalog.search({});
    expect(found.results.map((r) => r.fullName).sort()).toEqual(['someone/fledge-rel', 'someone/fledge-src']);
    expect(found.results.every((r) => r.installableWithoutToolchain === null)).toBe(true);

    const looked = await c.catalog.inspect({ fullNames: ['someone/fledge-rel', 'someone/fledge-src'] });
    expect(looked.limited).toBeNull();
    expect(looked.facts).toEqual(
      expect.arrayContaining([
        {
          fullName: 'someone/fledge-rel',
          runtime: 'wasm',
          installableWithoutToolchain: true,
          toolchain: null,
          problem: null,
        },
        {
          fullName: 'someone/fledge-src',
          runtime: 'wasm',
          installableWithoutToolchain: false,
          toolchain: 'Rust',
          problem: null,
        },
      ]),
    );
    // The next search already knows (from the cache on disk).
    const again = await c.catalog.search({});
    expect(again.results.find((r) => r.fullName === 'someone/fledge-src')).toMatchObject({
      installableWithoutToolchain: false,
      toolchain: 'Rust',
    });

    // A search that finds a repository not looked at yet, while GitHub refuses.
    gh.setMode({ kind: 'rate-limited', resetInSeconds: 9 * 60 });
    const limited = await c.catalog.inspect({ fullNames: ['other/fledge-new'] });
    expect(limited.limited).toMatchObject({
      reason:
        "GitHub's limit for unsigned requests is reached; add a token in Settings or try again in 9 minutes.",
    });
    gh.setMode({ kind: 'normal' });

    // A token in Settings: a fresh limit, and installs send it too.
    await c.settings.setGithubToken({ token: 'ghp_apptoken123' });
    const sentFrom = gh.requests.length;
    const { end } = await throughConsent(c, () =>
      c.plugins.install({ source: { kind: 'git', spec: 'someone/fledge-rel' } }),
    );
    expect(end.state, JSON.stringify(end.error)).toBe('succeeded');
    const apiCalls = gh.requests.slice(sentFrom).filter((r) => r.url.startsWith('/repos/'));
    expect(apiCalls.length).toBeGreaterThan(0);
    expect(apiCalls.every((r) => r.headers.authorization === 'Bearer ghp_apptoken123')).toBe(true);
  });

  it('an update finds the new release, shows the versions and commits, pins the new commit; then up to date', async () => {
    const { client: c } = await appWorld({ catalog: undefined });
    await throughConsent(c, () => c.plugins.install({ source: { kind: 'git', spec: 'someone/fledge-rel' } }));
    ready.releases!.unshift(release('1.1.0'));
    try {
      const { request, end } = await throughConsent(c, () => c.plugins.update({ name: 'fledge-rel' }));
      expect(request.kind).toBe('update');
      expect(request.update).toMatchObject({
        fromVersion: '1.0.0',
        toVersion: '1.1.0',
        fromCommit: gh.commitOf('someone', 'fledge-rel', 'v1.0.0'),
        toCommit: gh.commitOf('someone', 'fledge-rel', 'v1.1.0'),
        toRef: 'release v1.1.0',
      });
      expect(end.outcome).toMatchObject({ version: '1.1.0', upToDate: null });
      expect((await c.plugins.get({ name: 'fledge-rel' })).pinnedRef).toBe(
        gh.commitOf('someone', 'fledge-rel', 'v1.1.0'),
      );

      const { operationId } = await c.plugins.update({ name: 'fledge-rel' });
      const same = await nextEvent(c, 'operations.finished', (p) => p.operationId === operationId);
      expect(same.state).toBe('succeeded');
      expect(same.outcome?.upToDate).toMatch(/^Already up to date: v1\.1\.0 is the latest release/);
      expect(await c.consent.pending()).toEqual([]);
    } finally {
      ready.releases!.shift();
    }
  });
});
