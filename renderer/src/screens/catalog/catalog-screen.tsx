import { useEffect } from 'react';
import { Button } from '../../components/button.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { Notice } from '../../components/notice.js';
import { PageHeader } from '../../components/page-header.js';
import { Spinner } from '../../components/progress.js';
import { formatCount, formatWhen } from '../../lib/format.js';
import { useStore } from '../../lib/store.js';
import {
  type CatalogSort,
  catalogStore,
  type RuntimeFilter,
  searchCatalog,
  setCatalog,
  unplaced,
  visibleResults,
} from '../../stores/catalog-store.js';
import { navigate } from '../../stores/ui-store.js';
import { CatalogCard } from './catalog-card.js';

/** Plugins published on GitHub (the same search as `fledge plugins search`), filtered and sorted. */
export function CatalogScreen() {
  const state = useStore(catalogStore);
  useEffect(() => {
    if (!catalogStore.get().answer) void searchCatalog();
  }, []);
  const results = visibleResults(state);
  const notPlaced = unplaced(state).length;
  const a = state.answer;
  return (
    <>
      <PageHeader
        title="Catalog"
        subtitle="Plugins people have published on GitHub. Fledge asks before any of them may do anything."
      />
      <form
        className="toolbar catalog-toolbar"
        aria-label="Search the catalog"
        onSubmit={(e) => {
          e.preventDefault();
          void searchCatalog();
        }}
      >
        <input
          type="search"
          className="input search-input"
          aria-label="Search the catalog"
          placeholder="Search plugins"
          value={state.keywords}
          onChange={(e) => setCatalog({ keywords: e.target.value })}
        />
        <Button type="submit" busy={state.loading}>
          Search
        </Button>
        <label className="inline-label">
          Trust
          <select
            className="input"
            value={state.tier}
            onChange={(e) => setCatalog({ tier: e.target.value as typeof state.tier })}
          >
            <option value="any">Any</option>
            <option value="official">Official</option>
            <option value="team">Team</option>
            <option value="unverified">Unverified</option>
          </select>
        </label>
        <label className="inline-label">
          Kind
          <select
            className="input"
            value={state.runtime}
            onChange={(e) => setCatalog({ runtime: e.target.value as RuntimeFilter })}
          >
            <option value="any">Any</option>
            <option value="wasm">WASM, sandboxed</option>
            <option value="native">Native program</option>
            <option value="prebuilt">Ready to install</option>
          </select>
        </label>
        <label className="inline-label">
          Sort
          <select
            className="input"
            value={state.sort}
            onChange={(e) => {
              setCatalog({ sort: e.target.value as CatalogSort });
              if (e.target.value !== 'name') void searchCatalog();
            }}
          >
            <option value="stars">Most stars</option>
            <option value="updated">Recently updated</option>
            <option value="name">Name</option>
          </select>
        </label>
      </form>
      {state.error ? (
        <ErrorNotice
          error={state.error}
          action={
            <Button size="small" onClick={() => void searchCatalog()}>
              Try again
            </Button>
          }
        />
      ) : null}
      {a?.fromCache ? (
        <Notice tone="warning" title={`Showing results saved ${formatWhen(a.fetchedAt)}`}>
          {a.reason ?? 'GitHub could not be asked just now.'}
        </Notice>
      ) : null}
      {state.limited ? (
        <Notice
          tone="warning"
          title="Some plugins are not checked yet"
          action={
            <Button size="small" onClick={() => navigate({ page: 'settings' })}>
              Open Settings
            </Button>
          }
        >
          {state.limited.reason}
        </Notice>
      ) : null}
      {notPlaced > 0 && state.runtime !== 'any' ? (
        <p className="muted small" role="status">
          {state.checking.length
            ? `Checking ${formatCount(notPlaced)} more plugin${notPlaced === 1 ? '' : 's'} for this filter…`
            : `${formatCount(notPlaced)} plugin${notPlaced === 1 ? ' is' : 's are'} not checked yet, so ${notPlaced === 1 ? 'it is' : 'they are'} not in this list.`}
        </p>
      ) : null}
      {state.loading && !a ? <Spinner label="Searching GitHub" /> : null}
      {a && results.length === 0 ? (
        <EmptyState
          title={a.results.length ? 'Nothing matches these filters' : 'No plugins found'}
          action={
            a.results.length ? (
              <Button onClick={() => setCatalog({ tier: 'any', runtime: 'any' })}>Show all</Button>
            ) : undefined
          }
        >
          {a.results.length ? 'Try another trust level or kind.' : 'Try other words.'}
        </EmptyState>
      ) : null}
      {results.length ? (
        <ul className="catalog-grid" aria-label="Catalog results" data-testid="catalog-results">
          {results.map((r) => (
            <CatalogCard key={r.fullName} r={r} />
          ))}
        </ul>
      ) : null}
    </>
  );
}
