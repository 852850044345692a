/**
 * Installs and updates as operations: started by a call that returns at once, reporting progress,
 * pausing for the person's consent (consent.requested -> consent.answer), and ending with an outcome
 * or an error in plain words. Cancelling stops it where it is; nothing is installed.
 */
import { randomUUID } from 'node:crypto';
import type { Capabilities } from '../../../shared/capabilities.js';
import { toErrorData } from '../../../shared/ipc/errors.js';
import type { ParsedParams, Result } from '../../../shared/ipc/index.js';
import { IpcError } from '../../../shared/ipc/index.js';
import type { InstallProgress } from '../catalog/index.js';
import type { ConsentDecision, ConsentPrompt } from '../plugins/consent-request.js';
import type { InstallOutcome, PluginService } from '../plugins/plugin-service.js';
import { consentView, decisionFrom } from './consent-view.js';
import type { EventHub } from './event-hub.js';

type Operation = Result<'operations.list'>[number];
type ConsentView = Result<'consent.pending'>[number];

interface Live {
  op: Operation;
  abort: AbortController;
  consent: { view: ConsentView; resolve: (d: ConsentDecision | null) => void } | null;
}

/** Finished operations kept for operations.list (a client that reconnects sees how they ended). */
const KEEP_FINISHED = 20;

export class Operations {
  private readonly live = new Map<string, Live>();
  private readonly finished: Operation[] = [];

  constructor(
    private readonly plugins: PluginService,
    private readonly hub: EventHub,
    private readonly onInstalled: (outcome: InstallOutcome) => void,
    /** A source as the consent screen says it (a dropped file by its name, not where it was kept). */
    private readonly describeSource: (source: string) => string,
  ) {}

  install(spec: string, label: string, cleanup?: () => Promise<void>): string {
    return this.start(
      'install',
      label,
      (prompt, options) => this.plugins.install(spec, prompt, options),
      cleanup,
    );
  }

  /**
   * `previousDeclared`: what the installed version asks for (the update's consent shows the
   * difference); `from`: where to take the new version from instead of the recorded source.
   */
  update(
    name: string,
    previousDeclared: Capabilities | null,
    from: string | null = null,
    cleanup?: () => Promise<void>,
  ): string {
    return this.start(
      'update',
      `Updating ${name}`,
      (prompt, options) => this.plugins.update(name, prompt, options, from),
      cleanup,
      previousDeclared,
    );
  }

  list(): Operation[] {
    return [...[...this.live.values()].map((l) => l.op), ...this.finished];
  }

  pendingConsents(): ConsentView[] {
    return [...this.live.values()].flatMap((l) => (l.consent ? [l.consent.view] : []));
  }

  answer(params: ParsedParams<'consent.answer'>): void {
    const live = [...this.live.values()].find((l) => l.consent?.view.id === params.consentId);
    if (!live?.consent)
      throw new IpcError(
        'consent_not_pending',
        'This consent request is no longer waiting for an answer (it was answered, cancelled or the install ended).',
      );
    const { resolve } = live.consent;
    live.consent = null;
    live.op.state = 'running';
    live.op.consentId = null;
    const decision = decisionFrom(params.decision);
    this.hub.emit('consent.settled', {
      consentId: params.consentId,
      outcome: decision ? 'granted' : 'declined',
    });
    resolve(decision);
  }

  cancel(operationId: string): void {
    const live = this.live.get(operationId);
    if (!live) throw new IpcError('operation_not_running', 'This install or update is not running any more.');
    live.abort.abort();
    if (live.consent) {
      const { view, resolve } = live.consent;
      live.consent = null;
      this.hub.emit('consent.settled', { consentId: view.id, outcome: 'cancelled' });
      resolve(null);
    }
  }

  /** Cancels everything (shutdown). */
  close(): void {
    for (const id of [...this.live.keys()]) this.cancel(id);
  }

  private start(
    kind: Operation['kind'],
    label: string,
    work: (
      prompt: ConsentPrompt,
      options: { onProgress: (p: InstallProgress) => void; signal: AbortSignal },
    ) => Promise<InstallOutcome>,
    cleanup?: () => Promise<void>,
    previousDeclared: Capabilities | null = null,
  ): string {
    const id = randomUUID();
    const live: Live = {
      op: {
        id,
        kind,
        label,
        state: 'running',
        startedAt: Date.now(),
        progress: null,
        consentId: null,
        outcome: null,
        error: null,
      },
      abort: new AbortController(),
      consent: null,
    };
    this.live.set(id, live);
    const prompt: ConsentPrompt = (request) =>
      new Promise((resolve) => {
        if (live.abort.signal.aborted) return resolve(null);
        const view = {
          ...consentView(randomUUID(), id, request, previousDeclared),
          source: this.describeSource(request.source),
        };
        live.consent = { view, resolve };
        live.op.state = 'waiting_for_consent';
        live.op.consentId = view.id;
        this.progress(live, {
          phase: 'consent',
          message: `Waiting for your answer about ${view.plugin.name}`,
        });
        this.hub.emit('consent.requested', { request: view });
      });
    const onProgress = (p: InstallProgress) => this.progress(live, p);
    void work(prompt, { onProgress, signal: live.abort.signal })
      .then(
        (outcome) => {
          live.op.state = 'succeeded';
          live.op.outcome = {
            name: outcome.name,
            version: outcome.version,
            granted: outcome.granted,
            tier: outcome.tier,
            replaced: outcome.replaced,
            withheld: outcome.withheld,
            warnings: outcome.warnings,
            upToDate: outcome.upToDate ?? null,
          };
          this.onInstalled(outcome);
        },
        (err) => {
          const declined = (err as { code?: unknown })?.code === 'install_declined';
          live.op.state = live.abort.signal.aborted || declined ? 'cancelled' : 'failed';
          live.op.error = live.abort.signal.aborted
            ? { code: 'install_cancelled', message: 'Cancelled; nothing was installed.' }
            : toErrorData(err);
        },
      )
      .finally(async () => {
        await cleanup?.().catch(() => undefined);
        live.consent = null;
        live.op.consentId = null;
        this.live.delete(id);
        this.finished.unshift(live.op);
        this.finished.splice(KEEP_FINISHED);
        this.hub.emit('operations.finished', {
          operationId: id,
          state: live.op.state as 'succeeded' | 'failed' | 'cancelled',
          outcome: live.op.outcome,
          error: live.op.error,
        });
      });
    return id;
  }

  private progress(live: Live, p: InstallProgress | { phase: 'consent'; message: string }): void {
    const progress = { phase: p.phase, message: p.message } as Operation['progress'] & object;
    if ('bytes' in p && typeof p.bytes === 'number') progress.bytes = p.bytes;
    if ('total' in p && typeof p.total === 'number') progress.total = p.total;
    live.op.progress = progress;
    this.hub.emit('operations.progress', { operationId: live.op.id, progress });
  }
}
