// The CLI's side of consent: prints what a plugin asks for, then decides from --yes / --grant /
// --allow-build, or asks on a terminal. Without a terminal it grants nothing that --grant does not list.
import {
  type Capabilities,
  type CapabilityName,
  capabilitiesBeyond,
  grantsFromNames,
  intersectCapabilities,
  NO_CAPABILITIES,
} from '../../shared/capabilities.js';
import { TIER_TEXT } from '../../shared/consent.js';
import { visibleText } from '../../shared/manifest/visible.js';
import { fmtSize } from '../engine/install/limits.js';
import type { ConsentDecision, ConsentPrompt, ConsentRequest } from '../engine/plugins/consent-request.js';
import type { CliIO } from './command.js';

export interface ConsentFlags {
  yes: boolean;
  /** Names from --grant, or null when not given. */
  grant: CapabilityName[] | null;
  allowBuild: boolean;
}

export function describeConsent(req: ConsentRequest): string {
  const m = req.manifest;
  const lines = [
    `${req.update ? 'Updating' : 'Installing'} ${visibleText(m.name)} ${visibleText(m.version)} from ${visibleText(req.source)}`,
  ];
  const u = req.update;
  if (u?.fromVersion !== undefined || u?.toCommit)
    lines.push(
      `  from ${visibleText(u.fromVersion ?? '?')} to ${visibleText(u.toVersion ?? m.version)}${u.toRef ? `, ${visibleText(u.toRef)}` : ''}${u.toCommit ? ` (commit ${u.toCommit.slice(0, 7)}${u.fromCommit && u.fromCommit !== u.toCommit ? `, was ${visibleText(u.fromCommit.slice(0, 7))}` : ''})` : ''}`,
    );
  lines.push(`  source: ${req.tier} (${TIER_TEXT[req.tier]})`);
  lines.push(
    `  runtime: ${m.runtime === 'wasm' ? 'wasm (sandboxed)' : 'native (NOT sandboxed: runs with your permissions)'}`,
  );
  if (req.native) {
    lines.push(`  ${req.native.summary}`, `  It will run: ${req.native.accessLabel}`);
    if (req.native.containmentNote) lines.push(`  ${req.native.containmentNote}`);
    for (const b of req.native.binaries)
      lines.push(
        `  program ${visibleText(b.path)}: SHA-256 ${b.sha256 ?? '(not built yet: pinned after the build)'}`,
      );
  }
  if (req.requests.length === 0) lines.push('  It asks for no capabilities.');
  else lines.push('  It asks for:');
  for (const r of req.requests) {
    const level = r.capability === 'filesystem' ? `filesystem=${m.capabilities.filesystem}` : r.capability;
    lines.push(`    [${r.risk} risk] ${r.title} (${level})${r.allowed ? '' : ' -- NOT ALLOWED'}`);
    lines.push(`        ${r.allowed ? r.detail : r.refusal}`);
  }
  if (req.update?.beyond.length)
    lines.push(`  This version asks for more than you granted before: ${req.update.beyond.join(', ')}`);
  for (const h of req.lifecycleHooks ?? [])
    lines.push(`  ${h.hook} hook (a command run as you, only if you approve it): ${visibleText(h.text)}`);
  if (req.buildHook)
    lines.push(
      `  Build hook (a native shell command, run only if you approve it): ${visibleText(req.buildHook)}`,
    );
  for (const p of req.prebuilt ?? [])
    lines.push(
      `  Prebuilt wasm (downloaded from the release, not built here): ${visibleText(p.binary)} = ${visibleText(p.asset)} of ${visibleText(p.release)}, ${fmtSize(p.bytes)}, SHA-256 ${p.sha256} (${p.checksum === 'match' ? 'matches the published .sha256' : 'no .sha256 was published to compare'})`,
    );
  return `${lines.join('\n')}\n`;
}

async function askYes(io: CliIO, question: string): Promise<boolean> {
  const answer = (await io.ask!(`${question} [y/N] `)).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}

export function cliConsentPrompt(io: CliIO, flags: ConsentFlags): ConsentPrompt {
  return async (req): Promise<ConsentDecision | null> => {
    io.stderr(describeConsent(req));
    const declared = req.manifest.capabilities;
    const allowedNames = req.requests.filter((r) => r.allowed).map((r) => r.capability);
    let granted: Capabilities;
    let allowBuild = flags.allowBuild;
    if (flags.yes) granted = grantsFromNames(allowedNames, declared);
    else if (flags.grant) granted = grantsFromNames(flags.grant, declared);
    else if (io.ask) {
      if (!(await askYes(io, `Install ${req.manifest.name}?`))) return null;
      const names: CapabilityName[] = [];
      for (const r of req.requests)
        if (r.allowed && (await askYes(io, `Grant "${r.title}" (${r.capability})?`)))
          names.push(r.capability);
      granted = grantsFromNames(names, declared);
      if (req.buildHook && !allowBuild)
        allowBuild = await askYes(io, `Run the build hook "${visibleText(req.buildHook)}"?`);
    } else if (req.update) {
      // Not interactive: an update keeps what was granted before and nothing more.
      granted = intersectCapabilities(declared, req.update.previous);
    } else granted = { ...NO_CAPABILITIES };

    const approvedHooks: string[] = [];
    if (io.ask)
      for (const h of req.lifecycleHooks ?? [])
        if (await askYes(io, `Run the ${h.hook} hook "${visibleText(h.text)}"?`)) approvedHooks.push(h.hook);
    // An unverified native program: its own question, on a terminal only (never implied by --yes).
    let confirmUnverifiedNative = false;
    if (req.native?.extraConfirmation) {
      if (io.ask) confirmUnverifiedNative = await askYes(io, req.native.extraConfirmation);
      else
        io.stderr(
          'An unverified native program can only be installed on a terminal, where you confirm it.\n',
        );
    }
    const notGranted = capabilitiesBeyond(declared, granted);
    if (notGranted.length)
      io.stderr(
        `Not granted: ${notGranted.join(', ')}${io.ask || flags.yes || flags.grant ? '' : ' (no terminal to ask on: pass --grant LIST or --yes)'}\n`,
      );
    return { granted, allowBuild, confirmUnverifiedNative, approvedHooks };
  };
}
