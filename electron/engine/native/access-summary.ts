// How an installed native plugin will run, in words for a list of plugins (`plugins audit`, a
// plugin's page): contained here, or with full access and why (the person allowed it, or this
// computer cannot contain it).
import type { Capabilities } from '../../../shared/capabilities.js';
import { hasFullAccess } from './access-store.js';
import { accessLabel, containmentSupport } from './containment.js';

export async function nativeAccessSummary(
  configDir: string,
  name: string,
  pluginDir: string,
  granted: Capabilities,
): Promise<string> {
  if (await hasFullAccess(configDir, name, pluginDir))
    return 'native, full access: you allowed it to run uncontained';
  const support = await containmentSupport();
  if (!support.available) return `native, full access: ${support.reason}`;
  return accessLabel('contained', {
    network: granted.network,
    dataWritable: granted.filesystem === 'plugin',
  });
}
