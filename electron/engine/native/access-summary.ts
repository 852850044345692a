// How an installed plugin will run, from the engine's own checks (never guessed by a screen): WASM in
// the sandbox; native contained here (bubblewrap); or native with full access, and why (the person
// allowed it, or this computer cannot contain it). For the runtime badge, a plugin's page and
// `plugins audit`.
import type { Capabilities } from '../../../shared/capabilities.js';
import { hasFullAccess } from './access-store.js';
import { accessLabel, containmentSupport } from './containment.js';

export interface PluginAccessView {
  mode: 'sandboxed' | 'contained' | 'full';
  /** What it means, in plain words. */
  detail: string;
  /** Native only: full access allowed by the person, for the programs as they are now. */
  fullAccessAllowed: boolean;
  /** Native only: whether native plugins can be contained on this computer. */
  containable: boolean;
}

export const SANDBOXED_DETAIL =
  "Runs in Fledge's sandbox: it can only reach what you allow, and nothing else on this computer.";

/** In words: what a contained native plugin can and cannot do, for the grants it has. */
export function containedDetail(granted: Capabilities): string {
  const writes =
    granted.filesystem === 'plugin'
      ? 'it can write only its own data folder'
      : 'it can write nothing but a private /tmp that goes away';
  const network = granted.network
    ? 'it can use the network (you granted it)'
    : 'it has no network (unless you grant it)';
  return `Runs contained: it can read this project but not change it, cannot see your home folder, ${writes}, and ${network}.`;
}

export const FULL_ACCESS_DETAIL =
  'Runs as a normal program with all your permissions, not contained: you allowed it full access. It can do anything you can do.';

/** How the installed plugin `name` (in `pluginDir`) runs here. */
export async function pluginAccessView(
  configDir: string,
  name: string,
  pluginDir: string,
  runtime: 'wasm' | 'native',
  granted: Capabilities,
): Promise<PluginAccessView> {
  if (runtime === 'wasm')
    return { mode: 'sandboxed', detail: SANDBOXED_DETAIL, fullAccessAllowed: false, containable: true };
  const [allowed, support] = await Promise.all([
    hasFullAccess(configDir, name, pluginDir),
    containmentSupport(),
  ]);
  if (allowed)
    return {
      mode: 'full',
      detail: FULL_ACCESS_DETAIL,
      fullAccessAllowed: true,
      containable: support.available,
    };
  if (!support.available)
    return {
      mode: 'full',
      detail:
        support.reason ?? 'This computer cannot contain native plugins: they run with full access, as you.',
      fullAccessAllowed: false,
      containable: false,
    };
  return { mode: 'contained', detail: containedDetail(granted), fullAccessAllowed: false, containable: true };
}

/** The one line `plugins audit` prints for a native plugin. */
export async function nativeAccessSummary(
  configDir: string,
  name: string,
  pluginDir: string,
  granted: Capabilities,
): Promise<string> {
  const view = await pluginAccessView(configDir, name, pluginDir, 'native', granted);
  if (view.fullAccessAllowed) return 'native, full access: you allowed it to run uncontained';
  if (view.mode === 'full') return `native, full access: ${view.detail}`;
  return accessLabel('contained', {
    network: granted.network,
    dataWritable: granted.filesystem === 'plugin',
  });
}
