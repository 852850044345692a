// `plugins search` through the bundled CLI as a real process, against the stand-in: fledge's --json
// document byte for byte (sorted keys, two-space indent), the filters, and the saved results with a
// warning when GitHub is rate limited.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { runCliAsync } from './helpers.js';

let gh: GitHubStandIn;
beforeAll(async () => {
  gh = await startGitHubStandIn({
    repos: [
      {
        owner: 'CorvidLabs',
        name: 'fledge-plugin-github',
        description: 'PR workflows',
        stars: 12,
        topics: ['fledge-plugin', 'ci'],
        files: {},
      },
      { owner: 'someone', name: 'fledge-wild', description: null, stars: 2, files: {} },
    ],
  });
});
afterAll(() => gh.close());

const env = () => {
  const root = tempDir('searchcli');
  return {
    PATH: process.env.PATH ?? '',
    HOME: root,
    FLEDGE_CONFIG_DIR: join(root, 'cfg'),
    FLEDGE_GITHUB_API_URL: gh.url,
  };
};

// What fledge 1.8 prints for `plugins search --json` with these two repositories (serde_json pretty,
// keys sorted: the CLI's serde_json has no preserve_order).
const CLI_JSON = `{
  "results": [
    {
      "description": "PR workflows",
      "full_name": "CorvidLabs/fledge-plugin-github",
      "name": "fledge-plugin-github",
      "owner": "CorvidLabs",
      "stars": 12,
      "topics": [
        "fledge-plugin",
        "ci"
      ],
      "trust_tier": "official",
      "url": "https://github.com/CorvidLabs/fledge-plugin-github"
    },
    {
      "description": "No description",
      "full_name": "someone/fledge-wild",
      "name": "fledge-wild",
      "owner": "someone",
      "stars": 2,
      "topics": [
        "fledge-plugin"
      ],
      "trust_tier": "unverified",
      "url": "https://github.com/someone/fledge-wild"
    }
  ],
  "schema_version": 1
}
`;

describe('plugins search (CLI)', () => {
  it("prints fledge's --json document byte for byte", async () => {
    const r = await runCliAsync(['plugins', 'search', '--json'], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(CLI_JSON);
  });

  it('sends the filters as fledge does (-a/--author or --owner, -t, -l) and filters tiers after fetching', async () => {
    const e = env();
    const r = await runCliAsync(
      ['plugins', 'search', 'pr', '-t', 'ci', '--author', 'CorvidLabs', '-l', '3', '--json'],
      e,
    );
    expect(r.code).toBe(0);
    expect(gh.requests.at(-1)?.url).toBe(
      '/search/repositories?q=pr%20in%3Aname%2Cdescription%2Ctopics%20topic%3Afledge-plugin%20topic%3Aci%20user%3ACorvidLabs&sort=stars&per_page=3',
    );
    expect(JSON.parse(r.stdout).results.map((x: { name: string }) => x.name)).toEqual([
      'fledge-plugin-github',
    ]);
    const unverified = await runCliAsync(['plugins', 'search', '--trust-tier', 'unverified', '--json'], e);
    expect(JSON.parse(unverified.stdout).results.map((x: { name: string }) => x.name)).toEqual([
      'fledge-wild',
    ]);
  });

  it('prints a readable list, and usage mistakes exit 2', async () => {
    const r = await runCliAsync(['plugins', 'search'], env());
    expect(r.stdout).toContain('  CorvidLabs/fledge-plugin-github  [official]  PR workflows  * 12  ci');
    expect(r.stdout).toContain('Install with: fledge-desktop plugins install <owner/repo>');
    expect((await runCliAsync(['plugins', 'search', '--limit', 'lots'], env())).code).toBe(2);
    const help = await runCliAsync(['plugins', 'search', '--help'], env());
    expect(help.stdout).toMatch(/^Usage: fledge-desktop plugins search \[KEYWORDS\]/);
  });

  it('rate limited: the saved results with a warning naming their age; nothing saved: exit 1 and why', async () => {
    const e = env();
    expect((await runCliAsync(['plugins', 'search', '--json'], e)).code).toBe(0);
    gh.setMode({ kind: 'rate-limited' });
    try {
      const cached = await runCliAsync(['plugins', 'search', '--json'], e);
      expect(cached.code).toBe(0);
      expect(cached.stdout).toBe(CLI_JSON);
      expect(cached.stderr).toMatch(
        /^warning: GitHub's limit for unsigned requests is reached; set a GitHub token \(FLEDGE_GITHUB_TOKEN or GITHUB_TOKEN\) or try again in \d+ minutes?\..*Showing the results saved \d+ seconds? ago\.\n$/,
      );
      const none = await runCliAsync(['plugins', 'search', 'other', '--json'], e);
      expect(none.code).toBe(1);
      expect(none.stdout).toBe('');
      expect(none.stderr).toMatch(/^error: GitHub's limit.*nothing to show yet\.\n$/);
    } finally {
      gh.setMode({ kind: 'normal' });
    }
  });
});
