// The catalog: plugins found on GitHub, with the person's search, filters and sort, and what is
// learnt about each before install (runtime, ready to install or needs a toolchain). That is asked
// for lazily: the cards on screen (and, while a kind filter is on, the first results it must sort
// out), 12 at a time, one request in flight, and not at all while GitHub's limit holds.
import { fledge, onEvent } from '../api/client.js';
import { type PersonError, toPersonError } from '../api/errors.js';
import type { CatalogAnswer, CatalogResult, Result, TrustTier } from '../api/types.js';
import { createStore } from '../lib/store.js';

/** What a look-up before install found about one repository. */
export type CatalogFacts = Result<'catalog.inspect'>['facts'][number];

export type RuntimeFilter = 'any' | 'wasm' | 'native' | 'prebuilt';
export type CatalogSort = 'stars' | 'updated' | 'name';

/** At most this many per call (the contract's bound). */
export const INSPECT_BATCH = 12;
/** While a kind filter is on, this many results of a search are looked at without being on screen. */
export const FILTER_LOOKUPS = 24;

export interface CatalogState {
  keywords: string;
  tier: TrustTier | 'any';
  runtime: RuntimeFilter;
  sort: CatalogSort;
  loading: boolean;
  answer: CatalogAnswer | null;
  error: PersonError | null;
  /** What was learnt before install, by full name (merged into the results shown). */
  facts: Record<string, CatalogFacts>;
  /** Being looked at now. */
  checking: string[];
  /** Could not be looked at, by full name, with why. */
  failed: Record<string, string>;
  /** GitHub's limit stopped the look-ups: why, and when they may start again (epoch ms). */
  limited: { reason: string; until: number | null } | null;
}

export const catalogStore = createStore<CatalogState>({
  keywords: '',
  tier: 'any',
  runtime: 'any',
  sort: 'stars',
  loading: false,
  answer: null,
  error: null,
  facts: {},
  checking: [],
  failed: {},
  limited: null,
});

let wired = false;
/** A token saved in Settings (from any screen) raises GitHub's limit: carry on with what it stopped. */
function wireOnce(): void {
  if (wired) return;
  wired = true;
  onEvent('settings.changed', ({ settings }) => {
    if (settings.githubToken.saved && catalogStore.get().limited) clearCatalogLimit();
  });
}

let seq = 0;
export async function searchCatalog(): Promise<void> {
  wireOnce();
  const mine = ++seq;
  const { keywords, sort } = catalogStore.get();
  catalogStore.set((s) => ({ ...s, loading: true, error: null }));
  try {
    const answer = await fledge().catalog.search({
      ...(keywords.trim() ? { keywords: keywords.trim() } : {}),
      limit: 50,
      sort: sort === 'name' ? 'stars' : sort,
    });
    if (mine === seq) {
      // GitHub answered this search (not the saved copy): its limit has lifted, look-ups may go on.
      catalogStore.set((s) => ({
        ...s,
        loading: false,
        answer,
        error: null,
        limited: answer.fromCache ? s.limited : null,
      }));
      if (!answer.fromCache && timer !== null && catalogStore.get().limited === null) {
        clearTimeout(timer);
        timer = null;
      }
      lookUpForFilter();
      schedule();
    }
  } catch (e) {
    if (mine === seq)
      catalogStore.set((s) => ({
        ...s,
        loading: false,
        error: toPersonError(e, 'The catalog could not be reached'),
      }));
  }
}

export function setCatalog(
  patch: Partial<Pick<CatalogState, 'keywords' | 'tier' | 'runtime' | 'sort'>>,
): void {
  catalogStore.set((s) => ({ ...s, ...patch }));
  if (patch.runtime !== undefined) lookUpForFilter();
}

/** A result with what was learnt about it since the search. */
export function withFacts(r: CatalogResult, facts: Record<string, CatalogFacts>): CatalogResult {
  const f = facts[r.fullName];
  if (!f) return r;
  return {
    ...r,
    runtime: r.runtime ?? f.runtime,
    installableWithoutToolchain: f.installableWithoutToolchain,
    toolchain: f.toolchain,
    problem: f.problem,
  };
}

/** Nothing is known yet of what it is (neither from the search nor from a look-up). */
export function unknown(r: CatalogResult): boolean {
  return r.installableWithoutToolchain === null && r.problem === null;
}

/** The answer's results after the filters and sort the person chose (done here: GitHub sorts by stars only). */
export function visibleResults(s: CatalogState): CatalogResult[] {
  const results = (s.answer?.results ?? [])
    .map((r) => withFacts(r, s.facts))
    .filter((r) => {
      if (s.tier !== 'any' && r.tier !== s.tier) return false;
      if (s.runtime === 'wasm' && r.runtime !== 'wasm') return false;
      if (s.runtime === 'native' && r.runtime !== 'native') return false;
      if (s.runtime === 'prebuilt' && r.installableWithoutToolchain !== true) return false;
      return true;
    });
  if (s.sort === 'name') results.sort((a, b) => a.fullName.localeCompare(b.fullName));
  return results;
}

/** Results a kind filter cannot place yet (not looked at, or the look-up failed). */
export function unplaced(s: CatalogState): CatalogResult[] {
  if (s.runtime === 'any') return [];
  return (s.answer?.results ?? [])
    .map((r) => withFacts(r, s.facts))
    .filter((r) => (s.tier === 'any' || r.tier === s.tier) && unknown(r) && r.runtime === null);
}

// ---- look-ups ----------------------------------------------------------------------------------

const wanted = new Set<string>();
let inFlight = false;
let timer: ReturnType<typeof setTimeout> | null = null;

/** A card came on screen: look at it soon (batched with the others that did). */
export function noteOnScreen(fullName: string): void {
  const s = catalogStore.get();
  const r = s.answer?.results.find((x) => x.fullName === fullName);
  if (!r || !unknown(withFacts(r, s.facts)) || s.failed[fullName] !== undefined) return;
  wanted.add(fullName);
  schedule();
}

/** A kind filter hides what is not known: look at the first results of the search for it. */
function lookUpForFilter(): void {
  const s = catalogStore.get();
  if (s.runtime === 'any') return;
  for (const r of unplaced(s).slice(0, FILTER_LOOKUPS))
    if (s.failed[r.fullName] === undefined) wanted.add(r.fullName);
  schedule();
}

function schedule(): void {
  if (timer !== null || inFlight || wanted.size === 0) return;
  const limited = catalogStore.get().limited;
  if (limited) {
    if (limited.until === null) return;
    const wait = limited.until - Date.now();
    if (wait > 0) {
      // Once GitHub's limit lifts, carry on with what is still wanted.
      timer = setTimeout(
        () => {
          timer = null;
          catalogStore.set((s) => ({ ...s, limited: null }));
          schedule();
        },
        Math.min(wait, 2_147_000_000),
      );
      return;
    }
    catalogStore.set((s) => ({ ...s, limited: null }));
  }
  timer = setTimeout(() => {
    timer = null;
    void lookUp();
  }, 120);
}

async function lookUp(): Promise<void> {
  const batch = [...wanted].slice(0, INSPECT_BATCH);
  if (batch.length === 0) return;
  for (const name of batch) wanted.delete(name);
  inFlight = true;
  catalogStore.set((s) => ({ ...s, checking: batch }));
  try {
    const answer = await fledge().catalog.inspect({ fullNames: batch });
    catalogStore.set((s) => {
      const facts = { ...s.facts };
      for (const f of answer.facts) facts[f.fullName] = f;
      const failed = { ...s.failed };
      for (const f of answer.failed) failed[f.fullName] = f.message;
      return {
        ...s,
        facts,
        failed,
        checking: [],
        limited: answer.limited
          ? {
              reason: answer.limited.reason,
              until:
                answer.limited.retryInSeconds === null
                  ? null
                  : Date.now() + answer.limited.retryInSeconds * 1000,
            }
          : s.limited,
      };
    });
    // Not looked at because of the limit: wanted again once it lifts.
    if (answer.limited)
      for (const name of batch)
        if (!answer.facts.some((f) => f.fullName === name) && !answer.failed.some((f) => f.fullName === name))
          wanted.add(name);
  } catch {
    // The app could not be asked (reconnecting): these stay unknown and are asked for when seen again.
    catalogStore.set((s) => ({ ...s, checking: [] }));
  } finally {
    inFlight = false;
    schedule();
  }
}

/** A saved token changes the limit: look again at what the limit stopped. */
export function clearCatalogLimit(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  catalogStore.set((s) => ({ ...s, limited: null }));
  schedule();
}
