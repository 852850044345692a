// One catalog card. What it is ("WASM, sandboxed" / "Native program") and what installing it takes
// ("Ready to install" / "Needs Rust to build") come from a look-up asked for once the card is on
// screen; until then, or while GitHub's limit holds, the card says so.
import { useEffect, useRef } from 'react';
import type { CatalogResult } from '../../api/types.js';
import { Badge, Chip } from '../../components/badge.js';
import { Button } from '../../components/button.js';
import { formatCount } from '../../lib/format.js';
import { useStore } from '../../lib/store.js';
import { catalogStore, noteOnScreen, unknown } from '../../stores/catalog-store.js';
import { installFromGit, installStore } from '../../stores/install-store.js';
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

/** One repository of the catalog: who made it, what it is, what installing it takes, Install. */
export function CatalogCard({ r }: { r: CatalogResult }) {
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
        ) : r.problem ? null : (
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
