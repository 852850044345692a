// The search request is byte for byte the one fledge 1.8 sends (src/search.rs build_search_query,
// src/github.rs build_api_url with search::urlencod), for the same arguments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogService } from '../../electron/engine/catalog/index.js';
import { cliUrlEncode, searchRequestPath } from '../../electron/engine/catalog/search-request.js';
import { type GitHubStandIn, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';

// What `fledge plugins search ...` requests, written out by hand from fledge-reference.md ("q =
// <keywords> in:name,description,topics + topic:fledge-plugin [+ topic:<t>] [+ user:<author>],
// space-joined", sort=stars, per_page=<limit>, default 20) and the CLI's urlencod (unreserved
// A-Z a-z 0-9 - _ . ~ kept, space as %20, every other byte as %XX in upper case).
const CLI_REQUESTS: [string, Parameters<typeof searchRequestPath>[0], string][] = [
  ['fledge plugins search', {}, '/search/repositories?q=topic%3Afledge-plugin&sort=stars&per_page=20'],
  [
    'fledge plugins search lint',
    { keywords: 'lint' },
    '/search/repositories?q=lint%20in%3Aname%2Cdescription%2Ctopics%20topic%3Afledge-plugin&sort=stars&per_page=20',
  ],
  [
    'fledge plugins search "code review" --topic ci --author CorvidLabs --limit 5',
    { keywords: 'code review', topic: 'ci', owner: 'CorvidLabs', limit: 5 },
    '/search/repositories?q=code%20review%20in%3Aname%2Cdescription%2Ctopics%20topic%3Afledge-plugin%20topic%3Aci%20user%3ACorvidLabs&sort=stars&per_page=5',
  ],
  [
    'fledge plugins search --author 0xLeif',
    { owner: '0xLeif' },
    '/search/repositories?q=topic%3Afledge-plugin%20user%3A0xLeif&sort=stars&per_page=20',
  ],
  [
    'fledge plugins search "déjà+vu&x=1"',
    { keywords: 'déjà+vu&x=1' },
    '/search/repositories?q=d%C3%A9j%C3%A0%2Bvu%26x%3D1%20in%3Aname%2Cdescription%2Ctopics%20topic%3Afledge-plugin&sort=stars&per_page=20',
  ],
];

describe('the search request, as the fledge CLI sends it', () => {
  it.each(CLI_REQUESTS)('%s', (_cli, query, expected) => {
    expect(searchRequestPath(query)).toBe(expected);
  });

  it("encodes like the CLI's urlencod: unreserved kept, space %20, everything else %XX", () => {
    expect(cliUrlEncode('Az09-_.~')).toBe('Az09-_.~');
    expect(cliUrlEncode(' :,/+?#&=%')).toBe('%20%3A%2C%2F%2B%3F%23%26%3D%25');
    expect(cliUrlEncode('ü')).toBe('%C3%BC');
  });

  it("agrees with the CLI's own wire test (fledge 1.8 src/github.rs api_get_sends_encoded_query_params)", () => {
    // There: github_api_get(.., [("q", "topic:fledge-plugin cli"), ("per_page", "5")]) is received
    // by its mock server with the query "q=topic%3Afledge-plugin%20cli&per_page=5".
    expect(`q=${cliUrlEncode('topic:fledge-plugin cli')}&per_page=${cliUrlEncode('5')}`).toBe(
      'q=topic%3Afledge-plugin%20cli&per_page=5',
    );
  });

  it('a limit outside 1-100 is brought inside (GitHub answers at most 100 per page)', () => {
    expect(searchRequestPath({ limit: 0 })).toMatch(/per_page=1$/);
    expect(searchRequestPath({ limit: 500 })).toMatch(/per_page=100$/);
  });

  describe('on the wire', () => {
    let gh: GitHubStandIn;
    beforeAll(async () => {
      gh = await startGitHubStandIn({ repos: [] });
    });
    afterAll(() => gh.close());

    it('sends exactly that path and query, with the CLI headers and the token as Bearer', async () => {
      const catalog = new CatalogService({
        configDir: tempDir('catalog'),
        apiBaseUrl: gh.url,
        token: 't0ken',
        env: {},
      });
      const [, query, expected] = CLI_REQUESTS[2]!;
      await catalog.search(query);
      const req = gh.requests.at(-1)!;
      expect(req.url).toBe(expected);
      expect(req.headers.accept).toBe('application/vnd.github.v3+json');
      expect(req.headers['user-agent']).toBe('fledge-cli');
      expect(req.headers.authorization).toBe('Bearer t0ken');
    });

    it('sends no Authorization header without a token', async () => {
      const catalog = new CatalogService({ configDir: tempDir('catalog'), apiBaseUrl: gh.url, env: {} });
      await catalog.search({});
      expect(gh.requests.at(-1)!.headers.authorization).toBeUndefined();
    });

    it('takes the token from FLEDGE_GITHUB_TOKEN before GITHUB_TOKEN, and the API from FLEDGE_GITHUB_API_URL', async () => {
      const env = { FLEDGE_GITHUB_API_URL: gh.url, FLEDGE_GITHUB_TOKEN: 'first', GITHUB_TOKEN: 'second' };
      await new CatalogService({ configDir: tempDir('catalog'), env }).search({});
      expect(gh.requests.at(-1)!.headers.authorization).toBe('Bearer first');
      await new CatalogService({
        configDir: tempDir('catalog'),
        env: { ...env, FLEDGE_GITHUB_TOKEN: undefined },
      }).search({});
      expect(gh.requests.at(-1)!.headers.authorization).toBe('Bearer second');
    });
  });
});
