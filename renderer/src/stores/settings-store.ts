// The app's settings (default limits and ceilings, theme, whether a GitHub token is saved) and the
// theme in force.
import { fledge, onEvent } from '../api/client.js';
import { type PersonError, toPersonError } from '../api/errors.js';
import type { Params, Settings } from '../api/types.js';
import { createStore } from '../lib/store.js';

export interface SettingsState {
  settings: Settings | null;
  error: PersonError | null;
}

export const settingsStore = createStore<SettingsState>({ settings: null, error: null });

/** Applies the theme: "system" follows the OS (prefers-color-scheme); light/dark override it. */
export function applyTheme(theme: Settings['theme']): void {
  const root = document.documentElement;
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  try {
    localStorage.setItem('fledge-theme', theme);
  } catch {
    // storage may be unavailable; the theme still applies for this session
  }
}

/** The theme chosen last time, before the settings arrive (no flash of the wrong theme). */
export function applyStoredTheme(): void {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem('fledge-theme');
  } catch {
    stored = null;
  }
  if (stored === 'light' || stored === 'dark' || stored === 'system') applyTheme(stored);
}

export async function loadSettings(): Promise<void> {
  try {
    const settings = await fledge().settings.get({});
    settingsStore.set({ settings, error: null });
    applyTheme(settings.theme);
  } catch (e) {
    settingsStore.set((s) => ({ ...s, error: toPersonError(e, 'Settings could not be loaded') }));
  }
}

export function wireSettingsEvents(): void {
  onEvent('settings.changed', ({ settings }) => {
    settingsStore.set({ settings, error: null });
    applyTheme(settings.theme);
  });
}

export async function updateSettings(patch: Params<'settings.update'>): Promise<void> {
  if (patch.theme) applyTheme(patch.theme);
  const settings = await fledge().settings.update(patch);
  settingsStore.set({ settings, error: null });
  applyTheme(settings.theme);
}

export async function saveGithubToken(token: string | null): Promise<void> {
  const { saved } = await fledge().settings.setGithubToken({ token });
  settingsStore.set((s) => (s.settings ? { ...s, settings: { ...s.settings, githubToken: { saved } } } : s));
}
