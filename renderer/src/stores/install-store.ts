// Installs and updates in progress (from a drop, a path, the catalog, an update), what they ask the
// person (consent), and how they ended.
import { fledge, onEvent } from '../api/client.js';
import { isGrantRefusal, type PersonError, toPersonError } from '../api/errors.js';
import type {
  ConsentGrants,
  ConsentRequest,
  InstallProgress,
  InstallSource,
  ValidationReport,
} from '../api/types.js';
import { shortName } from '../lib/capability-text.js';
import { createStore } from '../lib/store.js';
import { loadPlugins } from './plugin-store.js';
import { toast } from './ui-store.js';

export interface ActiveInstall {
  operationId: string;
  label: string;
  progress: InstallProgress | null;
  waitingForConsent: boolean;
  /** The title of its failure, when not "<label> could not be installed" (an update's). */
  failedTitle?: string;
}

export interface InstallProblem {
  label: string;
  error: PersonError;
  /** Each problem found, when the plugin is not valid (shown as a list). */
  problems: string[];
}

export interface InstallState {
  /** Something being checked before an install starts (an upload, a validation). */
  checking: string | null;
  active: Record<string, ActiveInstall>;
  problem: InstallProblem | null;
}

export const installStore = createStore<InstallState>({ checking: null, active: {}, problem: null });
export const consentStore = createStore<ConsentRequest[]>([]);

function patchActive(id: string, patch: Partial<ActiveInstall>): void {
  installStore.set((s) => {
    const a = s.active[id];
    if (!a) return s;
    return { ...s, active: { ...s.active, [id]: { ...a, ...patch } } };
  });
}

function dropActive(id: string): ActiveInstall | null {
  const a = installStore.get().active[id] ?? null;
  installStore.set((s) => {
    const active = { ...s.active };
    delete active[id];
    return { ...s, active };
  });
  return a;
}

export function wireInstallEvents(): void {
  onEvent('consent.requested', ({ request }) => {
    consentStore.set((q) => (q.some((r) => r.id === request.id) ? q : [...q, request]));
    patchActive(request.operationId, { waitingForConsent: true });
  });
  onEvent('consent.settled', ({ consentId }) => {
    consentStore.set((q) => q.filter((r) => r.id !== consentId));
  });
  onEvent('operations.progress', ({ operationId, progress }) => {
    patchActive(operationId, { progress, waitingForConsent: progress.phase === 'consent' });
  });
  onEvent('operations.finished', ({ operationId, state, outcome, error }) => {
    const active = dropActive(operationId);
    consentStore.set((q) => q.filter((r) => r.operationId !== operationId));
    void loadPlugins();
    const label = active?.label ?? 'The plugin';
    if (state === 'succeeded' && outcome?.upToDate) {
      toast({ tone: 'info', title: `${outcome.name} is up to date`, text: outcome.upToDate });
    } else if (state === 'succeeded' && outcome) {
      toast({
        tone: 'success',
        title: `${outcome.name} ${outcome.version} is installed`,
        text: outcome.withheld.length
          ? `Still off until you allow them on its page: ${outcome.withheld.map((n) => shortName(n)).join(', ')}.`
          : 'Find it under Plugins to run it.',
      });
    } else if (state === 'cancelled') {
      toast({ tone: 'info', title: 'Nothing was installed', text: `${label}: stopped; nothing changed.` });
    } else if (error) {
      if (error.code === 'consent_declined' || /declined/i.test(error.message))
        toast({ tone: 'info', title: 'Nothing was installed', text: 'You declined; nothing changed.' });
      else showProblem(label, error, active?.failedTitle);
    }
  });
}

/** Catches up after (re)connecting: consent requests and installs still waiting. */
export async function loadPendingInstalls(): Promise<void> {
  try {
    const [pending, operations] = await Promise.all([
      fledge().consent.pending({}),
      fledge().operations.list({}),
    ]);
    consentStore.set(pending);
    const active: Record<string, ActiveInstall> = {};
    for (const op of operations)
      if (op.state === 'running' || op.state === 'waiting_for_consent')
        active[op.id] = {
          operationId: op.id,
          label: op.label,
          progress: op.progress,
          waitingForConsent: op.state === 'waiting_for_consent',
        };
    installStore.set((s) => ({ ...s, active }));
  } catch {
    // nothing to catch up on; new requests come as events
  }
}

export async function answerConsent(
  request: ConsentRequest,
  grants: ConsentGrants | null,
  allowBuild = false,
  confirmUnverifiedNative = false,
): Promise<void> {
  consentStore.set((q) => q.filter((r) => r.id !== request.id));
  try {
    await fledge().consent.answer({
      consentId: request.id,
      decision: grants
        ? {
            answer: 'install',
            grants,
            allowBuild,
            ...(confirmUnverifiedNative ? { confirmUnverifiedNative } : {}),
          }
        : { answer: 'decline' },
    });
  } catch (e) {
    // Cancelled in Electron's own confirmation: nothing changed and the consent screen comes back.
    const refused = isGrantRefusal(toPersonError(e).code);
    showProblem(
      request.plugin.name,
      e,
      refused ? `Nothing was allowed for ${request.plugin.name}` : undefined,
    );
  }
}

/** Splits an engine message that lists problems ("...:\n  - a\n  - b") into its lines. */
export function splitProblems(message: string): { lead: string; problems: string[] } {
  const lines = message.split('\n');
  const isItem = (l: string) => /^\s*-\s+/.test(l);
  return {
    lead: lines
      .filter((l) => !isItem(l))
      .join(' ')
      .trim(),
    problems: lines.filter(isItem).map((l) => l.replace(/^\s*-\s+/, '')),
  };
}

function showProblem(label: string, e: unknown, title = `${label} could not be installed`): void {
  const error = toPersonError(e, title);
  const { lead, problems } = splitProblems(error.message);
  installStore.set((s) => ({
    ...s,
    checking: null,
    problem: { label, error: { ...error, message: lead }, problems },
  }));
}

export function clearInstallProblem(): void {
  installStore.set((s) => ({ ...s, problem: null }));
}

function reportProblems(label: string, report: ValidationReport): void {
  installStore.set((s) => ({
    ...s,
    checking: null,
    problem: {
      label,
      error: {
        title: `${label} is not a plugin Fledge can install`,
        message: `Nothing was installed. ${report.errors.length === 1 ? 'One problem was' : `${report.errors.length} problems were`} found:`,
        next: 'Ask the plugin’s author for a fixed version, or drop another file.',
        code: 'plugin_invalid',
      },
      problems: report.errors.map((e) =>
        e.field && !e.message.startsWith(e.field) ? `${e.field}: ${e.message}` : e.message,
      ),
    },
  }));
}

async function startInstall(label: string, source: InstallSource): Promise<string | null> {
  const { operationId } = await fledge().plugins.install({ source });
  installStore.set((s) => ({
    ...s,
    checking: null,
    problem: null,
    active: { ...s.active, [operationId]: { operationId, label, progress: null, waitingForConsent: false } },
  }));
  return operationId;
}

/** Checks, then installs: a folder or archive on this computer, or uploaded bytes (browser mode). */
export async function installChecked(label: string, source: InstallSource): Promise<string | null> {
  installStore.set((s) => ({ ...s, checking: label, problem: null }));
  try {
    const report = await fledge().plugins.validate({ source });
    if (!report.valid) {
      reportProblems(label, report);
      return null;
    }
    // A newer (or other) version of a plugin already here: offered as its update, whose consent
    // shows what changes; the engine refuses it for a plugin that came from somewhere else.
    const name = report.pluginName;
    if (name !== null && (await fledge().plugins.list({})).some((p) => p.name === name))
      return await startUpdate(name, source);
    return await startInstall(label, source);
  } catch (e) {
    showProblem(label, e);
    return null;
  }
}

const MAX_DROP_BYTES = 32 * 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) s += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(s);
}

/** A dropped archive in browser mode: its bytes are uploaded, checked, then installed. */
export async function installDroppedFile(file: File): Promise<string | null> {
  const label = file.name;
  if (!/\.(zip|tar\.gz|tgz)$/i.test(file.name)) {
    showProblem(label, {
      code: 'not_an_archive',
      message: `“${file.name}” is not a plugin archive. Drop a .zip, .tar.gz or .tgz file, or a plugin folder.`,
    });
    return null;
  }
  if (file.size > MAX_DROP_BYTES) {
    showProblem(label, {
      code: 'too_large',
      message: `“${file.name}” is ${Math.round(file.size / 1048576)} MB; plugin archives up to 32 MB can be dropped.`,
    });
    return null;
  }
  installStore.set((s) => ({ ...s, checking: label, problem: null }));
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const { uploadId } = await fledge().plugins.upload({ fileName: file.name, base64: toBase64(bytes) });
    return await installChecked(label, { kind: 'upload', uploadId });
  } catch (e) {
    showProblem(label, e);
    return null;
  }
}

export async function installFromGit(spec: string): Promise<string | null> {
  try {
    return await startInstall(spec, { kind: 'git', spec });
  } catch (e) {
    showProblem(spec, e);
    return null;
  }
}

const updateFailedTitle = (name: string) => `${name} could not be updated`;

/** Starts an update from the recorded source, or from `from` (a file or folder given for it). */
async function startUpdate(name: string, from?: InstallSource): Promise<string> {
  const { operationId } = await fledge().plugins.update(from ? { name, from } : { name });
  installStore.set((s) => ({
    ...s,
    checking: null,
    problem: null,
    active: {
      ...s.active,
      [operationId]: {
        operationId,
        label: `Update of ${name}`,
        progress: null,
        waitingForConsent: false,
        failedTitle: updateFailedTitle(name),
      },
    },
  }));
  return operationId;
}

export async function updatePlugin(name: string): Promise<string | null> {
  try {
    return await startUpdate(name);
  } catch (e) {
    showProblem(name, e, updateFailedTitle(name));
    return null;
  }
}

export async function cancelInstall(operationId: string): Promise<void> {
  await fledge().operations.cancel({ operationId });
}
