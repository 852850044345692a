// Consent for native plugins: what the install question says about the program (it runs as you;
// contained here or not; each binary with its SHA-256, pinned like a wasm), and the extra, separate
// confirmation an unverified native plugin needs before it is installed.
import { describeNative, type NativeConsent, type TrustTier } from '../../../shared/consent.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import { hashWasmBinaries } from '../consent/consent-store.js';
import { HostError } from '../host/errors.js';
import { accessLabel, containmentSupport } from './containment.js';

/** The consent screen's native section for a plugin folder (null for a WASM plugin). */
export async function nativeConsentFor(
  pluginDir: string,
  manifest: PluginManifest,
  tier: TrustTier,
): Promise<NativeConsent | null> {
  if (manifest.runtime !== 'native') return null;
  const hashes = await hashWasmBinaries(pluginDir, manifest);
  const binaries = [...new Set(manifest.commands.map((c) => c.binary))].map((path) => ({
    path,
    sha256: hashes[path] ?? null,
  }));
  const support = await containmentSupport();
  const contained = support.available;
  const plan = {
    network: manifest.capabilities.network,
    dataWritable: manifest.capabilities.filesystem === 'plugin',
  };
  return describeNative({
    tier,
    contained,
    accessLabel: accessLabel(contained ? 'contained' : 'full', plan),
    ...(support.reason ? { containmentNote: support.reason } : {}),
    binaries,
  });
}

/** Refuses an unverified native plugin unless the person confirmed it separately. */
export function requireNativeConfirmation(
  native: NativeConsent | null,
  name: string,
  confirmed: boolean | undefined,
): void {
  if (native?.extraConfirmation && confirmed !== true)
    throw new HostError(
      'install_unverified_native',
      `"${name}" is a native program from an unverified source, and installing it needs your separate confirmation that you trust it (it runs as you); nothing was installed`,
    );
}
