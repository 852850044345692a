import { useStore } from '../lib/store.js';
import { installStore } from '../stores/install-store.js';
import { needsReview, pluginStore } from '../stores/plugin-store.js';
import { runStore } from '../stores/run-store.js';
import { type Route, routeStore } from '../stores/ui-store.js';
import { NavIcon } from './nav-icon.js';
import { ProjectSwitcher } from './project-switcher.js';

interface NavItem {
  page: Route['page'];
  href: string;
  label: string;
  /** Pages that count as this item (the detail page belongs to Plugins). */
  also?: Route['page'][];
}

const NAV: NavItem[] = [
  { page: 'plugins', href: '#/plugins', label: 'Plugins', also: ['plugin'] },
  { page: 'catalog', href: '#/catalog', label: 'Catalog' },
  { page: 'runs', href: '#/runs', label: 'Runs' },
  { page: 'settings', href: '#/settings', label: 'Settings' },
];

function Count({ n, label }: { n: number; label: string }) {
  if (n === 0) return null;
  return (
    <span className="nav-count" title={label}>
      {n}
      <span className="visually-hidden"> {label}</span>
    </span>
  );
}

/** The app's left column: the project plugins run against, then where to go. */
export function Sidebar() {
  const route = useStore(routeStore);
  const review = useStore(pluginStore, (s) => s.plugins.filter(needsReview).length);
  const live = useStore(
    runStore,
    (s) => Object.values(s.runs).filter((r) => r.summary.state === 'running').length,
  );
  const installing = useStore(installStore, (s) => Object.keys(s.active).length);
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Fledge</span>
      </div>
      <ProjectSwitcher />
      <ul className="nav-list">
        {NAV.map((item) => {
          const here = route.page === item.page || item.also?.includes(route.page);
          return (
            <li key={item.page}>
              <a href={item.href} className="nav-link" aria-current={here ? 'page' : undefined}>
                <NavIcon name={item.page} />
                <span className="nav-label">{item.label}</span>
                {item.page === 'plugins' ? <Count n={review} label="to review" /> : null}
                {item.page === 'runs' ? <Count n={live} label="running" /> : null}
                {item.page === 'catalog' ? <Count n={installing} label="installing" /> : null}
              </a>
            </li>
          );
        })}
      </ul>
      <p className="sidebar-hint muted">Drop a plugin file anywhere in this window to install it.</p>
    </nav>
  );
}
