import type { Capabilities, PluginSummary } from '../../api/types.js';
import { Badge, Chip } from '../../components/badge.js';
import { grantedNames, shortName, TIER_TONE, TIER_WORDS } from '../../lib/capability-text.js';

export function RuntimeBadge({ runtime, sandboxed }: { runtime: string; sandboxed: boolean }) {
  return sandboxed ? (
    <Badge tone="accent" title="Runs in Fledge's sandbox: it can only do what you allow.">
      WASM, sandboxed
    </Badge>
  ) : (
    <Badge tone="danger" title="Runs as a normal program with your permissions.">
      {runtime === 'native' ? 'Native, full access' : `${runtime}, full access`}
    </Badge>
  );
}

export function TierBadge({ tier, text }: { tier: string; text?: string }) {
  return (
    <Badge tone={TIER_TONE[tier] ?? 'neutral'} title={text}>
      {TIER_WORDS[tier] ?? tier}
    </Badge>
  );
}

export function GrantChips({
  granted,
  empty = 'Nothing granted',
}: {
  granted: Capabilities;
  empty?: string;
}) {
  const names = grantedNames(granted);
  if (names.length === 0) return <span className="muted small">{empty}</span>;
  return (
    <span className="chips">
      {names.map((n) => (
        <Chip key={n}>{shortName(n, granted.filesystem)}</Chip>
      ))}
    </span>
  );
}

export function ConsentBadge({ plugin }: { plugin: PluginSummary }) {
  if (!plugin.enabled) return <Badge tone="neutral">Disabled</Badge>;
  if (!plugin.approvedHere) return <Badge tone="warning">Installed by the fledge CLI: review it</Badge>;
  if (plugin.consent.state === 'needs_approval') return <Badge tone="warning">Needs your approval</Badge>;
  return null;
}
