/**
 * Every event of the IPC contract (host -> clients) with its payload schema. Events travel in
 * batches (see wire.ts), each batch numbered, so a client that reconnects resumes without gaps.
 */
import { z } from 'zod';
import { id, line } from './schemas/common.js';
import { consentOutcome, consentRequest } from './schemas/consent.js';
import { installOutcome, installProgress, ipcErrorShape } from './schemas/operations.js';
import { projectsState } from './schemas/projects.js';
import { runEvent, runSummary } from './schemas/runs.js';
import { settings } from './schemas/settings.js';

export const events = {
  /** A run began (from any window or tab). */
  'runs.started': z.object({ run: runSummary }),
  /** Events of a run, in order (output of one batch window is coalesced, never dropped). */
  'runs.events': z.object({ runId: id, events: z.array(runEvent) }),
  /** A run ended; `run.end` says how, in plain words. */
  'runs.ended': z.object({ run: runSummary }),
  'operations.progress': z.object({ operationId: id, progress: installProgress }),
  'operations.finished': z.object({
    operationId: id,
    state: z.enum(['succeeded', 'failed', 'cancelled']),
    outcome: installOutcome.nullable(),
    error: ipcErrorShape.nullable(),
  }),
  /** An install or update waits for the person's answer (consent.answer). */
  'consent.requested': z.object({ request: consentRequest }),
  'consent.settled': z.object({ consentId: id, outcome: consentOutcome }),
  /** Installed plugins changed (install, update, remove, grants, limits, enabled): list them again. */
  'plugins.changed': z.object({ names: z.array(line(128)).max(10_000) }),
  'projects.changed': projectsState,
  'settings.changed': z.object({ settings }),
  /**
   * The host could not replay everything this client missed (it was away too long): reload the
   * state (plugins, runs, operations) instead of relying on events.
   */
  'app.resync': z.object({ reason: line(1024) }),
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<N extends EventName> = z.output<Events[N]>;

export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** One event inside a batch. */
export type AnyEvent = { [N in EventName]: { name: N; payload: EventPayload<N> } }[EventName];
