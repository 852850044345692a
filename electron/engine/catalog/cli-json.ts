// `plugins search --json`, byte for byte as fledge 1.8 prints it: serde_json's pretty printer (two
// spaces) over objects whose keys come out sorted (serde_json without preserve_order), i.e.
// {"results":[{description, full_name, name, owner, stars, topics, trust_tier, url}], "schema_version":1}.
import type { CatalogResult } from './types.js';

export const SEARCH_SCHEMA_VERSION = 1;

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export function cliSearchJson(results: CatalogResult[]): string {
  const entries = results.map((r) => ({
    owner: r.owner,
    name: r.name,
    full_name: r.full_name,
    description: r.description,
    stars: r.stars,
    url: r.url,
    topics: r.topics,
    trust_tier: r.trust_tier,
  }));
  return JSON.stringify(sortedKeys({ schema_version: SEARCH_SCHEMA_VERSION, results: entries }), null, 2);
}
