// Entry point: applies the last theme (no flash), then mounts the app into #root.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, startStores } from './app.js';
import { applyStoredTheme } from './stores/settings-store.js';
import './styles/tokens.css';
import './styles/base.css';
import './styles/components.css';
import './styles/screens.css';

applyStoredTheme();

/** Browser mode installs `window.fledge` asynchronously (renderer/bridge); wait for it briefly. */
async function waitForClient(ms: number): Promise<void> {
  const start = performance.now();
  while (!(window as { fledge?: unknown }).fledge && performance.now() - start < ms)
    await new Promise((r) => setTimeout(r, 10));
}

const root = document.getElementById('root');
if (root) {
  void waitForClient(3000).then(() => {
    startStores();
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  });
}
