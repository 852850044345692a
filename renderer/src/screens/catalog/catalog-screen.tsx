import { useEffect, useRef } from 'react';
import { onEvent } from '../../api/client.js';
import type { CatalogResult } from '../../api/types.js';
import { Badge, Chip } from '../../components/badge.js';
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
  clearCatalogLimit,
  noteOnScreen,
  type RuntimeFilter,
  searchCatalog,
  setCatalog,
  unknown,
  unplaced,
  visibleResults,
} from '../../stores/catalog-store.js';
import { installFromGit, installStore } from '../../stores/install-store.js';
import { navigate } from '../../stores/ui-store.js';
import { TierBadge } from '../plugins/plugin-badges.js';

/** Calls `onSeen` once, when the element first comes on screen (or at once where nothing can watch). */
function useOnScreen(onSeen: () => void) {
  const ref = useRef<HTMLLIElement>(null);
  const seen = useRef(onSeen);
  seen.current = onSeen;
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (typeof IntersectionObserver === 'undefined') {
      seen.current();
      return;
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          seen.current();
          io.disconnect();
        }
      },
      { rootMargin: '200px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, []);
  return ref;
}

/** What it is and what installing it takes, in plain words, once known. */
function FactBadges({ r }: { r: CatalogResult }) {
  const checking = useStore(catalogStore, (s) => s.checking.includes(r.fullName));
  const failed = useStore(catalogStore, (s) => s.failed[r.fullName]);
  const limited = useStore(catalogStore, (s) => s.limited?.reason ?? null);
  return (
    <>
      {r.runtime === 'wasm' ? (
        <Badge tone="accent" title="Runs in Fledge's sandbox: it can do only what you allow.">
          WASM, sandboxed
        </Badge>
      ) : null}
      {r.runtime === 'native' ? (
        <Badge
          tone="warning"
          title="A program that runs on your computer. How much it may reach is asked when you install it."
        >
          Native program
        </Badge>
      ) : null}
      {r.problem ? (
        <Badge tone="danger" title={r.problem}>
          Cannot be installed
        </Badge>
      ) : r.installableWithoutToolchain === true ? (
        <Badge tone="success" title="Everything it needs comes with it: nothing to build.">
          Ready to install
        </Badge>
      ) : r.installableWithoutToolchain === false ? (
        <Badge
          tone="warning"
          title={`It has to be built from its source first, which needs ${r.toolchain ?? 'its build tools'} on this computer.`}
        >
          Needs {r.toolchain ?? 'a toolchain'} to build
        </Badge>
      ) : checking ? (
        <Badge tone="neutral">Checking…</Badge>
      ) : failed ? (
        <Badge tone="neutral" title={failed}>
          Could not check
        </Badge>
      ) : limited ? (
        <Badge tone="neutral" title={limited}>
          Not checked yet
        </Badge>
      ) : null}
    </>
  );
}

function ResultCard({ r }: { r: CatalogResult }) {
  const installing = useStore(installStore, (s) =>
    Object.values(s.active).some((a) => a.label === r.fullName),
  );
  const ref = useOnScreen(() => {
    if (unknown(r)) noteOnScreen(r.fullName);
  });
  return (
    <li className="catalog-card" ref={ref} data-full-name={r.fullName}>
      <div className="catalog-card-head">
        <div>
          <h2 className="catalog-name">{r.name}</h2>
          <p className="muted small">by {r.owner}</p>
        </div>
        <span className="stars" title={`${formatCount(r.stars)} stars on GitHub`}>
          <span aria-hidden="true">★</span> {formatCount(r.stars)}
          <span className="visually-hidden"> stars</span>
        </span>
      </div>
      <p className="catalog-description">{r.description ?? 'No description.'}</p>
      <div className="plugin-row-meta">
        <TierBadge tier={r.tier} />
        <FactBadges r={r} />
      </div>
      {r.problem ? <p className="muted small">{r.problem}</p> : null}
      {r.topics.length ? (
        <div className="chips">
          {r.topics
            .filter((t) => t !== 'fledge-plugin')
            .slice(0, 6)
            .map((t) => (
              <Chip key={t}>{t}</Chip>
            ))}
        </div>
      ) : null}
      <div className="catalog-card-actions">
        <a className="small" href={r.url} target="_blank" rel="noreferrer noopener">
          Open on GitHub<span className="visually-hidden"> ({r.fullName})</span>
        </a>
        {r.installed ? (
          <Badge tone="success">Installed</Badge>
        ) : (
          <Button
            variant="primary"
            size="small"
            busy={installing}
            disabled={installing}
            onClick={() => void installFromGit(r.fullName)}
            aria-label={`Install ${r.fullName}`}
          >
            Install
          </Button>
        )}
      </div>
    </li>
  );
}

/** Plugins published on GitHub (the same search as `fledge plugins search`), filtered and sorted. */
export function CatalogScreen() {
  const state = useStore(catalogStore);
  useEffect(() => {
    if (!catalogStore.get().answer) void searchCatalog();
    // A token saved in Settings raises GitHub's limit: carry on with what it stopped.
    return onEvent('settings.changed', ({ settings }) => {
      if (settings.githubToken.saved && catalogStore.get().limited) clearCatalogLimit();
    });
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
            <option value="native">Native</option>
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
            <ResultCard key={r.fullName} r={r} />
          ))}
        </ul>
      ) : null}
    </>
  );
}
