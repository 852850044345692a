import { useEffect, useState } from 'react';
import { fledge, hasClient, onEvent } from './api/client.js';
import { Button } from './components/button.js';
import { EmptyState } from './components/empty-state.js';
import { Notice } from './components/notice.js';
import { DropTarget } from './frame/drop-target.js';
import { InstallActivity } from './frame/install-activity.js';
import { Sidebar } from './frame/sidebar.js';
import { Toasts } from './frame/toasts.js';
import { useStore } from './lib/store.js';
import { CatalogScreen } from './screens/catalog/catalog-screen.js';
import { ConsentHost } from './screens/consent/consent-dialog.js';
import { PluginDetailScreen } from './screens/plugins/plugin-detail-screen.js';
import { PluginsScreen } from './screens/plugins/plugins-screen.js';
import { ProjectsScreen } from './screens/projects/projects-screen.js';
import { RunsScreen } from './screens/runs/runs-screen.js';
import { SettingsScreen } from './screens/settings/settings-screen.js';
import { loadPendingInstalls, wireInstallEvents } from './stores/install-store.js';
import { loadPlugins, wirePluginEvents } from './stores/plugin-store.js';
import { loadProjects, wireProjectEvents } from './stores/project-store.js';
import { loadActiveRuns, loadHistory, wireRunEvents } from './stores/run-store.js';
import { loadSettings, wireSettingsEvents } from './stores/settings-store.js';
import { routeStore } from './stores/ui-store.js';

type Connection = 'connected' | 'reconnecting' | 'closed' | 'connecting';

async function loadEverything(): Promise<void> {
  await Promise.all([
    loadProjects(),
    loadPlugins(),
    loadSettings(),
    loadPendingInstalls(),
    loadActiveRuns(),
    loadHistory(),
  ]);
}

let started = false;
/**
 * Subscribes the stores to the app's events once, then loads the state. main.tsx calls it before the
 * first render, so the plugin list is on its way while React mounts.
 */
export function startStores(): void {
  if (started || !hasClient()) return;
  started = true;
  wireProjectEvents();
  wirePluginEvents();
  wireSettingsEvents();
  wireInstallEvents();
  wireRunEvents();
  onEvent('app.resync', () => void loadEverything());
  void loadEverything().then(() => {
    document.documentElement.setAttribute('data-ready', 'true');
    // The terminal (xterm.js) is fetched once the first screen is up, so a run never waits for it.
    setTimeout(() => void import('./screens/runs/terminal-view.js'), 300);
  });
}

function Screen() {
  const route = useStore(routeStore);
  switch (route.page) {
    case 'projects':
      return <ProjectsScreen />;
    case 'plugins':
      return <PluginsScreen />;
    case 'plugin':
      return <PluginDetailScreen key={route.name} name={route.name} />;
    case 'catalog':
      return <CatalogScreen />;
    case 'runs':
      return <RunsScreen runId={route.runId} />;
    case 'settings':
      return <SettingsScreen />;
  }
}

export function App() {
  const [connection, setConnection] = useState<Connection>('connecting');
  const connected = hasClient();
  useEffect(() => {
    if (!connected) return;
    startStores();
    return fledge().onStatus((s) => setConnection(s));
  }, [connected]);
  const route = useStore(routeStore);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves to the content on every page change
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [route.page]);
  if (!connected)
    return (
      <main className="standalone">
        <EmptyState
          title="Fledge is not running"
          action={
            <Button variant="primary" onClick={() => location.reload()}>
              Try again
            </Button>
          }
        >
          This page needs the Fledge app behind it. Start Fledge, then open the address it shows.
        </EmptyState>
      </main>
    );
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar />
      <main id="main" className="main" tabIndex={-1} aria-labelledby="page-title">
        {connection === 'reconnecting' || connection === 'closed' ? (
          <Notice
            tone="warning"
            title={connection === 'closed' ? 'Disconnected from Fledge' : 'Reconnecting to Fledge…'}
          >
            {connection === 'closed'
              ? 'Start Fledge again, then reload this page.'
              : 'Your runs keep going; this window catches up when it is back.'}
          </Notice>
        ) : null}
        <InstallActivity />
        <div className="screen">
          <Screen />
        </div>
      </main>
      <ConsentHost />
      <DropTarget />
      <Toasts />
    </div>
  );
}
