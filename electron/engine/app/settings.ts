/**
 * Settings (default limits, their ceilings, theme, history size) read from and written to the
 * settings store, each value checked on the way in and on the way out (a hand-edited or damaged
 * value falls back to its default), and the limits a plugin's runs get.
 */
import { z } from 'zod';
import { limitsPatch, limits as wireLimits } from '../../../shared/ipc/schemas/common.js';
import { theme as themeSchema } from '../../../shared/ipc/schemas/settings.js';
import { HostError } from '../host/errors.js';
import { DEFAULT_LIMITS } from '../runs/run.js';
import type { KeyValueStore } from './stores.js';

export type Limits = z.output<typeof wireLimits>;
export type LimitsPatch = { fuel?: number | null; timeoutMs?: number | null; memoryMb?: number | null };

export const DEFAULTS: Readonly<Limits> = Object.freeze({
  fuel: Number(DEFAULT_LIMITS.fuel),
  timeoutMs: DEFAULT_LIMITS.timeoutMs,
  memoryMb: DEFAULT_LIMITS.memoryMb,
});

/** How far the settings let a plugin's own limits go, unless the person changes it. */
export const DEFAULT_CEILINGS: Readonly<Limits> = Object.freeze({
  fuel: Number(DEFAULT_LIMITS.fuel) * 10,
  timeoutMs: 10 * 60_000,
  memoryMb: 1024,
});

export const DEFAULT_HISTORY_PER_PROJECT = 50;

export interface StoredSettings {
  defaultLimits: Limits;
  ceilings: Limits;
  theme: z.output<typeof themeSchema>;
  historyPerProject: number;
}

function read<T>(store: KeyValueStore, key: string, schema: z.ZodType<T>, fallback: T): T {
  const parsed = schema.safeParse(store.get(key));
  return parsed.success ? parsed.data : fallback;
}

const limitsOnDisk = wireLimits;
const historySize = z.number().int().min(1).max(1000);

export function readSettings(store: KeyValueStore): StoredSettings {
  const ceilings = { ...DEFAULT_CEILINGS, ...read(store, 'ceilings', limitsPatch, {}) };
  const defaults = { ...DEFAULTS, ...read(store, 'defaultLimits', limitsPatch, {}) };
  return {
    ceilings: limitsOnDisk.parse(ceilings),
    defaultLimits: clampLimits(limitsOnDisk.parse(defaults), ceilings),
    theme: read(store, 'theme', themeSchema, 'system'),
    historyPerProject: read(store, 'historyPerProject', historySize, DEFAULT_HISTORY_PER_PROJECT),
  };
}

export interface SettingsChange {
  defaultLimits?: Partial<Limits>;
  ceilings?: Partial<Limits>;
  theme?: StoredSettings['theme'];
  historyPerProject?: number;
}

const NAMES: Record<keyof Limits, string> = {
  fuel: 'compute budget (fuel)',
  timeoutMs: 'time limit',
  memoryMb: 'memory cap',
};

/** Applies a (validated) change. A default above its ceiling is refused with the reason. */
export function writeSettings(store: KeyValueStore, change: SettingsChange): StoredSettings {
  const now = readSettings(store);
  const ceilings = { ...now.ceilings, ...change.ceilings };
  const defaults = change.defaultLimits
    ? { ...now.defaultLimits, ...change.defaultLimits }
    : clampLimits(now.defaultLimits, ceilings);
  for (const key of Object.keys(NAMES) as (keyof Limits)[])
    if (defaults[key] > ceilings[key])
      throw new HostError(
        'limit_above_ceiling',
        `The default ${NAMES[key]} (${defaults[key]}) is above its ceiling (${ceilings[key]}). Raise the ceiling first, or choose a lower default.`,
      );
  if (change.ceilings) store.set('ceilings', ceilings);
  store.set('defaultLimits', defaults);
  if (change.theme) store.set('theme', change.theme);
  if (change.historyPerProject) store.set('historyPerProject', change.historyPerProject);
  return readSettings(store);
}

export function clampLimits(limits: Limits, ceilings: Limits): Limits {
  return {
    fuel: Math.min(limits.fuel, ceilings.fuel),
    timeoutMs: Math.min(limits.timeoutMs, ceilings.timeoutMs),
    memoryMb: Math.min(limits.memoryMb, ceilings.memoryMb),
  };
}
