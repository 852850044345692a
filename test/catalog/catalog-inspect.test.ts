// Looking at catalog entries before any install, against the GitHub stand-in: runtime and "ready to
// install" / "needs Rust to build" from the release and plugin.toml; the on-disk cache keyed by
// release or commit (an unchanged repository costs no request); at most N look-ups at once; the stop
// at GitHub's limit (and just before it) in plain words; the token; hostile answers.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CatalogService } from '../../electron/engine/catalog/index.js';
import { toolchainOf } from '../../electron/engine/catalog/inspect.js';
import { APP_TOKEN_ADVICE } from '../../electron/engine/install/github-budget.js';
import { type GitHubStandIn, type StandInRepo, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { rustManifest } from './helpers.js';

const nativeManifest = (name: string) => `[plugin]
name = "${name}"
version = "1.0.0"
protocol = "fledge-v1"

[[commands]]
name = "${name}"
binary = "bin/${name}"
`;

const ready: StandInRepo = {
  owner: 'prebuilt',
  name: 'fledge-ready',
  topics: ['fledge-plugin', 'look'],
  files: { 'plugin.toml': rustManifest('fledge-ready') },
  releases: [{ tag: 'v1.0.0', assets: [{ name: 'fledge-ready.wasm', content: 'x' }] }],
};
const rust: StandInRepo = {
  owner: 'source-only',
  name: 'fledge-needs-rust',
  topics: ['fledge-plugin', 'look'],
  files: { 'plugin.toml': rustManifest('fledge-needs-rust') },
};
const native: StandInRepo = {
  owner: 'tools',
  name: 'fledge-shell',
  topics: ['fledge-plugin', 'look'],
  files: { 'plugin.toml': nativeManifest('fledge-shell'), 'bin/fledge-shell': '#!/bin/sh\n' },
};
const bare: StandInRepo = {
  owner: 'nobody',
  name: 'fledge-empty',
  topics: ['fledge-plugin', 'look'],
  files: {},
};
const many: StandInRepo[] = Array.from({ length: 12 }, (_, i) => ({
  owner: 'crowd',
  name: `fledge-p${i}`,
  topics: ['fledge-plugin', 'crowd'],
  files: { 'plugin.toml': rustManifest(`fledge-p${i}`) },
}));

let gh: GitHubStandIn;
beforeAll(async () => {
  gh = await startGitHubStandIn({ repos: [ready, rust, native, bare, ...many] });
});
afterAll(() => gh.close());
afterEach(() => {
  gh.setMode({ kind: 'normal' });
  gh.resetRateLimit();
});

function catalog(extra: Partial<ConstructorParameters<typeof CatalogService>[0]> = {}) {
  const configDir = extra.configDir ?? tempDir('inspect');
  const service = new CatalogService({ configDir, apiBaseUrl: gh.url, token: null, ...extra });
  return { configDir, service };
}

/** The stand-in's API requests made while `work` runs. */
async function requestsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const before = gh.apiRequests().length;
  await work();
  return gh
    .apiRequests()
    .slice(before)
    .map((r) => r.url);
}

describe('before install, each card learns what it is', () => {
  it('a release with the built wasm is ready to install; source only needs Rust; native and broken ones say so', async () => {
    const { service } = catalog();
    await service.search({ topic: 'look' });
    const answer = await service.inspectMany([
      'prebuilt/fledge-ready',
      'source-only/fledge-needs-rust',
      'tools/fledge-shell',
      'nobody/fledge-empty',
    ]);
    expect(answer.limited).toBeNull();
    expect(answer.facts['prebuilt/fledge-ready']).toEqual({
      runtime: 'wasm',
      installable_without_toolchain: true,
      toolchain: null,
      problem: null,
    });
    expect(answer.facts['source-only/fledge-needs-rust']).toEqual({
      runtime: 'wasm',
      installable_without_toolchain: false,
      toolchain: 'Rust',
      problem: null,
    });
    expect(answer.facts['tools/fledge-shell']).toMatchObject({
      runtime: 'native',
      installable_without_toolchain: true,
    });
    expect(answer.facts['nobody/fledge-empty']).toMatchObject({ runtime: null, problem: /no plugin\.toml/ });
    // The next search carries what was learnt, and the runtime filter can work from it.
    const results = (await service.search({ topic: 'look' })).results;
    const byName = Object.fromEntries(results.map((r) => [r.full_name, r]));
    expect(byName['prebuilt/fledge-ready']).toMatchObject({
      runtime: 'wasm',
      installable_without_toolchain: true,
    });
    expect(byName['source-only/fledge-needs-rust']).toMatchObject({ toolchain: 'Rust' });
    expect(byName['tools/fledge-shell']).toMatchObject({ runtime: 'native' });
  });

  it('costs two requests with a release and two without', async () => {
    const { service } = catalog();
    await service.search({ topic: 'look' });
    expect(await requestsDuring(() => service.inspect('prebuilt/fledge-ready'))).toEqual([
      '/repos/prebuilt/fledge-ready/releases/latest',
      '/repos/prebuilt/fledge-ready/contents/plugin.toml?ref=v1.0.0',
    ]);
    expect(await requestsDuring(() => service.inspect('source-only/fledge-needs-rust'))).toEqual([
      '/repos/source-only/fledge-needs-rust/releases/latest',
      '/repos/source-only/fledge-needs-rust/contents/plugin.toml',
    ]);
    // Nothing pushed since: both come from the cache, with no request.
    await service.search({ topic: 'look' });
    expect(
      await requestsDuring(() =>
        service.inspectMany(['prebuilt/fledge-ready', 'source-only/fledge-needs-rust']),
      ),
    ).toEqual([]);
  });
});

describe('the look-ups are kept on disk, keyed by release or commit', () => {
  it('an unchanged repository costs nothing; a push costs one request; a new release is read again', async () => {
    const repo: StandInRepo = {
      owner: 'moving',
      name: 'fledge-moving',
      topics: ['fledge-plugin', 'moving'],
      files: { 'plugin.toml': rustManifest('fledge-moving') },
      releases: [{ tag: 'v1.0.0' }],
      pushedAt: '2026-11-01T00:00:00Z',
    };
    const local = await startGitHubStandIn({ repos: [repo] });
    try {
      const configDir = tempDir('inspect-cache');
      const first = new CatalogService({ configDir, apiBaseUrl: local.url, token: null });
      await first.search({});
      expect(await first.inspect('moving/fledge-moving')).toMatchObject({
        installable_without_toolchain: false,
      });
      const file = join(configDir, 'fledge-desktop', 'catalog-cache.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);

      // Another session (the app restarted): the same last push, so the saved look-up is used as it is.
      const second = new CatalogService({ configDir, apiBaseUrl: local.url, token: null });
      await second.search({});
      let before = local.apiRequests().length;
      expect(await second.inspect('moving/fledge-moving')).toMatchObject({ toolchain: 'Rust' });
      expect(local.apiRequests().length - before).toBe(0);

      // Something was pushed, the release is the same: one request (the release), plugin.toml not read again.
      repo.pushedAt = '2026-11-02T00:00:00Z';
      await second.search({});
      before = local.apiRequests().length;
      await second.inspect('moving/fledge-moving');
      expect(
        local
          .apiRequests()
          .slice(before)
          .map((r) => r.url),
      ).toEqual(['/repos/moving/fledge-moving/releases/latest']);

      // A second release carries the built wasm: read again, and now it is ready to install.
      repo.releases!.unshift({ tag: 'v1.1.0', assets: [{ name: 'fledge-moving.wasm', content: 'x' }] });
      repo.pushedAt = '2026-11-03T00:00:00Z';
      await second.search({});
      expect(await second.inspect('moving/fledge-moving')).toMatchObject({
        installable_without_toolchain: true,
        toolchain: null,
        key: expect.stringMatching(/^release:v1\.1\.0#/),
      });
    } finally {
      await local.close();
    }
  });
});

describe('within GitHub’s limits', () => {
  it('never more than N look-ups at once, and at most a bounded batch per call', async () => {
    let inFlight = 0;
    let most = 0;
    const slowFetch: typeof fetch = async (input, init) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 15));
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const { service } = catalog({ fetch: slowFetch, concurrency: 3 });
    await service.search({ topic: 'crowd' });
    most = 0;
    const names = [...many.map((r) => `${r.owner}/${r.name}`), 'prebuilt/fledge-ready'];
    const answer = await service.inspectMany(names);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
    // 13 asked, 12 looked at: the rest waits for the next call (the cards that scroll into view).
    expect(Object.keys(answer.facts)).toHaveLength(12);
    expect(answer.facts['prebuilt/fledge-ready']).toBeUndefined();
  });

  it('stops at the limit with the reason in plain words, and sends nothing more until it lifts', async () => {
    const { service } = catalog({ tokenAdvice: APP_TOKEN_ADVICE });
    await service.search({ topic: 'crowd' });
    gh.setMode({ kind: 'rate-limited', resetInSeconds: 14 * 60 });
    const answer = await service.inspectMany(many.slice(0, 6).map((r) => `${r.owner}/${r.name}`));
    expect(answer.limited?.reason).toBe(
      "GitHub's limit for unsigned requests is reached; add a token in Settings or try again in 14 minutes.",
    );
    expect(answer.limited?.retryInSeconds).toBeGreaterThan(13 * 60);
    expect(Object.keys(answer.facts)).toHaveLength(0);
    gh.setMode({ kind: 'normal' });
    // GitHub would answer again, but its reset time has not come: nothing is sent.
    const sent = await requestsDuring(() => service.inspectMany(['crowd/fledge-p7']));
    expect(sent).toEqual([]);
  });

  it('keeps the last requests of the hour for searching and installing', async () => {
    const { service } = catalog({ tokenAdvice: APP_TOKEN_ADVICE, reserve: 6 });
    gh.resetRateLimit(12);
    await service.search({ topic: 'crowd' }); // 11 left
    const answer = await service.inspectMany(many.slice(0, 8).map((r) => `${r.owner}/${r.name}`));
    expect(answer.limited?.reason).toMatch(
      /^GitHub's limit for unsigned requests is nearly reached \(\d left this hour, kept for searching and installing\); add a token in Settings or try again in 60 minutes\.$/,
    );
    // A few were looked at (each 2 requests), and the search still has its requests.
    expect(Object.keys(answer.facts).length).toBeGreaterThan(0);
    expect((await service.search({ topic: 'crowd' })).fromCache).toBe(false);
  });

  it('sends the token when one is set, and then says so in the limit message', async () => {
    const { service } = catalog({ token: 'ghp_inspecttoken' });
    await service.search({ topic: 'look' });
    const before = gh.apiRequests().length;
    await service.inspect('prebuilt/fledge-ready');
    const sent = gh.apiRequests().slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.headers.authorization === 'Bearer ghp_inspecttoken')).toBe(true);
    gh.setMode({ kind: 'rate-limited', resetInSeconds: 60 });
    const answer = await service.inspectMany(['crowd/fledge-p3']);
    expect(answer.limited?.reason).toBe(
      "GitHub's limit for requests with your token is reached; try again in 1 minute.",
    );
  });
});

describe('the toolchain a build hook needs, in words', () => {
  it('names the common ones, quotes a plain program name and never repeats anything else', () => {
    expect(toolchainOf('cargo build --release')).toBe('Rust');
    expect(toolchainOf('/usr/local/bin/go build .')).toBe('Go');
    expect(toolchainOf('"npm" run build')).toBe('Node.js');
    expect(toolchainOf('bazel build //...')).toBe('"bazel"');
    expect(toolchainOf('\u202eevil\u202c build')).toBe('a build tool');
    expect(toolchainOf(`${'x'.repeat(200)} build`)).toBe('a build tool');
    expect(toolchainOf('   ')).toBe('a build tool');
  });
});

describe('hostile answers', () => {
  const rewrite =
    (match: RegExp, body: unknown): typeof fetch =>
    async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (match.test(url)) return Response.json(body);
      return fetch(input, init);
    };

  it('a plugin.toml answer that is not a base64 file, or is huge, is refused in words', async () => {
    for (const body of [
      { type: 'dir', encoding: 'base64', content: '' },
      { type: 'file', encoding: 'utf8', content: '[plugin]' },
      { type: 'file', encoding: 'base64', content: 'A'.repeat(2 * 1024 * 1024) },
    ]) {
      const { service } = catalog({ fetch: rewrite(/contents\/plugin\.toml/, body) });
      await service.search({ topic: 'look' });
      const answer = await service.inspectMany(['prebuilt/fledge-ready']);
      expect(answer.facts['prebuilt/fledge-ready']).toBeUndefined();
      expect(answer.failed['prebuilt/fledge-ready']).toMatch(/plugin\.toml is not what was expected/);
    }
  });

  it('a release answer of the wrong shape, and a name that is not owner/repo, change nothing', async () => {
    const { service } = catalog({ fetch: rewrite(/releases\/latest/, { tag_name: 42, assets: 'many' }) });
    await service.search({ topic: 'look' });
    const answer = await service.inspectMany(['prebuilt/fledge-ready', '../../etc/passwd', 'a/..']);
    expect(answer.failed['prebuilt/fledge-ready']).toMatch(/latest release of prebuilt\/fledge-ready/);
    expect(answer.failed['../../etc/passwd']).toMatch(/not a GitHub repository name/);
    expect(answer.failed['a/..']).toMatch(/not a GitHub repository name/);
  });
});
