// GitHub's search answer, read as the fledge CLI reads it (src/search.rs parse_search_response): an
// `items` array is required; an item without owner.login or name is skipped; a missing description
// becomes "No description", missing stars 0, a missing html_url "", non-string topics are dropped.
// Beyond the CLI: every string is bounded and stripped of control characters (it reaches a screen).
import { HostError } from '../host/errors.js';

export interface SearchHit {
  owner: string;
  name: string;
  description: string;
  stars: number;
  url: string;
  topics: string[];
  /** The default branch (what an install takes when there is no release); null when not given. */
  defaultBranch?: string | null;
  /** The last push (ISO 8601), which tells a saved look-up that nothing changed; null when not given. */
  pushedAt?: string | null;
}

const MAX_TEXT = 1000;

function text(value: unknown, max = MAX_TEXT): string | null {
  if (typeof value !== 'string') return null;
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}

/** Owner and repository names as GitHub allows them: nothing that could be a path or a URL. */
const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO_RE = /^[A-Za-z0-9._-]{1,100}$/;
/** A branch name as git allows it, bounded (it goes into a request path, encoded). */
const BRANCH_RE = /^(?!.*\.\.)(?!\/)[^\u0000-\u0020~^:?*[\\\u007f]{1,255}$/;
const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

export function parseSearchAnswer(body: unknown): SearchHit[] {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items))
    throw new HostError(
      'github_bad_answer',
      "GitHub's search answer has no list of results; it was not used.",
    );
  const hits: SearchHit[] = [];
  for (const item of items.slice(0, 1000)) {
    if (typeof item !== 'object' || item === null) continue;
    const it = item as Record<string, unknown>;
    const owner = text((it.owner as Record<string, unknown> | null)?.login);
    const name = text(it.name);
    if (owner === null || name === null) continue;
    if (!OWNER_RE.test(owner) || !REPO_RE.test(name) || name === '.' || name === '..') continue;
    const stars =
      typeof it.stargazers_count === 'number' &&
      Number.isSafeInteger(it.stargazers_count) &&
      it.stargazers_count >= 0
        ? it.stargazers_count
        : 0;
    const url = text(it.html_url) ?? '';
    hits.push({
      owner,
      name,
      description: text(it.description) ?? 'No description',
      stars,
      url: /^https?:\/\//i.test(url) ? url : '',
      topics: Array.isArray(it.topics)
        ? it.topics
            .map((t) => text(t, 100))
            .filter((t): t is string => t !== null)
            .slice(0, 50)
        : [],
      defaultBranch:
        typeof it.default_branch === 'string' && BRANCH_RE.test(it.default_branch) ? it.default_branch : null,
      pushedAt: typeof it.pushed_at === 'string' && ISO_RE.test(it.pushed_at) ? it.pushed_at : null,
    });
  }
  return hits;
}
