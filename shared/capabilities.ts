// The capability model shared by the manifest, the registry (granted sets) and the consent screens.

export const FILESYSTEM_ACCESS = ['none', 'project', 'plugin'] as const;
export type FilesystemAccess = (typeof FILESYSTEM_ACCESS)[number];

/** What a plugin may do. In plugin.toml: what it ASKS for; in plugins.toml: what was GRANTED. */
export interface Capabilities {
  exec: boolean;
  store: boolean;
  metadata: boolean;
  filesystem: FilesystemAccess;
  network: boolean;
  /** Fledge Desktop extension (ignored by the fledge CLI): the real wall clock instead of a virtual one. */
  clock: boolean;
  /** Fledge Desktop extension (ignored by the fledge CLI): real random numbers instead of a seeded stream. */
  random: boolean;
}

export const BOOLEAN_CAPABILITIES = ['exec', 'store', 'metadata', 'network', 'clock', 'random'] as const;
export type BooleanCapability = (typeof BOOLEAN_CAPABILITIES)[number];
export type CapabilityName = BooleanCapability | 'filesystem';
export const CAPABILITY_NAMES: readonly CapabilityName[] = [
  'exec',
  'store',
  'metadata',
  'filesystem',
  'network',
  'clock',
  'random',
];

export const NO_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  exec: false,
  store: false,
  metadata: false,
  filesystem: 'none',
  network: false,
  clock: false,
  random: false,
});

export function filesystemRank(access: FilesystemAccess): number {
  return FILESYSTEM_ACCESS.indexOf(access);
}

/** The grants in `granted` limited to what `declared` asks for (a grant never exceeds the request). */
export function intersectCapabilities(declared: Capabilities, granted: Capabilities): Capabilities {
  const out: Capabilities = { ...NO_CAPABILITIES };
  for (const name of BOOLEAN_CAPABILITIES) out[name] = declared[name] && granted[name];
  out.filesystem =
    filesystemRank(granted.filesystem) < filesystemRank(declared.filesystem)
      ? granted.filesystem
      : declared.filesystem;
  return out;
}

/** Names of the capabilities `requested` asks for beyond `granted` (filesystem: none < project < plugin). */
export function capabilitiesBeyond(requested: Capabilities, granted: Capabilities): CapabilityName[] {
  const more: CapabilityName[] = [];
  for (const name of CAPABILITY_NAMES) {
    if (name === 'filesystem') {
      if (filesystemRank(requested.filesystem) > filesystemRank(granted.filesystem)) more.push(name);
    } else if (requested[name] && !granted[name]) more.push(name);
  }
  return more;
}

/** Parses a CLI-style grant list ("all", "none", or "exec,store,...") into grants limited to `declared`. */
export function parseGrantList(text: string, declared: Capabilities): Capabilities {
  return grantsFromNames(parseCapabilityNames(text), declared);
}

/** Parses "exec,store" into capability names; "all" is every capability. Throws on an unknown name. */
export function parseCapabilityNames(text: string): CapabilityName[] {
  const trimmed = text.trim();
  if (trimmed === 'all') return [...CAPABILITY_NAMES];
  if (trimmed === 'none' || trimmed === '') return [];
  const out: CapabilityName[] = [];
  for (const raw of trimmed.split(',')) {
    const name = raw.trim();
    if (!(CAPABILITY_NAMES as readonly string[]).includes(name))
      throw new Error(`unknown capability "${name}"; use ${CAPABILITY_NAMES.join(', ')}`);
    if (!out.includes(name as CapabilityName)) out.push(name as CapabilityName);
  }
  return out;
}

/** The capabilities in `names`, granted as far as `declared` asks (filesystem: the declared level). */
export function grantsFromNames(names: CapabilityName[], declared: Capabilities): Capabilities {
  const out: Capabilities = { ...NO_CAPABILITIES };
  for (const name of names) {
    if (name === 'filesystem') out.filesystem = declared.filesystem;
    else out[name] = declared[name];
  }
  return out;
}
