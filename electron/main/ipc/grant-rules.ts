// Which contract methods can grant a plugin access, and when a call is high-risk: the person must
// confirm it in the main process's own dialog, because a compromised renderer could otherwise answer
// its own consent requests. EVERY method of the contract is listed here, each either "never grants"
// (with why) or with a check that returns the high-risk parts of this call (an empty list: low-risk,
// it passes). A method missing from this table is refused in Electron and fails
// test/main/grant-confirmation.test.ts, so a new method cannot slip past unclassified.
//
// High-risk: exec, network, filesystem write ("plugin": its own folder writable), native full access,
// approving a build hook, installing a native program, approving wasm/native files as they are on
// disk now (changed, or never approved here). Low-risk passes: store, metadata, clock, random,
// read-only filesystem ("project"), a plugin whose files are already approved here.
import type { CapabilityName } from '../../../shared/capabilities.js';
import type { ParsedParams, Reply, Result } from '../../../shared/ipc/index.js';
import { type GrantItem, words } from './grant-words.js';

/** Calls the AppService from the main process itself (lookups: the pending consent, a plugin's detail). */
export type Lookup = (method: string, params: unknown) => Promise<Reply>;

export type GrantRule =
  | { grants: false; why: string }
  | {
      grants: true;
      /** The plugin the call is about, and the high-risk parts of it (none: it passes without a dialog). */
      check(params: unknown, lookup: Lookup): Promise<{ plugin: string; items: GrantItem[] }>;
    };

type Detail = Result<'plugins.get'>;
type ConsentView = Result<'consent.pending'>[number];

const never = (why: string): GrantRule => ({ grants: false, why });

async function detailOf(lookup: Lookup, name: string): Promise<Detail | null> {
  const reply = await lookup('plugins.get', { name });
  return reply.ok ? (reply.result as Detail) : null;
}

/** Approving the files as they are now, when they are not approved here as they are. */
function approvalItems(detail: Detail): GrantItem[] {
  if (detail.consent.state === 'approved' && detail.approvedHere) return [];
  const items = [words.approveFiles(detail.consent.problems, detail.runtime === 'native')];
  // What it already holds becomes usable by those files (a CLI install may hold exec).
  if (detail.granted.exec) items.push(words.exec());
  if (detail.granted.network) items.push(words.network());
  if (detail.granted.filesystem === 'plugin') items.push(words.filesystemWrite());
  return items;
}

function capabilityItems(caps: readonly CapabilityName[], declaredFs: string | null): GrantItem[] {
  const items: GrantItem[] = [];
  if (caps.includes('exec')) items.push(words.exec());
  if (caps.includes('network')) items.push(words.network());
  // plugins.grant gives filesystem at the level plugin.toml asks for: "plugin" writes its own folder.
  if (caps.includes('filesystem') && declaredFs !== 'project') items.push(words.filesystemWrite());
  return items;
}

const consentAnswer: GrantRule = {
  grants: true,
  async check(params, lookup) {
    const p = params as ParsedParams<'consent.answer'>;
    if (p.decision.answer === 'decline') return { plugin: '', items: [] };
    const pending = await lookup('consent.pending', {});
    const view = pending.ok ? (pending.result as ConsentView[]).find((v) => v.id === p.consentId) : undefined;
    // Not pending: the AppService refuses it (consent_not_pending) and nothing is installed.
    if (!view) return { plugin: '', items: [] };
    const g = p.decision.grants;
    const items: GrantItem[] = [];
    if (g.exec === true) items.push(words.exec());
    if (g.network === true) items.push(words.network());
    if (g.filesystem === 'plugin') items.push(words.filesystemWrite());
    if (p.decision.allowBuild && view.buildHook !== null) items.push(words.buildHook(view.buildHook));
    if (view.native)
      items.push(
        words.nativeProgram(
          view.native.accessLabel,
          p.decision.confirmUnverifiedNative ? view.native.extraConfirmation : null,
        ),
      );
    return { plugin: view.plugin.name, items };
  },
};

const grant: GrantRule = {
  grants: true,
  async check(params, lookup) {
    const p = params as ParsedParams<'plugins.grant'>;
    const detail = await detailOf(lookup, p.name);
    // Unreadable: ask about everything it could mean (the engine then refuses what it cannot grant).
    if (!detail)
      return { plugin: p.name, items: [words.unknownPlugin(), ...capabilityItems(p.capabilities, null)] };
    const declaredFs = detail.declared?.filesystem ?? null;
    // plugins.grant also approves the files as they are now.
    return {
      plugin: p.name,
      items: [...capabilityItems(p.capabilities, declaredFs), ...approvalItems(detail)],
    };
  },
};

const approve: GrantRule = {
  grants: true,
  async check(params, lookup) {
    const p = params as ParsedParams<'plugins.approve'>;
    const detail = await detailOf(lookup, p.name);
    if (!detail) return { plugin: p.name, items: [words.unknownPlugin()] };
    return { plugin: p.name, items: approvalItems(detail) };
  },
};

const setFullAccess: GrantRule = {
  grants: true,
  async check(params) {
    const p = params as { name: string; allowed: boolean };
    // Containing it again takes access away: no question.
    return { plugin: p.name, items: p.allowed ? [words.fullAccess()] : [] };
  },
};

/** Every method of the contract (and the ones being added beside it today). */
export const GRANT_RULES: Readonly<Record<string, GrantRule>> = {
  'app.info': never('reads what the app is'),
  'app.getState': never('reads window bounds and recent projects'),
  'app.setState': never('remembers window bounds'),
  'projects.open': never('chooses the folder runs see; what a plugin may do there is its grants'),
  'projects.list': never('reads the project list'),
  'projects.forget': never('removes a folder from the recent list'),
  'projects.close': never('leaves the current project'),
  'plugins.list': never('reads the installed plugins'),
  'plugins.get': never("reads one plugin's detail"),
  'plugins.upload': never('keeps dropped archive bytes; installing them asks for consent'),
  'plugins.validate': never('checks a folder or archive'),
  'plugins.install': never('starts an install; its grants come only through consent.answer'),
  'plugins.update': never('starts an update; its grants come only through consent.answer'),
  'plugins.remove': never('removes a plugin and everything it was granted'),
  'plugins.grant': grant,
  'plugins.revoke': never('withdraws capabilities'),
  'plugins.approve': approve,
  'plugins.setEnabled': never('enabling needs the files approved and runs with the grants it has'),
  'plugins.setLimits': never("sets its own limits, never above the settings' ceilings"),
  'plugins.setFullAccess': setFullAccess,
  'operations.list': never('reads installs in progress'),
  'operations.cancel': never('stops an install; nothing is installed'),
  'consent.pending': never('reads consent requests'),
  'consent.answer': consentAnswer,
  'catalog.search': never('searches GitHub'),
  'catalog.inspect': never('looks at catalog entries'),
  'runs.start': never('runs a plugin with the grants it has'),
  'runs.answer': never("answers a plugin's question"),
  'runs.cancel': never('stops a run'),
  'runs.active': never('reads runs in progress'),
  'runs.events': never("reads a run's events"),
  'runs.history': never("reads a project's run history"),
  'runs.get': never('reads one run'),
  'runs.rerun': never('runs a plugin again with the grants it has'),
  'runs.clearHistory': never('forgets run history'),
  'dialogs.available': never('reads which dialogs exist'),
  'dialogs.pickFolder': never("opens the system's folder dialog: the person chooses there"),
  'settings.get': never('reads settings'),
  'settings.update': never('changes default limits and the theme; no capability'),
  'settings.setGithubToken': never('saves the catalog token'),
};
