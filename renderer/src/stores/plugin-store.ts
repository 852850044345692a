// The installed plugins, as the engine lists them, and the detail of the one being looked at.
import { fledge, onEvent } from '../api/client.js';
import { type PersonError, toPersonError } from '../api/errors.js';
import type { PluginDetail, PluginSummary } from '../api/types.js';
import { createStore } from '../lib/store.js';

export interface PluginState {
  loaded: boolean;
  plugins: PluginSummary[];
  error: PersonError | null;
  query: string;
  details: Record<string, PluginDetail>;
}

export const pluginStore = createStore<PluginState>({
  loaded: false,
  plugins: [],
  error: null,
  query: '',
  details: {},
});

export async function loadPlugins(): Promise<void> {
  try {
    const plugins = await fledge().plugins.list({});
    plugins.sort((a, b) => a.name.localeCompare(b.name));
    pluginStore.set((s) => ({ ...s, loaded: true, plugins, error: null }));
  } catch (e) {
    pluginStore.set((s) => ({
      ...s,
      loaded: true,
      error: toPersonError(e, 'The plugin list could not be loaded'),
    }));
  }
}

export async function loadPluginDetail(name: string): Promise<void> {
  const detail = await fledge().plugins.get({ name });
  pluginStore.set((s) => ({ ...s, details: { ...s.details, [name]: detail } }));
}

export function wirePluginEvents(): void {
  onEvent('plugins.changed', ({ names }) => {
    void loadPlugins();
    const open = pluginStore.get().details;
    for (const n of names) if (open[n]) void loadPluginDetail(n).catch(() => forgetDetail(n));
  });
}

function forgetDetail(name: string): void {
  pluginStore.set((s) => {
    const details = { ...s.details };
    delete details[name];
    return { ...s, details };
  });
}

export function setPluginQuery(query: string): void {
  pluginStore.set((s) => ({ ...s, query }));
}

export function matchesQuery(p: PluginSummary, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [p.name, p.description ?? '', p.source, p.author ?? '', ...p.commands.map((c) => c.name)].some((t) =>
    t.toLowerCase().includes(q),
  );
}

/** Whether a plugin must be reviewed before it runs here (changed wasm, new asks, installed elsewhere). */
export function needsReview(p: PluginSummary): boolean {
  return p.consent.state === 'needs_approval' || !p.approvedHere;
}
