/**
 * What the app's data says about running an installed plugin, for this project's CLI: whether it is
 * enabled, its limits, the ceilings. Read from the app's files directly (store-files.ts), so a run
 * loads zod's schemas but neither conf nor its schema compiler (dist/cli-run-limits.cjs).
 */
import { HostError } from '../host/errors.js';
import { effectiveLimits, readPluginPrefs } from './plugin-prefs.js';
import { type Limits, readSettings } from './settings.js';
import { readStoreFile } from './store-files.js';

export interface RunPolicy {
  enabled: boolean;
  limits: Limits;
  ceilings: Limits;
}

/** For the CLI: what the app's data says about running this installed plugin. */
export function runPolicyFor(configDir: string, name: string): RunPolicy {
  const settings = readStoreFile(configDir, 'settings');
  const prefs = readPluginPrefs(readStoreFile(configDir, 'pluginPrefs'), name);
  return {
    enabled: prefs.enabled,
    limits: effectiveLimits(settings, prefs),
    ceilings: readSettings(settings).ceilings,
  };
}

/**
 * For the CLI's `run` of an installed plugin: refused when the app disabled it; each limit the
 * person gave (--fuel, --timeout-ms, --memory-mb) within the settings' ceilings, else the
 * plugin's own limit from the app, else the settings' default.
 */
export function cliRunLimits(
  configDir: string,
  name: string,
  given: { fuel?: bigint; timeoutMs?: number; memoryMb?: number },
): { fuel: bigint; timeoutMs: number; memoryMb: number } {
  const policy = runPolicyFor(configDir, name);
  if (!policy.enabled)
    throw new HostError(
      'plugin_disabled',
      `"${name}" is disabled in Fledge Desktop; enable it there (its page, "Enable") to run it.`,
    );
  const { ceilings } = policy;
  const over = (what: string, value: string, max: string) =>
    new HostError(
      'limit_above_ceiling',
      `${what} ${value} is above the ceiling set in Fledge Desktop's settings (${max}).`,
    );
  if (given.fuel !== undefined && given.fuel > BigInt(ceilings.fuel))
    throw over('--fuel', String(given.fuel), String(ceilings.fuel));
  if (given.timeoutMs !== undefined && given.timeoutMs > ceilings.timeoutMs)
    throw over('--timeout-ms', String(given.timeoutMs), `${ceilings.timeoutMs} ms`);
  if (given.memoryMb !== undefined && given.memoryMb > ceilings.memoryMb)
    throw over('--memory-mb', String(given.memoryMb), `${ceilings.memoryMb} MB`);
  return {
    fuel: given.fuel ?? BigInt(policy.limits.fuel),
    timeoutMs: given.timeoutMs ?? policy.limits.timeoutMs,
    memoryMb: given.memoryMb ?? policy.limits.memoryMb,
  };
}
