// Catalog search against the GitHub stand-in: the CLI's result shape and trust tiers, installed
// marks, the saved answer when GitHub cannot answer (with its age and the reason), hostile answers.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CatalogService } from '../../electron/engine/catalog/index.js';
import { type GitHubStandIn, type StandInRepo, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { rustManifest } from './helpers.js';

const REPOS: StandInRepo[] = [
  {
    owner: 'CorvidLabs',
    name: 'fledge-plugin-github',
    description: 'PR workflows',
    stars: 40,
    topics: ['fledge-plugin', 'ci'],
    files: {},
  },
  { owner: '0xLeif', name: 'fledge-lint', description: null, stars: 12, files: {} },
  {
    owner: 'someone',
    name: 'fledge-wild',
    description: 'A wild one',
    stars: 3,
    topics: ['fledge-plugin', 'ci'],
    files: {},
  },
  { owner: 'friendly-org', name: 'fledge-deploy', description: 'Deploys', stars: 1, files: {} },
  {
    owner: 'other',
    name: 'not-a-plugin',
    description: 'lint but no topic',
    stars: 99,
    topics: ['lint'],
    files: {},
  },
  {
    owner: 'prebuilt',
    name: 'fledge-ready',
    topics: ['fledge-plugin', 'inspect-me'],
    files: { 'plugin.toml': rustManifest('fledge-ready') },
    releases: [{ tag: 'v1.0.0', assets: [{ name: 'fledge-ready.wasm', content: 'x' }] }],
  },
  {
    owner: 'source-only',
    name: 'fledge-needs-rust',
    topics: ['fledge-plugin', 'inspect-me'],
    files: { 'plugin.toml': rustManifest('fledge-needs-rust') },
  },
];

let gh: GitHubStandIn;
beforeAll(async () => {
  gh = await startGitHubStandIn({ repos: REPOS });
});
afterAll(() => gh.close());
afterEach(() => gh.setMode({ kind: 'normal' }));

function catalog(configDir = tempDir('catalog')) {
  return { configDir, service: new CatalogService({ configDir, apiBaseUrl: gh.url, env: {} }) };
}

describe('catalog search', () => {
  it("returns the CLI's fields, best starred first, with the tier classified from the owner", async () => {
    const { configDir, service } = catalog();
    writeFileSync(join(configDir, 'config.toml'), '[trust]\norgs = ["friendly-org"]\n');
    const answer = await service.search({});
    expect(answer).toMatchObject({ fromCache: false, ageSeconds: 0, reason: null });
    expect(Date.parse(answer.fetchedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(answer.results.map((r) => [r.full_name, r.trust_tier])).toEqual([
      ['CorvidLabs/fledge-plugin-github', 'official'],
      ['0xLeif/fledge-lint', 'team'],
      ['someone/fledge-wild', 'unverified'],
      ['friendly-org/fledge-deploy', 'team'],
      ['prebuilt/fledge-ready', 'unverified'],
      ['source-only/fledge-needs-rust', 'unverified'],
    ]);
    expect(answer.results[0]).toEqual({
      owner: 'CorvidLabs',
      name: 'fledge-plugin-github',
      full_name: 'CorvidLabs/fledge-plugin-github',
      description: 'PR workflows',
      stars: 40,
      url: 'https://github.com/CorvidLabs/fledge-plugin-github',
      topics: ['fledge-plugin', 'ci'],
      trust_tier: 'official',
      installed: false,
      runtime: null,
      installable_without_toolchain: null,
      toolchain: null,
      problem: null,
    });
    // A null description reads as the CLI prints it.
    expect(answer.results[1]?.description).toBe('No description');
  });

  it('filters by keywords, topic and owner, and stops at the limit', async () => {
    const { service } = catalog();
    expect((await service.search({ topic: 'ci' })).results.map((r) => r.name)).toEqual([
      'fledge-plugin-github',
      'fledge-wild',
    ]);
    expect((await service.search({ owner: 'someone' })).results.map((r) => r.name)).toEqual(['fledge-wild']);
    expect((await service.search({ keywords: 'deploys' })).results.map((r) => r.name)).toEqual([
      'fledge-deploy',
    ]);
    expect((await service.search({ limit: 2 })).results).toHaveLength(2);
  });

  it('marks what plugins.toml says is installed from that repository, with its runtime', async () => {
    const { configDir, service } = catalog();
    writeFileSync(
      join(configDir, 'plugins.toml'),
      `[[plugins]]\nname = "fledge-wild"\nsource = "https://github.com/Someone/fledge-wild.git"\nversion = "1.0.0"\ninstalled = "2026-01-01"\ncommands = ["wild"]\nruntime = "wasm"\n`,
    );
    const results = (await service.search({})).results;
    expect(results.find((r) => r.name === 'fledge-wild')).toMatchObject({ installed: true, runtime: 'wasm' });
    expect(results.filter((r) => r.installed)).toHaveLength(1);
  });
});

describe('inspecting a repository', () => {
  it('learns its runtime and whether a release carries the wasm, and later searches show it', async () => {
    const { service } = catalog();
    expect(await service.inspect('prebuilt/fledge-ready')).toMatchObject({
      runtime: 'wasm',
      installable_without_toolchain: true,
    });
    expect(await service.inspect('source-only/fledge-needs-rust')).toMatchObject({
      runtime: 'wasm',
      installable_without_toolchain: false,
    });
    const results = (await service.search({ topic: 'inspect-me' })).results;
    expect(results.map((r) => [r.name, r.runtime, r.installable_without_toolchain])).toEqual([
      ['fledge-ready', 'wasm', true],
      ['fledge-needs-rust', 'wasm', false],
    ]);
  });
});

describe('when GitHub cannot answer', () => {
  function ageCache(configDir: string, seconds: number) {
    const file = join(configDir, 'fledge-desktop', 'catalog-cache.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    for (const entry of Object.values(data.searches) as { fetchedAt: string }[])
      entry.fetchedAt = new Date(Date.now() - seconds * 1000).toISOString();
    writeFileSync(file, JSON.stringify(data));
  }

  it('a rate-limited search returns the saved results with their age and a plain reason', async () => {
    const { configDir, service } = catalog();
    const fresh = await service.search({ topic: 'ci' });
    ageCache(configDir, 7 * 60);
    gh.setMode({ kind: 'rate-limited', resetInSeconds: 20 * 60 });
    const answer = await service.search({ topic: 'ci' });
    expect(answer.fromCache).toBe(true);
    expect(answer.results).toEqual(fresh.results);
    expect(answer.ageSeconds).toBeGreaterThanOrEqual(7 * 60);
    expect(answer.ageSeconds).toBeLessThan(8 * 60);
    expect(answer.reason).toMatch(/GitHub's limit for unsigned requests is reached/);
    expect(answer.reason).toMatch(/try again in 20 minutes/);
    expect(answer.reason).toMatch(/token/);
    expect(answer.reason).toMatch(/saved 7 minutes ago/);
  });

  it("a 429 with Retry-After (GitHub's secondary limit) is a rate limit too", async () => {
    const { service } = catalog();
    await service.search({});
    gh.setMode({ kind: 'retry-after', seconds: 120 });
    const answer = await service.search({});
    expect(answer.fromCache).toBe(true);
    expect(answer.reason).toMatch(/limit for unsigned requests is reached.*try again in 2 minutes/);
  });

  it('offline (the connection drops) returns the saved results and says GitHub could not be reached', async () => {
    const { service } = catalog();
    await service.search({ owner: 'someone' });
    gh.setMode({ kind: 'hang-up' });
    const answer = await service.search({ owner: 'someone' });
    expect(answer).toMatchObject({ fromCache: true });
    expect(answer.results.map((r) => r.name)).toEqual(['fledge-wild']);
    expect(answer.reason).toMatch(/^Could not reach 127\.0\.0\.1:\d+ .*network connection/);
  });

  it('with nothing saved for that search, the answer is empty but says why', async () => {
    const { service } = catalog();
    await service.search({ owner: 'someone' });
    gh.setMode({ kind: 'status', status: 502 });
    const answer = await service.search({ owner: 'CorvidLabs' });
    expect(answer).toMatchObject({ results: [], fromCache: false });
    expect(answer.reason).toMatch(/answered 502.*No results were saved from an earlier search like this one/);
  });

  it('a damaged cache file is ignored (and replaced by the next good answer)', async () => {
    const { configDir, service } = catalog();
    mkdirSync(join(configDir, 'fledge-desktop'), { recursive: true });
    writeFileSync(join(configDir, 'fledge-desktop', 'catalog-cache.json'), '{"version":1,"searches":');
    expect((await service.search({})).results).toHaveLength(6);
    gh.setMode({ kind: 'status', status: 500 });
    expect((await service.search({})).fromCache).toBe(true);
  });
});

describe('a hostile or broken answer', () => {
  function answering(body: unknown, status = 200) {
    const fake: typeof fetch = async () =>
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    return new CatalogService({
      configDir: tempDir('catalog'),
      apiBaseUrl: 'https://api.example.test',
      fetch: fake,
      env: {},
    });
  }

  it('entries with names that are paths, non-http links and control characters are cleaned or skipped', async () => {
    const answer = await answering({
      items: [
        { name: '../../etc', owner: { login: 'evil' }, html_url: 'https://github.com/evil/x' },
        { name: 'ok', owner: { login: 'evil/../CorvidLabs' } },
        {
          name: 'fine',
          owner: { login: 'someone' },
          html_url: 'javascript:alert(1)',
          description: 'a\u001b[31mred\u0007',
          stargazers_count: -5,
          topics: ['x', 3, null],
        },
        { owner: { login: 'noname' } },
        'not an object',
      ],
    }).search({});
    expect(answer.results).toEqual([
      expect.objectContaining({
        full_name: 'someone/fine',
        url: '',
        description: 'a [31mred ',
        stars: 0,
        topics: ['x'],
      }),
    ]);
  });

  it('an answer without an items list, or not JSON, is reported (not shown as "no plugins")', async () => {
    expect((await answering({ total_count: 0 }).search({})).reason).toMatch(/no list of results/);
    expect((await answering('<html>').search({})).reason).toMatch(/not valid JSON/);
  });

  it('an answer larger than the cap is refused', async () => {
    const big = JSON.stringify({ items: [], pad: 'x'.repeat(9 * 1024 * 1024) });
    expect((await answering(big).search({})).reason).toMatch(/larger than 8 MB/);
  });
});
