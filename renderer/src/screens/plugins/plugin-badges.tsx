import type { Capabilities, PluginAccess, PluginSummary } from '../../api/types.js';
import { Badge, Chip, type Tone } from '../../components/badge.js';
import { grantedNames, shortName, TIER_TONE, TIER_WORDS } from '../../lib/capability-text.js';

const ACCESS_WORDS: Record<PluginAccess['mode'], { label: string; tone: Tone }> = {
  sandboxed: { label: 'WASM, sandboxed', tone: 'accent' },
  contained: { label: 'Native, contained', tone: 'warning' },
  full: { label: 'Native, full access', tone: 'danger' },
};

/** The words of the runtime badge for how the engine says a plugin runs here. */
export function accessLabel(access: PluginAccess): string {
  return ACCESS_WORDS[access.mode].label;
}

/**
 * How a plugin runs, as the engine reports it (`access` of the plugin view): sandboxed, contained or
 * full access, with what that means on hover. Without a report (a plugin not installed yet) only a
 * WASM plugin can be named: it always runs in the sandbox.
 */
export function RuntimeBadge({
  runtime,
  sandboxed,
  access,
}: {
  runtime: string;
  sandboxed: boolean;
  access?: PluginAccess;
}) {
  if (access) {
    const words = ACCESS_WORDS[access.mode];
    return (
      <Badge tone={words.tone} title={access.detail}>
        {words.label}
      </Badge>
    );
  }
  return sandboxed ? (
    <Badge tone="accent" title="Runs in Fledge's sandbox: it can only do what you allow.">
      WASM, sandboxed
    </Badge>
  ) : (
    <Badge tone="warning" title="A program that runs on this computer.">
      {runtime === 'native' ? 'Native' : runtime}
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
