/**
 * The app's own per-plugin settings (plugins.json in the app's data): its own limits (memory, fuel,
 * wall clock; each missing one follows the settings, none above the ceilings) and whether it is
 * enabled. Read by every run of the plugin, in the app and in this project's CLI `run`.
 */
import { z } from 'zod';
import { fuel, memoryMb, timeoutMs } from '../../../shared/ipc/schemas/common.js';
import { HostError } from '../host/errors.js';
import { clampLimits, type Limits, type LimitsPatch, readSettings } from './settings.js';
import type { KeyValueStore } from './store-files.js';

const prefsSchema = z.object({
  enabled: z.boolean().catch(true),
  limits: z
    .object({
      fuel: fuel.nullable().catch(null),
      timeoutMs: timeoutMs.nullable().catch(null),
      memoryMb: memoryMb.nullable().catch(null),
    })
    .catch({ fuel: null, timeoutMs: null, memoryMb: null }),
});

export type PluginPrefs = z.output<typeof prefsSchema>;

const NONE: PluginPrefs = Object.freeze({
  enabled: true,
  limits: Object.freeze({ fuel: null, timeoutMs: null, memoryMb: null }),
}) as PluginPrefs;

export function readPluginPrefs(store: KeyValueStore, name: string): PluginPrefs {
  const parsed = prefsSchema.safeParse(store.get(name));
  return parsed.success ? parsed.data : { enabled: true, limits: { ...NONE.limits } };
}

export function setPluginEnabled(store: KeyValueStore, name: string, enabled: boolean): PluginPrefs {
  const prefs = { ...readPluginPrefs(store, name), enabled };
  store.set(name, prefs);
  return prefs;
}

export function setPluginLimits(
  store: KeyValueStore,
  settings: KeyValueStore,
  name: string,
  patch: LimitsPatch,
): PluginPrefs {
  const { ceilings } = readSettings(settings);
  const prefs = readPluginPrefs(store, name);
  const limits = { ...prefs.limits };
  for (const key of ['fuel', 'timeoutMs', 'memoryMb'] as const) {
    const value = patch[key];
    if (value === undefined) continue;
    if (value !== null && value > ceilings[key])
      throw new HostError(
        'limit_above_ceiling',
        `"${name}" cannot get ${describe(key, value)}: the settings allow at most ${describe(key, ceilings[key])}. Raise the ceiling in Settings first.`,
      );
    limits[key] = value;
  }
  const next = { ...prefs, limits };
  store.set(name, next);
  return next;
}

export function forgetPlugin(store: KeyValueStore, name: string): void {
  store.delete(name);
}

/** The limits a run of this plugin gets: its own, else the defaults; never above the ceilings. */
export function effectiveLimits(settings: KeyValueStore, prefs: PluginPrefs): Limits {
  const s = readSettings(settings);
  return clampLimits(
    {
      fuel: prefs.limits.fuel ?? s.defaultLimits.fuel,
      timeoutMs: prefs.limits.timeoutMs ?? s.defaultLimits.timeoutMs,
      memoryMb: prefs.limits.memoryMb ?? s.defaultLimits.memoryMb,
    },
    s.ceilings,
  );
}

function describe(key: keyof Limits, value: number): string {
  if (key === 'memoryMb') return `${value} MB of memory`;
  if (key === 'timeoutMs') return `${value / 1000} s of time`;
  return `${value} fuel`;
}
