/**
 * Runs started from the app: an installed, enabled, approved plugin (WASM, or native) with its grants and its
 * limits (its own, else the settings'), in a project. Every event goes to all windows (runs.events),
 * is kept (capped) for a window that joins late, and with the end goes into the project's history.
 */
import type { ParsedParams, Result } from '../../../shared/ipc/index.js';
import type { RunEvent } from '../../sandbox/protocol.js';
import { HostError, isHostError } from '../host/errors.js';
import type { ProjectContext } from '../host/project.js';
import { hasFullAccess } from '../native/access-store.js';
import type { PluginService } from '../plugins/plugin-service.js';
import type { Run, RunManager } from '../runs/index.js';
import type { EventHub } from './event-hub.js';
import { OutputBuffer, type OutputCap } from './output-buffer.js';
import { effectiveLimits, readPluginPrefs } from './plugin-prefs.js';
import type { Projects } from './projects.js';
import type { RunHistory, RunRecordData, RunSummaryData } from './run-history.js';
import { readSettings } from './settings.js';
import type { KeyValueStore } from './stores.js';

type RunEventData = Result<'runs.events'>['events'][number];

interface LiveRun {
  run: Run;
  summary: RunSummaryData;
  output: OutputBuffer;
  cancelled: boolean;
  saved: Promise<void>;
}

export interface AppRunsDeps {
  plugins: PluginService;
  runs: RunManager;
  projects: Projects;
  history: RunHistory;
  hub: EventHub;
  settings: KeyValueStore;
  prefs: KeyValueStore;
  outputCap?: OutputCap;
}

export class AppRuns {
  private readonly live = new Map<string, LiveRun>();

  constructor(private readonly deps: AppRunsDeps) {}

  async start(params: ParsedParams<'runs.start'>): Promise<RunSummaryData> {
    const { plugins, projects, settings, prefs } = this.deps;
    const runnable = await plugins.resolveRunnable(params.plugin).catch((err: unknown) => {
      // The engine words it for the CLI; in the app the next step is on the plugin's page.
      if (isHostError(err, 'consent_required'))
        throw new HostError(
          'consent_required',
          err.message.replace(
            / Run "plugins approve [^"]*" after checking it\.$/,
            ' Review it on its page and approve it to run it.',
          ),
        );
      throw err;
    });
    if (runnable.name !== params.plugin)
      throw new HostError('plugin_not_installed', `No plugin named "${params.plugin}" is installed.`);
    const own = readPluginPrefs(prefs, runnable.name);
    if (!own.enabled)
      throw new HostError(
        'plugin_disabled',
        `"${runnable.name}" is disabled. Enable it on its page to run it again.`,
      );
    // A native plugin runs as the person: contained where this computer allows it (its run says
    // which), with full access only when the person allowed it (electron/engine/native).
    const native =
      runnable.manifest.runtime === 'native'
        ? {
            protocol: runnable.manifest.protocol === 'fledge-v1',
            access: (await hasFullAccess(plugins.paths.configDir, runnable.name, runnable.pluginDir))
              ? ('full' as const)
              : ('auto' as const),
          }
        : null;
    const command = params.command ?? runnable.command;
    const spec = runnable.manifest.commands.find((c) => c.name === command);
    if (!spec)
      throw new HostError(
        'plugin_no_command',
        `"${runnable.name}" has no command "${command}" (it has: ${runnable.manifest.commands.map((c) => c.name).join(', ')}).`,
      );
    const project: ProjectContext | null = await projects.contextFor(params.projectPath);
    const limits = effectiveLimits(settings, own);
    const run = this.deps.runs.start({
      plugin: {
        name: runnable.name,
        version: runnable.manifest.version,
        dir: runnable.pluginDir,
        declared: runnable.manifest.capabilities,
      },
      command: spec.name,
      binary: spec.binary,
      // Exactly the approved bytes run (a binary swapped after the consent check is refused).
      ...(runnable.approvedSha256[spec.binary] !== undefined
        ? { binarySha256: runnable.approvedSha256[spec.binary] }
        : {}),
      args: params.args ?? [],
      project,
      grants: runnable.granted,
      limits: { fuel: BigInt(limits.fuel), timeoutMs: limits.timeoutMs, memoryMb: limits.memoryMb },
      ...(native ? { native } : {}),
    });
    const info = run.describe();
    const summary: RunSummaryData = {
      id: run.id,
      plugin: runnable.name,
      pluginVersion: runnable.manifest.version,
      command: spec.name,
      args: [...info.args],
      projectPath: project?.root ?? null,
      projectName: project?.name ?? null,
      grants: info.grants,
      limits,
      startedAt: info.startedAt,
      state: 'running',
      end: null,
      pendingRequests: [],
    };
    const live: LiveRun = {
      run,
      summary,
      output: new OutputBuffer(this.deps.outputCap),
      cancelled: false,
      saved: Promise.resolve(),
    };
    this.live.set(run.id, live);
    this.deps.hub.emit('runs.started', { run: this.view(live) });
    run.subscribe((events) => {
      const shown = events as unknown as RunEventData[];
      live.output.push(shown);
      this.deps.hub.emit('runs.events', { runId: run.id, events: shown });
    });
    live.saved = run.ended.then((end) => this.finish(live, end));
    return this.view(live);
  }

  private async finish(live: LiveRun, end: Awaited<Run['ended']>): Promise<void> {
    const reason = live.cancelled && end.reason === 'error' && end.code === 130 ? 'cancelled' : end.reason;
    live.summary.state = 'ended';
    live.summary.end = {
      code: end.code,
      reason,
      message: end.message,
      fuelUsed: end.fuelUsed,
      durationMs: end.durationMs,
      peakMemoryBytes: end.peakMemoryBytes,
      peakRssBytes: end.peakRssBytes ?? null,
      endedAt: Date.now(),
    };
    const record = this.record(live);
    const keep = readSettings(this.deps.settings).historyPerProject;
    await this.deps.history.add(record, keep).catch(() => undefined);
    this.live.delete(live.run.id);
    this.deps.hub.emit('runs.ended', { run: this.view(live) });
  }

  private view(live: LiveRun): RunSummaryData {
    return {
      ...live.summary,
      pendingRequests: live.run.done ? [] : (live.run.pendingRequests() as RunSummaryData['pendingRequests']),
    };
  }

  private record(live: LiveRun): RunRecordData {
    return {
      ...this.view(live),
      output: {
        events: live.output.events as RunRecordData['output']['events'],
        truncated: live.output.truncated,
        totalEvents: live.output.total,
      },
    };
  }

  private find(runId: string): LiveRun {
    const live = this.live.get(runId);
    if (!live || live.run.done)
      throw new HostError(
        'run_not_running',
        'This run is not running any more; its result is in the history.',
      );
    return live;
  }

  answer(params: ParsedParams<'runs.answer'>): void {
    const live = this.find(params.runId);
    const request = live.run.pendingRequests().find((r) => r.id === params.requestId);
    if (!request)
      throw new HostError(
        'request_not_pending',
        'This question is no longer waiting for an answer (it was answered, timed out or the run ended).',
      );
    checkAnswer(request, params.value);
    if (!live.run.answer(params.requestId, params.value))
      throw new HostError('request_not_pending', 'This question is no longer waiting for an answer.');
  }

  cancel(runId: string): void {
    const live = this.find(runId);
    live.cancelled = true;
    live.run.cancel();
  }

  active(): RunSummaryData[] {
    return [...this.live.values()].filter((l) => !l.run.done).map((l) => this.view(l));
  }

  /** A run's events (live: as far as kept; finished: from history). */
  async events(runId: string, after = 0): Promise<Result<'runs.events'>> {
    const live = this.live.get(runId);
    if (live)
      return {
        events: live.output.since(after) as RunEventData[],
        truncated: live.output.truncated,
        totalEvents: live.output.total,
      };
    const rec = await this.deps.history.get(runId);
    if (!rec) throw new HostError('run_not_found', 'This run is not in the history any more.');
    return {
      events: rec.output.events.slice(rec.output.truncated ? 0 : after),
      truncated: rec.output.truncated,
      totalEvents: rec.output.totalEvents,
    };
  }

  async get(runId: string): Promise<RunRecordData> {
    const live = this.live.get(runId);
    if (live) return this.record(live);
    const rec = await this.deps.history.get(runId);
    if (!rec) throw new HostError('run_not_found', 'This run is not in the history any more.');
    return rec;
  }

  async rerun(runId: string): Promise<RunSummaryData> {
    const before = await this.get(runId);
    return this.start({
      plugin: before.plugin,
      command: before.command,
      args: before.args,
      projectPath: before.projectPath,
    });
  }

  /** Waits until every ended run is in the history (tests; shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.saved));
  }

  close(): void {
    for (const l of this.live.values()) if (!l.run.done) l.run.abort('Fledge Desktop is shutting down.');
  }
}

/** The answer must fit the question: text for prompt, yes/no for confirm, one of the options for select. */
function checkAnswer(request: RunEvent & { type: 'request' }, value: unknown): void {
  const options = request.options ?? [];
  const bad = (what: string) =>
    new HostError('answer_invalid', `The answer to "${request.message}" ${what}.`);
  switch (request.kind) {
    case 'confirm':
      if (typeof value !== 'boolean') throw bad('must be yes or no (true or false)');
      return;
    case 'prompt':
      if (typeof value !== 'string') throw bad('must be text');
      return;
    case 'select':
      if (typeof value !== 'string' || !options.includes(value))
        throw bad('must be one of the options offered');
      return;
    case 'multi_select':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !options.includes(v)))
        throw bad('must be a list of the options offered');
      return;
  }
}
