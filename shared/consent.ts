// What a plugin asks for, in plain words with its risk: the text of the consent screen and of the
// CLI's install prompt. Also the trust rules: which grants a source's trust tier allows.
import type { Capabilities, CapabilityName } from './capabilities.js';

export const TRUST_TIERS = ['local', 'official', 'team', 'unverified'] as const;
export type TrustTier = (typeof TRUST_TIERS)[number];

export type Risk = 'low' | 'medium' | 'high';

export interface CapabilityRequest {
  capability: CapabilityName;
  /** e.g. "Run commands on your computer". */
  title: string;
  /** What it means, in plain words. */
  detail: string;
  risk: Risk;
  /** False when the source's trust tier forbids granting it. */
  allowed: boolean;
  /** Why it cannot be granted, when not allowed. */
  refusal?: string;
}

const TEXT: Record<Exclude<CapabilityName, 'filesystem'>, { title: string; detail: string; risk: Risk }> = {
  exec: {
    title: 'Run commands on your computer',
    detail:
      'The plugin can run any shell command as you, in the project folder: it could read, change or delete your files and reach the network.',
    risk: 'high',
  },
  network: {
    title: 'Use the network',
    detail: 'The plugin may use your network connection (no effect for WASM plugins under WASI preview 1).',
    risk: 'high',
  },
  store: {
    title: 'Remember data between runs',
    detail:
      "The plugin can keep up to 1 MB of its own notes in its state.json; it cannot read other plugins' data.",
    risk: 'low',
  },
  metadata: {
    title: 'Read project details',
    detail:
      'The plugin can read git tags, status and log, the fledge configuration, and environment variables (secrets such as tokens and passwords are removed).',
    risk: 'medium',
  },
  clock: {
    title: 'Read the real clock',
    detail:
      'The plugin sees the real date and time instead of a simulated clock; its results may differ from run to run.',
    risk: 'low',
  },
  random: {
    title: 'Use real random numbers',
    detail:
      'The plugin gets real random numbers instead of a repeatable sequence; its results may differ from run to run.',
    risk: 'low',
  },
};

const FILESYSTEM_TEXT = {
  project: {
    title: 'Read your project files',
    detail: 'The plugin can read (not change) every file in the project folder, seen as /project.',
    risk: 'medium' as Risk,
  },
  plugin: {
    title: 'Read your project files and keep its own files',
    detail:
      'The plugin can read (not change) every file in the project folder, seen as /project, and read and write its own data folder, seen as /plugin.',
    risk: 'medium' as Risk,
  },
};

/** Capabilities an unverified source may never be granted (as the fledge CLI). */
export const UNVERIFIED_FORBIDDEN: readonly CapabilityName[] = ['exec', 'network'];

export function tierForbids(tier: TrustTier, capability: CapabilityName): boolean {
  return tier === 'unverified' && UNVERIFIED_FORBIDDEN.includes(capability);
}

/** One entry per capability the manifest asks for, in the order a consent screen shows them. */
export function describeRequests(requested: Capabilities, tier: TrustTier): CapabilityRequest[] {
  const out: CapabilityRequest[] = [];
  const add = (capability: CapabilityName, text: { title: string; detail: string; risk: Risk }) => {
    const allowed = !tierForbids(tier, capability);
    const req: CapabilityRequest = { capability, ...text, allowed };
    if (!allowed)
      req.refusal = `plugins from unverified sources cannot be granted ${capability}; install it from a trusted source to use it`;
    out.push(req);
  };
  for (const name of ['exec', 'network', 'metadata'] as const) if (requested[name]) add(name, TEXT[name]);
  if (requested.filesystem !== 'none') add('filesystem', FILESYSTEM_TEXT[requested.filesystem]);
  for (const name of ['store', 'clock', 'random'] as const) if (requested[name]) add(name, TEXT[name]);
  return out;
}

/** The grants the tier allows out of `wanted` (a forbidden capability is silently left out). */
export function allowedByTier(wanted: Capabilities, tier: TrustTier): Capabilities {
  const out = { ...wanted };
  if (tier === 'unverified') {
    out.exec = false;
    out.network = false;
  }
  return out;
}

export const TIER_TEXT: Record<TrustTier, string> = {
  local: 'a folder or file on this computer',
  official: 'an official fledge plugin (CorvidLabs)',
  team: 'a source your team trusts',
  unverified: 'an unverified source: nobody has checked this plugin',
};

/** What the consent screen says about a native plugin (runtime = "native"): a program that runs as you. */
export interface NativeConsent {
  /** Plain words: what it is and what it can do. */
  summary: string;
  /** How it will run here: "native, contained (read-only project, no network)" or "native, full access". */
  accessLabel: string;
  /** Why it cannot be contained here, and what to install (absent when it can be). */
  containmentNote?: string;
  /** Each command's program and its SHA-256, pinned at approval (null: not built yet; pinned after the build). */
  binaries: { path: string; sha256: string | null }[];
  /** The separate question an unverified native plugin needs answered yes (null for other tiers). */
  extraConfirmation: string | null;
}

export function describeNative(input: {
  tier: TrustTier;
  contained: boolean;
  accessLabel: string;
  containmentNote?: string;
  binaries: { path: string; sha256: string | null }[];
}): NativeConsent {
  const summary = input.contained
    ? 'This plugin is a program that runs on your computer as you, not in the WASM sandbox. Fledge Desktop runs it contained: it can read the project but not change it, it cannot see your home folder or your other programs, and it has no network unless you allow it. If it does not work that way, you can give it full access: then it can do anything you can do.'
    : 'This plugin is a program that runs on your computer as you, not in the WASM sandbox, and it cannot be contained here: it can read, change or delete any of your files, use the network and run other programs, just as you can.';
  const out: NativeConsent = {
    summary,
    accessLabel: input.accessLabel,
    binaries: input.binaries,
    extraConfirmation:
      input.tier === 'unverified'
        ? 'Nobody has checked this program, and it comes from an unverified source. It will run as you. Install it only if you trust the person who wrote it. Install this program anyway?'
        : null,
  };
  if (input.containmentNote) out.containmentNote = input.containmentNote;
  return out;
}
