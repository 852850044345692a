// The request `fledge plugins search` sends, byte for byte (fledge 1.8: src/search.rs
// build_search_query + src/github.rs build_api_url): q = `<keywords> in:name,description,topics`
// (when given) `topic:fledge-plugin` [`topic:<t>`] [`user:<owner>`], space-joined; each value
// percent-encoded with the CLI's `urlencod` (unreserved bytes kept, space as %20, the rest %XX).
import type { CatalogQuery } from './types.js';

export const PLUGIN_TOPIC = 'fledge-plugin';
export const DEFAULT_LIMIT = 20;
/** GitHub's search answers at most 100 per page. */
export const MAX_LIMIT = 100;

/** The CLI's `urlencod`: A-Z a-z 0-9 - _ . ~ as they are, space as %20, every other byte %XX (upper case). */
export function cliUrlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (byte === 0x20) out += '%20';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The `q` parameter before encoding. Blank filters count as absent. */
export function searchQueryText(query: CatalogQuery): string {
  const parts: string[] = [];
  const keywords = query.keywords?.trim();
  if (keywords) parts.push(`${keywords} in:name,description,topics`);
  parts.push(`topic:${PLUGIN_TOPIC}`);
  const topic = query.topic?.trim();
  if (topic) parts.push(`topic:${topic}`);
  const owner = query.owner?.trim();
  if (owner) parts.push(`user:${owner}`);
  return parts.join(' ');
}

/** The limit as the CLI sends it: a whole number 1-100 (default 20). */
export function searchLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

/** Path and query string, e.g. `/search/repositories?q=topic%3Afledge-plugin&sort=stars&per_page=20`. */
export function searchRequestPath(query: CatalogQuery): string {
  const params: [string, string][] = [
    ['q', searchQueryText(query)],
    ['sort', query.sort ?? 'stars'],
    ['per_page', String(searchLimit(query.limit))],
  ];
  return `/search/repositories?${params.map(([k, v]) => `${k}=${cliUrlEncode(v)}`).join('&')}`;
}
