// Trust tiers as the fledge CLI classifies a source (src/trust.rs): `official` for the CorvidLabs
// org, `team` for the CLI's built-in team members and the orgs/users listed under [trust] in the
// config dir's config.toml, `unverified` otherwise; plus `local` for a path on this machine.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { TrustTier } from '../../../shared/consent.js';
import { splitRef } from './source.js';

export type { TrustTier };

export interface TrustConfig {
  orgs: string[];
  users: string[];
}

const OFFICIAL_ORGS = ['corvidlabs'];
/** The CLI's TEAM_MEMBERS: personal accounts of CorvidLabs people. */
const TEAM_MEMBERS = ['0xgaspar', '0xleif', 'kyntrin', 'tofu-ux'];

export const EMPTY_TRUST_CONFIG: TrustConfig = Object.freeze({ orgs: [], users: [] }) as TrustConfig;

/** The GitHub owner of a source, or null if the source is not a GitHub repository. */
export function githubOwner(spec: string): string | null {
  const { base } = splitRef(spec.trim());
  let rest: string;
  const https = /^https:\/\/(?:[^@/\\\s]*@)?github\.com\/(.*)$/i.exec(base);
  // ssh://[user@]github.com/ (plugins.toml records it without the user) or scp-like git@github.com:
  const ssh = /^(?:ssh:\/\/(?:[^@/\\\s]*@)?github\.com\/|git@github\.com:)(.*)$/i.exec(base);
  if (https?.[1] !== undefined) rest = https[1];
  else if (ssh?.[1] !== undefined) rest = ssh[1];
  else if (/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(base)) rest = base;
  else return null;
  // Exactly owner/repo: anything more (`owner/../other/repo`, `%2e%2e`, a query) could make git
  // fetch another owner's repository (curl and ssh servers normalise `..`) under this owner's tier.
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(rest);
  if (!m || m[2] === '.' || m[2] === '..') return null;
  return m[1]!;
}

/** Classifies a source as the CLI does. `isLocal`: the source is a path on this machine. */
export function classifyTrust(
  spec: string,
  isLocal: boolean,
  config: TrustConfig = EMPTY_TRUST_CONFIG,
): TrustTier {
  if (isLocal) return 'local';
  const owner = githubOwner(spec)?.toLowerCase();
  if (!owner) return 'unverified';
  if (OFFICIAL_ORGS.includes(owner)) return 'official';
  const listed = (names: string[]) => names.some((n) => n.toLowerCase() === owner);
  if (TEAM_MEMBERS.includes(owner) || listed(config.orgs) || listed(config.users)) return 'team';
  return 'unverified';
}

/** `[trust] orgs = [...], users = [...]` from <configDir>/config.toml; empty lists when absent or unreadable. */
export async function loadTrustConfig(configDir: string): Promise<TrustConfig> {
  try {
    const doc = parseToml(await readFile(join(configDir, 'config.toml'), 'utf8')) as Record<string, unknown>;
    const trust = doc.trust as Record<string, unknown> | undefined;
    const strings = (v: unknown) =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    return { orgs: strings(trust?.orgs), users: strings(trust?.users) };
  } catch {
    return { orgs: [], users: [] };
  }
}
