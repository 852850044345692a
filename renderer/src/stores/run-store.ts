// Runs: the ones open in tabs (live or from history), their events folded into what the screens
// show (logs, progress, open questions, what the run touched, the end), and this project's history.
import { fledge, onEvent } from '../api/client.js';
import { type PersonError, toPersonError } from '../api/errors.js';
import type { LogLevel, RequestEvent, RunEvent, RunSummary } from '../api/types.js';
import { createStore } from '../lib/store.js';
import { OutputBuffer } from './output-buffer.js';

export const LOG_CAP = 5000;
/** Files listed per run in "what it touched" (all are counted). */
export const FILES_CAP = 500;

export interface LogLine {
  seq: number;
  t: number;
  level: LogLevel | 'stderr';
  message: string;
}

export interface ExecLine {
  seq: number;
  t: number;
  command: string;
  cwd: string | null;
  code: number;
  durationMs: number;
}

export interface FileTouch {
  mount: string;
  path: string;
  reads: number;
  writes: number;
}

/** A store key the run wrote, and how many times (never the value). */
export interface StoreWrite {
  key: string;
  writes: number;
}

export interface Denial {
  seq: number;
  t: number;
  capability: string;
  what: string;
}

export interface RunView {
  summary: RunSummary;
  logs: LogLine[];
  logsDropped: number;
  progress: {
    message?: string | undefined;
    current?: number | undefined;
    total?: number | undefined;
    done?: boolean | undefined;
  } | null;
  requests: RequestEvent[];
  execs: ExecLine[];
  files: FileTouch[];
  filesTotal: number;
  /** Store keys written (listed up to FILES_CAP; all writes counted in storeWritesTotal). */
  storeKeys: StoreWrite[];
  storeWritesTotal: number;
  /** Metadata keys the plugin read, each once. */
  metadataKeys: string[];
  denials: Denial[];
  stopping: boolean;
  /** Events seen (for catching up through runs.events). */
  eventCount: number;
}

export interface RunState {
  runs: Record<string, RunView>;
  tabs: string[];
  selected: string | null;
  history: RunSummary[];
  historyLoaded: boolean;
  error: PersonError | null;
}

export const runStore = createStore<RunState>({
  runs: {},
  tabs: [],
  selected: null,
  history: [],
  historyLoaded: false,
  error: null,
});

const outputs = new Map<string, OutputBuffer>();

export function outputOf(runId: string): OutputBuffer {
  let b = outputs.get(runId);
  if (!b) {
    b = new OutputBuffer();
    outputs.set(runId, b);
  }
  return b;
}

function blankView(summary: RunSummary): RunView {
  return {
    summary,
    logs: [],
    logsDropped: 0,
    progress: null,
    requests: [...summary.pendingRequests],
    execs: [],
    files: [],
    filesTotal: 0,
    storeKeys: [],
    storeWritesTotal: 0,
    metadataKeys: [],
    denials: [],
    stopping: false,
    eventCount: 0,
  };
}

let logSeq = 0;

/** Folds a batch of events into a run's view (output goes to its buffer, not to React state). */
export function foldEvents(view: RunView, events: RunEvent[]): RunView {
  // A flood is output only: it goes to the terminal's buffer and React has nothing to render.
  if (events.every((e) => e.type === 'output')) {
    for (const e of events) if (e.type === 'output') outputOf(view.summary.id).append(e.text);
    return view;
  }
  const v: RunView = { ...view, eventCount: view.eventCount + events.length };
  let logs: LogLine[] | null = null;
  let files: FileTouch[] | null = null;
  for (const e of events) {
    switch (e.type) {
      case 'output':
        outputOf(view.summary.id).append(e.text);
        break;
      case 'log':
      case 'stderr':
        logs ??= [...v.logs];
        logs.push({
          seq: logSeq++,
          t: e.t,
          level: e.type === 'stderr' ? 'stderr' : e.level,
          message: e.type === 'stderr' ? e.line : e.message,
        });
        break;
      case 'progress':
        v.progress = { message: e.message, current: e.current, total: e.total, done: e.done };
        break;
      case 'request':
        if (!v.requests.some((r) => r.id === e.id)) v.requests = [...v.requests, e];
        break;
      case 'exec':
        v.execs = [
          ...v.execs,
          { seq: logSeq++, t: e.t, command: e.command, cwd: e.cwd, code: e.code, durationMs: e.durationMs },
        ];
        break;
      case 'file': {
        files ??= [...v.files];
        v.filesTotal++;
        const at = files.findIndex((f) => f.mount === e.mount && f.path === e.path);
        const prev = at >= 0 ? files[at] : undefined;
        const next: FileTouch = {
          mount: e.mount,
          path: e.path,
          reads: (prev?.reads ?? 0) + (e.access === 'read' ? 1 : 0),
          writes: (prev?.writes ?? 0) + (e.access === 'write' ? 1 : 0),
        };
        if (at >= 0) files[at] = next;
        else if (files.length < FILES_CAP) files.push(next);
        break;
      }
      case 'store': {
        v.storeWritesTotal++;
        const at = v.storeKeys.findIndex((k) => k.key === e.key);
        if (at >= 0)
          v.storeKeys = v.storeKeys.map((k, i) => (i === at ? { key: k.key, writes: k.writes + 1 } : k));
        else if (v.storeKeys.length < FILES_CAP) v.storeKeys = [...v.storeKeys, { key: e.key, writes: 1 }];
        break;
      }
      case 'metadata': {
        const fresh = e.keys.filter((k) => !v.metadataKeys.includes(k));
        if (fresh.length > 0) v.metadataKeys = [...v.metadataKeys, ...fresh];
        break;
      }
      case 'denied':
        v.denials = [...v.denials, { seq: logSeq++, t: e.t, capability: e.capability, what: e.what }];
        break;
      case 'exit':
        v.summary = {
          ...v.summary,
          state: 'ended',
          end: {
            code: e.code,
            reason: e.reason,
            message: e.message,
            fuelUsed: e.fuelUsed,
            durationMs: e.durationMs,
            peakMemoryBytes: v.summary.end?.peakMemoryBytes ?? 0,
            peakRssBytes: v.summary.end?.peakRssBytes ?? null,
            endedAt: e.t,
          },
        };
        v.requests = [];
        v.stopping = false;
        break;
      case 'started':
        break;
    }
  }
  if (logs) {
    const over = logs.length - LOG_CAP;
    if (over > 0) {
      logs.splice(0, over);
      v.logsDropped += over;
    }
    v.logs = logs;
  }
  if (files) v.files = files;
  return v;
}

function putRun(view: RunView, select: boolean): void {
  const id = view.summary.id;
  runStore.set((s) => ({
    ...s,
    runs: { ...s.runs, [id]: view },
    tabs: s.tabs.includes(id) ? s.tabs : [...s.tabs, id],
    selected: select || s.selected === null ? id : s.selected,
  }));
}

export function wireRunEvents(): void {
  onEvent('runs.started', ({ run }) => {
    if (!runStore.get().runs[run.id]) putRun(blankView(run), false);
  });
  onEvent('runs.events', ({ runId, events }) => {
    const existing = runStore.get().runs[runId];
    if (!existing) return;
    const next = foldEvents(existing, events);
    if (next !== existing) runStore.set((s) => ({ ...s, runs: { ...s.runs, [runId]: next } }));
  });
  onEvent('runs.ended', ({ run }) => {
    const existing = runStore.get().runs[run.id];
    if (existing)
      runStore.set((s) => ({
        ...s,
        runs: { ...s.runs, [run.id]: { ...existing, summary: run, requests: [], stopping: false } },
      }));
    void loadHistory();
  });
}

export function selectRun(id: string): void {
  runStore.set((s) => ({ ...s, selected: id }));
}

export async function startRun(req: {
  plugin: string;
  command: string;
  args: string[];
  projectPath?: string | null;
}): Promise<string | null> {
  try {
    const summary = await fledge().runs.start(req);
    const existing = runStore.get().runs[summary.id];
    putRun(
      existing
        ? { ...existing, summary: existing.summary.end ? existing.summary : summary }
        : blankView(summary),
      true,
    );
    runStore.set((s) => ({ ...s, error: null }));
    return summary.id;
  } catch (e) {
    runStore.set((s) => ({ ...s, error: toPersonError(e, `${req.plugin} could not be started`) }));
    return null;
  }
}

export async function rerun(id: string): Promise<string | null> {
  try {
    const summary = await fledge().runs.rerun({ runId: id });
    const existing = runStore.get().runs[summary.id];
    putRun(existing ?? blankView(summary), true);
    return summary.id;
  } catch (e) {
    runStore.set((s) => ({ ...s, error: toPersonError(e, 'That run could not be started again') }));
    return null;
  }
}

export async function stopRun(id: string): Promise<void> {
  runStore.set((s) => {
    const v = s.runs[id];
    return v ? { ...s, runs: { ...s.runs, [id]: { ...v, stopping: true } } } : s;
  });
  try {
    await fledge().runs.cancel({ runId: id });
  } catch (e) {
    runStore.set((s) => ({ ...s, error: toPersonError(e, 'The run could not be stopped') }));
  }
}

export async function answerRequest(
  runId: string,
  requestId: string,
  value: string | boolean | string[],
): Promise<void> {
  runStore.set((s) => {
    const v = s.runs[runId];
    if (!v) return s;
    return {
      ...s,
      runs: { ...s.runs, [runId]: { ...v, requests: v.requests.filter((r) => r.id !== requestId) } },
    };
  });
  try {
    await fledge().runs.answer({ runId, requestId, value });
  } catch (e) {
    runStore.set((s) => ({ ...s, error: toPersonError(e, 'Your answer could not be sent') }));
  }
}

export function closeTab(id: string): void {
  runStore.set((s) => {
    const tabs = s.tabs.filter((t) => t !== id);
    const index = s.tabs.indexOf(id);
    const selected = s.selected === id ? (tabs[Math.min(index, tabs.length - 1)] ?? null) : s.selected;
    const runs = { ...s.runs };
    if (runs[id]?.summary.end) {
      delete runs[id];
      outputs.delete(id);
    }
    return { ...s, tabs, selected, runs };
  });
}

export async function loadHistory(): Promise<void> {
  try {
    const history = await fledge().runs.history({});
    runStore.set((s) => ({ ...s, history, historyLoaded: true }));
  } catch (e) {
    runStore.set((s) => ({
      ...s,
      historyLoaded: true,
      error: toPersonError(e, 'The run history could not be loaded'),
    }));
  }
}

/** Live runs (for a window opened while they run), each in a tab with its events so far. */
export async function loadActiveRuns(): Promise<void> {
  try {
    const active = await fledge().runs.active({});
    for (const r of active) await openRun(r.id, false);
  } catch {
    // the live tabs come with their next events
  }
}

/** Opens a run (live or finished) in a tab, with its output and events so far. */
export async function openRun(id: string, select = true): Promise<void> {
  if (runStore.get().runs[id]) {
    runStore.set((st) => ({
      ...st,
      tabs: st.tabs.includes(id) ? st.tabs : [...st.tabs, id],
      selected: select ? id : st.selected,
    }));
    return;
  }
  try {
    const record = await fledge().runs.get({ runId: id });
    outputs.delete(id);
    const { output, ...summary } = record;
    const view = foldEvents(blankView(summary), output.events);
    putRun(
      { ...view, summary: summary.end ? summary : view.summary, requests: summary.end ? [] : view.requests },
      select,
    );
    if (output.truncated) outputOf(id).append('\r\n[Fledge kept only the start of this run’s output.]\r\n');
  } catch (e) {
    runStore.set((st) => ({ ...st, error: toPersonError(e, 'That run could not be opened') }));
  }
}

/** The run's output as plain text (colour codes removed), for "Save output". */
export function plainOutput(id: string): string {
  return outputOf(id)
    .text()
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\r\n/g, '\n');
}

export function clearRunError(): void {
  runStore.set((s) => ({ ...s, error: null }));
}
