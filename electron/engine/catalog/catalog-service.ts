// CatalogService: `fledge plugins search` for the app. One GitHub search request, exactly the CLI's;
// each successful answer is saved with its time, and when GitHub cannot answer (offline, rate
// limited, failing) the last saved answer to the same search comes back with its age and the reason
// in plain words, never an empty list without an explanation. Results are marked installed (from
// plugins.toml) and carry what is known of their runtime and whether they need a toolchain.
// That is learnt by `inspect`, lazily (the app asks for the cards on screen), a few at a time, from
// the on-disk cache when the repository has not changed, and never once GitHub's limit is reached
// (or so near it that a search or an install would be refused next).

import { HostError, isHostError } from '../host/errors.js';
import { GitHubApi, githubApiSettings } from '../install/github-api.js';
import { GitHubBudget, minutesWords } from '../install/github-budget.js';
import { classifyTrust, loadTrustConfig } from '../install/trust.js';
import { fledgePaths } from '../registry/config-dir.js';
import { CatalogCache, type RepoFacts } from './catalog-cache.js';
import { type InspectHint, inspectRepository, stillFresh } from './inspect.js';
import { installedRepos } from './installed.js';
import { searchRequestPath } from './search-request.js';
import { parseSearchAnswer, type SearchHit } from './search-response.js';
import type { CatalogAnswer, CatalogQuery, CatalogResult, InspectAnswer } from './types.js';

/** At most this many repositories per inspectMany call (the app asks for the cards on screen). */
export const MAX_INSPECT_BATCH = 12;
/** Repositories whose search facts (default branch, last push) are kept in memory for look-ups. */
const MAX_HINTS = 5000;
const NAME_RE = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/;

export interface CatalogServiceOptions {
  /** The fledge config dir: the cache lives in <configDir>/fledge-desktop/, plugins.toml marks what is installed. */
  configDir: string;
  /** GitHub's REST API (default: $FLEDGE_GITHUB_API_URL, else https://api.github.com). */
  apiBaseUrl?: string | null;
  /** A GitHub token (default: $FLEDGE_GITHUB_TOKEN, else $GITHUB_TOKEN); null for none. */
  token?: string | null;
  fetch?: typeof fetch;
  /** Where the defaults above are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** Where a person adds a token, for the rate-limit message (the app: "add a token in Settings"). */
  tokenAdvice?: string;
  /** Look-ups at once (default 3; each is 1-3 requests one after another). */
  concurrency?: number;
  /** Requests left unused by look-ups, for searches and installs (default 6). */
  reserve?: number;
}

/** "5 minutes", "2 hours", "3 days". */
export function describeAge(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(Math.max(0, Math.round(seconds)), 'second');
  if (seconds < 3600) return unit(Math.round(seconds / 60), 'minute');
  if (seconds < 86400) return unit(Math.round(seconds / 3600), 'hour');
  return unit(Math.round(seconds / 86400), 'day');
}

export class CatalogService {
  readonly api: GitHubApi;
  readonly budget: GitHubBudget;
  private readonly cache: CatalogCache;
  /** What the last searches said about each repository (default branch, last push), for look-ups. */
  private readonly hints = new Map<string, InspectHint>();
  private readonly reserve: number;

  constructor(private readonly options: CatalogServiceOptions) {
    const settings = githubApiSettings(options.env ?? process.env, { baseUrl: options.apiBaseUrl });
    this.budget = new GitHubBudget(options.concurrency ?? 3);
    this.reserve = options.reserve ?? 6;
    this.api = new GitHubApi({
      baseUrl: settings.baseUrl,
      token: options.token === undefined ? settings.token : options.token,
      fetch: options.fetch,
      budget: this.budget,
      ...(options.tokenAdvice ? { tokenAdvice: options.tokenAdvice } : {}),
    });
    this.cache = new CatalogCache(options.configDir);
  }

  /** The search request's path and query string, exactly as the fledge CLI sends it. */
  requestPath(query: CatalogQuery): string {
    return searchRequestPath(query);
  }

  async search(query: CatalogQuery, signal?: AbortSignal): Promise<CatalogAnswer> {
    const path = searchRequestPath(query);
    const key = `${this.api.baseUrl.origin}${this.api.baseUrl.pathname.replace(/\/+$/, '')}${path}`;
    let hits: SearchHit[];
    try {
      hits = parseSearchAnswer(await this.api.getJson(path, { signal }));
    } catch (err) {
      if (!isHostError(err) || signal?.aborted) throw err;
      return this.fromCache(key, err.message);
    }
    const fetchedAt = new Date().toISOString();
    // A cache that cannot be written costs only the offline fallback, never the answer.
    await this.cache.saveSearch(key, { fetchedAt, hits }).catch(() => undefined);
    return { results: await this.decorate(hits), fetchedAt, fromCache: false, ageSeconds: 0, reason: null };
  }

  /**
   * Learns a repository's runtime and whether it installs without a toolchain (saved for later
   * searches, keyed by its release, else its default branch's plugin.toml). From the cache alone
   * while its last push is unchanged.
   */
  async inspect(fullName: string, signal?: AbortSignal): Promise<RepoFacts> {
    const m = NAME_RE.exec(fullName);
    if (!m || m[2] === '.' || m[2] === '..')
      throw new HostError(
        'catalog_bad_name',
        `"${fullName.slice(0, 200)}" is not a GitHub repository name (owner/repo).`,
      );
    const cached = await this.cache.facts(fullName).catch(() => null);
    const hint = this.hints.get(fullName.toLowerCase()) ?? {};
    if (stillFresh(cached, hint)) return cached!;
    return this.budget.run(async () => {
      this.refuseNearTheLimit();
      const facts = await inspectRepository(this.api, m[1]!, m[2]!, { signal, cached, hint });
      await this.cache.saveFacts(fullName, facts).catch(() => undefined);
      return facts;
    }, signal);
  }

  /**
   * Looks at up to MAX_INSPECT_BATCH repositories (the cards a person sees), `concurrency` at a time.
   * Stops at GitHub's limit (or just before it, keeping `reserve` requests for searches and installs)
   * and says so once, in plain words, with when to try again.
   */
  async inspectMany(fullNames: string[], signal?: AbortSignal): Promise<InspectAnswer> {
    const answer: InspectAnswer = { facts: {}, failed: {}, limited: null };
    const names = [...new Set(fullNames)].slice(0, MAX_INSPECT_BATCH);
    await Promise.all(
      names.map(async (name) => {
        if (answer.limited) return;
        try {
          const f = await this.inspect(name, signal);
          answer.facts[name] = {
            runtime: f.runtime,
            installable_without_toolchain: f.installable_without_toolchain,
            toolchain: f.toolchain,
            problem: f.problem,
          };
        } catch (err) {
          if (isHostError(err, 'github_rate_limited')) {
            answer.limited ??= { reason: err.message, retryInSeconds: this.retryIn() };
            return;
          }
          if (signal?.aborted) throw err;
          answer.failed[name] = isHostError(err) ? err.message : 'It could not be looked at.';
        }
      }),
    );
    return answer;
  }

  /** Seconds until GitHub answers again: its refusal, else the end of the window the reserve waits for. */
  private retryIn(): number | null {
    const blocked = this.budget.secondsBlocked();
    return blocked > 0 ? blocked : this.budget.secondsToReset();
  }

  /** Refuses a look-up that would leave fewer than `reserve` requests (searches and installs come first). */
  private refuseNearTheLimit(): void {
    const blocked = this.budget.secondsBlocked();
    if (blocked > 0) throw this.api.rateLimited(blocked);
    const left = this.budget.remaining();
    if (left === 0) throw this.api.rateLimited(this.budget.secondsToReset());
    if (left !== null && left <= this.reserve) {
      const wait = this.budget.secondsToReset();
      const later = wait ? `try again in ${minutesWords(wait)}` : 'try again later';
      const kept = `${left} left this hour, kept for searching and installing`;
      throw new HostError(
        'github_rate_limited',
        this.api.hasToken
          ? `GitHub's limit for requests with your token is nearly reached (${kept}); ${later}.`
          : `GitHub's limit for unsigned requests is nearly reached (${kept}); ${this.options.tokenAdvice ?? 'set a GitHub token'} or ${later}.`,
      );
    }
  }

  private async fromCache(key: string, why: string): Promise<CatalogAnswer> {
    const cached = await this.cache.search(key).catch(() => null);
    const now = Date.now();
    if (!cached)
      return {
        results: [],
        fetchedAt: new Date(now).toISOString(),
        fromCache: false,
        ageSeconds: 0,
        reason: `${why} No results were saved from an earlier search like this one, so there is nothing to show yet.`,
      };
    const age = Math.max(0, Math.floor((now - Date.parse(cached.fetchedAt)) / 1000));
    return {
      results: await this.decorate(cached.hits),
      fetchedAt: cached.fetchedAt,
      fromCache: true,
      ageSeconds: Number.isFinite(age) ? age : 0,
      reason: `${why} Showing the results saved ${describeAge(age)} ago.`,
    };
  }

  private async decorate(hits: SearchHit[]): Promise<CatalogResult[]> {
    const paths = fledgePaths(this.options.configDir);
    const [trust, installed, cache] = await Promise.all([
      loadTrustConfig(paths.configDir),
      installedRepos(paths.registryFile),
      this.cache.read(),
    ]);
    return hits.map((hit) => {
      const full = `${hit.owner}/${hit.name}`;
      if (this.hints.size >= MAX_HINTS) this.hints.clear();
      this.hints.set(full.toLowerCase(), {
        defaultBranch: hit.defaultBranch ?? null,
        pushedAt: hit.pushedAt ?? null,
      });
      const mine = installed.get(full.toLowerCase());
      const facts = cache.repos[full.toLowerCase()];
      return {
        owner: hit.owner,
        name: hit.name,
        full_name: full,
        description: hit.description,
        stars: hit.stars,
        url: hit.url,
        topics: hit.topics,
        trust_tier: classifyTrust(full, false, trust),
        installed: mine !== undefined,
        runtime: mine?.runtime ?? facts?.runtime ?? null,
        installable_without_toolchain: facts?.installable_without_toolchain ?? null,
        toolchain: facts?.toolchain ?? null,
        problem: facts?.problem ?? null,
      };
    });
  }
}
