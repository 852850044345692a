// Short names for capabilities (chips, lists) and what a denial means, in plain words. The long
// explanation of each one comes from the engine (shared/consent.ts) through the contract.
import type { Capabilities, CapabilityName } from '../api/types.js';

export const CAPABILITY_ORDER: CapabilityName[] = [
  'exec',
  'network',
  'metadata',
  'filesystem',
  'store',
  'clock',
  'random',
];

export function shortName(name: CapabilityName, filesystem: Capabilities['filesystem'] = 'project'): string {
  switch (name) {
    case 'exec':
      return 'Run commands';
    case 'network':
      return 'Network';
    case 'metadata':
      return 'Project details';
    case 'filesystem':
      return filesystem === 'plugin' ? 'Project files + own folder' : 'Read project files';
    case 'store':
      return 'Remember data';
    case 'clock':
      return 'Real clock';
    case 'random':
      return 'Real random numbers';
  }
}

export const RISK_WORDS = { low: 'Low risk', medium: 'Medium risk', high: 'High risk' } as const;

export const DENIED_TEXT: Record<CapabilityName, string> = {
  exec: 'The plugin will run but cannot start any command on your computer.',
  network: 'The plugin will run but cannot use the network.',
  metadata:
    'The plugin will run but cannot read git details, the fledge configuration or environment variables.',
  filesystem: 'The plugin will run but cannot see any of your files.',
  store: 'The plugin will run but forgets everything between runs.',
  clock: 'The plugin will run with a simulated clock (its results are the same on every run).',
  random: 'The plugin will run with a repeatable sequence of numbers instead of real random ones.',
};

/** The names of the capabilities in a set that are on. */
export function grantedNames(c: Capabilities): CapabilityName[] {
  return CAPABILITY_ORDER.filter((n) => (n === 'filesystem' ? c.filesystem !== 'none' : c[n]));
}

export const TIER_WORDS: Record<string, string> = {
  local: 'On this computer',
  official: 'Official',
  team: 'Trusted by your team',
  unverified: 'Unverified',
};

export const TIER_TONE: Record<string, 'success' | 'info' | 'warning' | 'neutral'> = {
  official: 'success',
  team: 'info',
  local: 'neutral',
  unverified: 'warning',
};
