// What the catalog answers: the shapes the app service (and the renderer, through it) relies on.
import type { TrustTier } from '../../../shared/consent.js';

export type CatalogSort = 'stars' | 'updated' | 'forks' | 'help-wanted-issues';

/** What a person searches for; every field optional, as `fledge plugins search` takes them. */
export interface CatalogQuery {
  /** Free words, matched against name, description and topics. */
  keywords?: string;
  /** A GitHub topic the plugin must also carry (`--topic`). */
  topic?: string;
  /** A GitHub user or organisation (`--author` / `--owner`). */
  owner?: string;
  /** How many results (1-100; default 20, as the CLI). */
  limit?: number;
  /** GitHub's order (default stars, the only one the CLI sends). */
  sort?: CatalogSort;
}

/** One plugin repository, in the CLI's `--json` fields plus what the app knows about it. */
export interface CatalogResult {
  owner: string;
  name: string;
  full_name: string;
  description: string;
  stars: number;
  /** The repository's web page (GitHub's html_url). */
  url: string;
  topics: string[];
  trust_tier: TrustTier;
  /** A plugin installed from this repository is in plugins.toml. */
  installed: boolean;
  /** From its plugin.toml, once known (installed, or inspected); null while unknown. */
  runtime: 'wasm' | 'native' | null;
  /** True when a release carries the built wasm (or it needs no build); null while unknown. */
  installable_without_toolchain: boolean | null;
  /** What building it needs ("Rust", "Go"...), when it does not install without a toolchain. */
  toolchain: string | null;
  /** Why it cannot be installed at all (no or invalid plugin.toml); null when it can or while unknown. */
  problem: string | null;
}

/** What a look-up before install found, per repository, and why it stopped early if it did. */
export interface InspectAnswer {
  /** full_name (as asked) -> what is known; repositories not looked at are left out. */
  facts: Record<
    string,
    {
      runtime: 'wasm' | 'native' | null;
      installable_without_toolchain: boolean | null;
      toolchain: string | null;
      problem: string | null;
    }
  >;
  /** full_name -> why it could not be looked at (not found, a bad answer...). */
  failed: Record<string, string>;
  /** Set when GitHub's limit stopped the look-ups: the reason in plain words, and when to try again. */
  limited: { reason: string; retryInSeconds: number | null } | null;
}

export interface CatalogAnswer {
  results: CatalogResult[];
  /** When these results came from GitHub (ISO 8601). */
  fetchedAt: string;
  /** True when GitHub could not answer and these are the last results saved for the same search. */
  fromCache: boolean;
  /** How old the results are, in whole seconds. */
  ageSeconds: number;
  /** In plain words, why the results are old or missing; null when fresh. */
  reason: string | null;
}
