import { useState } from 'react';
import { Button } from '../../components/button.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { Notice } from '../../components/notice.js';
import { PageHeader } from '../../components/page-header.js';
import { SearchField } from '../../components/search-field.js';
import { plural } from '../../lib/format.js';
import { useStore } from '../../lib/store.js';
import {
  loadPlugins,
  matchesQuery,
  needsReview,
  pluginStore,
  setPluginQuery,
} from '../../stores/plugin-store.js';
import { projectStore } from '../../stores/project-store.js';
import { navigate } from '../../stores/ui-store.js';
import { PathInstall } from './path-install.js';
import { PluginRow } from './plugin-row.js';

/** The installed plugins, searchable; each opens its detail page. */
export function PluginsScreen() {
  const { loaded, plugins, error, query } = useStore(pluginStore);
  const [fromPath, setFromPath] = useState(false);
  const project = useStore(projectStore, (s) => s.current);
  const shown = plugins.filter((p) => matchesQuery(p, query));
  const review = plugins.filter(needsReview).length;
  return (
    <>
      <PageHeader
        title="Plugins"
        subtitle={
          loaded
            ? `${plural(plugins.length, 'plugin')} installed${review ? `, ${review} to review` : ''}`
            : 'Loading…'
        }
        actions={
          <>
            <Button onClick={() => setFromPath((v) => !v)} aria-expanded={fromPath}>
              Install from this computer
            </Button>
            <Button variant="primary" onClick={() => navigate({ page: 'catalog' })}>
              Find plugins
            </Button>
          </>
        }
      />
      {fromPath ? <PathInstall onDone={() => setFromPath(false)} /> : null}
      {!project && loaded && plugins.length > 0 ? (
        <Notice
          title="No project is open"
          action={
            <Button size="small" onClick={() => navigate({ page: 'projects' })}>
              Open a project
            </Button>
          }
        >
          Plugins work on a project folder: open one to run them on it.
        </Notice>
      ) : null}
      {error ? (
        <ErrorNotice
          error={error}
          action={
            <Button size="small" onClick={() => void loadPlugins()}>
              Try again
            </Button>
          }
        />
      ) : null}
      {loaded && plugins.length === 0 && !error ? (
        project ? (
          <EmptyState
            title="No plugins yet"
            action={
              <Button variant="primary" onClick={() => navigate({ page: 'catalog' })}>
                Browse the catalog
              </Button>
            }
          >
            Find a plugin in the catalog, or drop a plugin file (.zip) on this window.
          </EmptyState>
        ) : (
          <EmptyState
            title="Welcome to Fledge"
            action={
              <Button variant="primary" onClick={() => navigate({ page: 'projects' })}>
                Open a project
              </Button>
            }
          >
            Start by opening the project folder you want plugins to work on.
          </EmptyState>
        )
      ) : null}
      {plugins.length > 0 ? (
        <>
          <div className="toolbar">
            <SearchField
              id="plugin-search"
              label="Search installed plugins"
              placeholder="Search by name, command or description"
              value={query}
              onChange={setPluginQuery}
            />
          </div>
          {shown.length === 0 ? (
            <p className="muted list-empty">No installed plugin matches “{query}”.</p>
          ) : (
            <ul className="plugin-list" aria-label="Installed plugins" data-testid="plugin-list">
              {shown.map((p) => (
                <PluginRow key={p.name} plugin={p} />
              ))}
            </ul>
          )}
        </>
      ) : null}
    </>
  );
}
