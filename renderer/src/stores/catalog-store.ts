// The catalog: plugins found on GitHub, with the person's search, filters and sort.
import { fledge } from '../api/client.js';
import { type PersonError, toPersonError } from '../api/errors.js';
import type { CatalogAnswer, CatalogResult, TrustTier } from '../api/types.js';
import { createStore } from '../lib/store.js';

export type RuntimeFilter = 'any' | 'wasm' | 'native' | 'prebuilt';
export type CatalogSort = 'stars' | 'updated' | 'name';

export interface CatalogState {
  keywords: string;
  tier: TrustTier | 'any';
  runtime: RuntimeFilter;
  sort: CatalogSort;
  loading: boolean;
  answer: CatalogAnswer | null;
  error: PersonError | null;
}

export const catalogStore = createStore<CatalogState>({
  keywords: '',
  tier: 'any',
  runtime: 'any',
  sort: 'stars',
  loading: false,
  answer: null,
  error: null,
});

let seq = 0;
export async function searchCatalog(): Promise<void> {
  const mine = ++seq;
  const { keywords, sort } = catalogStore.get();
  catalogStore.set((s) => ({ ...s, loading: true, error: null }));
  try {
    const answer = await fledge().catalog.search({
      ...(keywords.trim() ? { keywords: keywords.trim() } : {}),
      limit: 50,
      sort: sort === 'name' ? 'stars' : sort,
    });
    if (mine === seq) catalogStore.set((s) => ({ ...s, loading: false, answer, error: null }));
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
}

/** The answer's results after the filters and sort the person chose (done here: GitHub sorts by stars only). */
export function visibleResults(s: CatalogState): CatalogResult[] {
  const results = (s.answer?.results ?? []).filter((r) => {
    if (s.tier !== 'any' && r.tier !== s.tier) return false;
    if (s.runtime === 'wasm' && r.runtime !== 'wasm') return false;
    if (s.runtime === 'native' && r.runtime !== 'native') return false;
    if (s.runtime === 'prebuilt' && r.installableWithoutToolchain !== true) return false;
    return true;
  });
  if (s.sort === 'name') results.sort((a, b) => a.fullName.localeCompare(b.fullName));
  return results;
}
