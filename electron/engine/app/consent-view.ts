/**
 * An install's consent request as the consent screen shows it (each capability with what a denial
 * means; for an update, what is added, removed and unchanged), and the person's per-capability
 * answer turned into the engine's ConsentDecision.
 */
import {
  CAPABILITY_NAMES,
  type Capabilities,
  type CapabilityName,
  capabilitiesBeyond,
  NO_CAPABILITIES,
} from '../../../shared/capabilities.js';
import { TIER_TEXT } from '../../../shared/consent.js';
import type { ParsedParams, Result } from '../../../shared/ipc/index.js';
import { visibleText } from '../../../shared/manifest/visible.js';
import type { ConsentDecision, ConsentRequest } from '../plugins/consent-request.js';

type ConsentView = Result<'consent.pending'>[number];
type Answer = ParsedParams<'consent.answer'>['decision'];

export const IF_DENIED: Record<CapabilityName, string> = {
  exec: 'The plugin will run but cannot run commands on your computer; anything that needs one will fail.',
  network: 'The plugin will run but cannot use the network.',
  store: 'The plugin will run but cannot remember anything between runs.',
  metadata:
    'The plugin will run but cannot read git details, the fledge configuration or environment variables.',
  filesystem: 'The plugin will run but cannot see your project files or keep files of its own.',
  clock: 'The plugin will run with a simulated clock (the same date and time on every run).',
  random: 'The plugin will run with repeatable "random" numbers (the same on every run).',
};

/** Filesystem asked at a higher level than before ("project" -> "plugin") counts as added. */
function beyondRank(c: CapabilityName, now: Capabilities, before: Capabilities | null): boolean {
  return c === 'filesystem' && before !== null && capabilitiesBeyond(now, before).includes('filesystem');
}

function asked(caps: Capabilities): CapabilityName[] {
  return CAPABILITY_NAMES.filter((c) => (c === 'filesystem' ? caps.filesystem !== 'none' : caps[c]));
}

/**
 * `previousDeclared`: what the installed version's plugin.toml asks for (an update compares asks with
 * asks: a capability asked before and denied is not "added"); `update.previous` stays the old grants.
 */
export function consentView(
  id: string,
  operationId: string,
  req: ConsentRequest,
  previousDeclared: Capabilities | null = null,
): ConsentView {
  const m = req.manifest;
  const declared = asked(m.capabilities);
  let update: ConsentView['update'] = null;
  if (req.update) {
    const before = asked(previousDeclared ?? req.update.previous);
    update = {
      previous: req.update.previous,
      added: declared.filter((c) => !before.includes(c) || beyondRank(c, m.capabilities, previousDeclared)),
      removed: before.filter((c) => !declared.includes(c)),
      unchanged: declared.filter(
        (c) => before.includes(c) && !beyondRank(c, m.capabilities, previousDeclared),
      ),
      fromVersion: req.update.fromVersion ?? null,
      toVersion: req.update.toVersion ?? m.version,
      fromCommit: req.update.fromCommit ?? null,
      toCommit: req.update.toCommit ?? null,
      toRef: req.update.toRef ?? null,
    };
  }
  return {
    id,
    operationId,
    kind: req.update ? 'update' : 'install',
    plugin: {
      name: m.name,
      version: m.version,
      description: m.description ?? null,
      author: m.author ?? null,
      runtime: m.runtime,
    },
    source: req.source,
    tier: req.tier,
    tierText: TIER_TEXT[req.tier],
    requests: req.requests.map((r) => ({
      capability: r.capability,
      title: r.title,
      detail: r.detail,
      risk: r.risk,
      allowed: r.allowed,
      refusal: r.refusal ?? null,
      ifDenied: IF_DENIED[r.capability],
    })),
    buildHook: req.buildHook === null ? null : visibleText(req.buildHook),
    update,
    prebuilt: (req.prebuilt ?? []).map((p) => ({
      binary: p.binary,
      asset: p.asset,
      release: p.release,
      bytes: p.bytes,
      sha256: p.sha256,
      checksum: p.checksum,
    })),
    ...(req.native
      ? {
          native: {
            summary: req.native.summary,
            accessLabel: req.native.accessLabel,
            containmentNote: req.native.containmentNote ?? null,
            binaries: req.native.binaries.map((b) => ({ path: visibleText(b.path), sha256: b.sha256 })),
            extraConfirmation: req.native.extraConfirmation,
          },
        }
      : {}),
    createdAt: Date.now(),
  };
}

/** The person's answer as the engine takes it (null: declined). Nothing is granted unless chosen. */
export function decisionFrom(answer: Answer): ConsentDecision | null {
  if (answer.answer === 'decline') return null;
  const g = answer.grants;
  const granted: Capabilities = {
    ...NO_CAPABILITIES,
    exec: g.exec === true,
    store: g.store === true,
    metadata: g.metadata === true,
    network: g.network === true,
    clock: g.clock === true,
    random: g.random === true,
    filesystem: g.filesystem ?? 'none',
  };
  return {
    granted,
    allowBuild: answer.allowBuild,
    confirmUnverifiedNative: answer.confirmUnverifiedNative === true,
  };
}
