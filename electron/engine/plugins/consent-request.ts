// What an install or update asks the person, and what they answer. The CLI asks on a terminal or
// reads its flags; the app shows a consent screen; both implement `ConsentPrompt`.
import type { Capabilities, CapabilityName } from '../../../shared/capabilities.js';
import type { CapabilityRequest, NativeConsent, TrustTier } from '../../../shared/consent.js';
import type { PluginManifest } from '../../../shared/manifest/types.js';
import type { PrebuiltWasm } from '../install/github-prebuilt.js';

export interface ConsentRequest {
  manifest: PluginManifest;
  /** The source as recorded in plugins.toml. */
  source: string;
  tier: TrustTier;
  /** Each capability the plugin asks for, in plain words, with its risk and whether the tier allows it. */
  requests: CapabilityRequest[];
  /** The build hook's exact command, when the plugin has one. */
  buildHook: string | null;
  /**
   * For an update: what was granted before, what the new version asks for beyond it, and which
   * version (and, from GitHub, which commit and tag or branch) replaces which.
   */
  update: {
    previous: Capabilities;
    beyond: CapabilityName[];
    fromVersion?: string;
    toVersion?: string;
    fromCommit?: string | null;
    toCommit?: string | null;
    /** In words: "release v1.1.0", "branch main". */
    toRef?: string | null;
  } | null;
  /** Binaries downloaded from the release (not built here): asset, size, SHA-256, checksum agreement. */
  prebuilt?: PrebuiltWasm[];
  /** A native plugin: it runs as the person, contained or not, and its binaries with their SHA-256. */
  native?: NativeConsent | null;
  /** post_install / post_remove hooks with their exact text: each runs only if approved. */
  lifecycleHooks?: { hook: 'post_install' | 'post_remove'; text: string }[];
}

export interface ConsentDecision {
  /** What the person grants (limited afterwards to what the plugin declares and the tier allows). */
  granted: Capabilities;
  /** True only when the person approved running exactly `buildHook`. */
  allowBuild: boolean;
  /** An unverified native plugin: true only when the person answered `native.extraConfirmation` yes. */
  confirmUnverifiedNative?: boolean;
  /** The lifecycle hooks (by name) the person approved, exactly as shown. */
  approvedHooks?: string[];
}

/** Resolves to null when the person declines the install. */
export type ConsentPrompt = (request: ConsentRequest) => Promise<ConsentDecision | null>;
