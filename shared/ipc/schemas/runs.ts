/**
 * Runs over the wire: the events of a run (as the engine emits them, camelCase), a run's summary and
 * end, its kept output, and the requests to start, answer, cancel and list runs.
 */
import { z } from 'zod';
import {
  capabilities,
  commandName,
  count,
  epochMs,
  id,
  limits,
  line,
  MAX_HOST_TEXT,
  MAX_TEXT,
  path,
  pluginName,
  text,
} from './common.js';

export const endReason = z.enum([
  'exit',
  'fuel',
  'timeout',
  'memory',
  'stack',
  'trap',
  'crash',
  'error',
  'cancelled',
]);
export const requestKind = z.enum(['prompt', 'confirm', 'select', 'multi_select']);
const t = epochMs;

export const requestEvent = z.object({
  type: z.literal('request'),
  t,
  id: text(1024),
  kind: requestKind,
  message: text(MAX_TEXT),
  options: z.array(text(MAX_TEXT)).max(10_000).optional(),
  default: z.unknown().optional(),
  defaults: z.array(count).max(10_000).optional(),
  validate: text(4096).optional(),
});

export const runEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    t,
    runId: id,
    plugin: line(128),
    command: line(128),
    pid: z.number().int().nullable(),
  }),
  z.object({ type: z.literal('output'), t, text: text(MAX_HOST_TEXT) }),
  z.object({
    type: z.literal('log'),
    t,
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: text(MAX_HOST_TEXT),
    source: z.enum(['plugin', 'host']),
  }),
  z.object({
    type: z.literal('progress'),
    t,
    message: text(MAX_TEXT).optional(),
    current: z.number().optional(),
    total: z.number().optional(),
    done: z.boolean().optional(),
  }),
  requestEvent,
  z.object({ type: z.literal('stderr'), t, line: text(MAX_HOST_TEXT) }),
  z.object({
    type: z.literal('exec'),
    t,
    command: text(MAX_TEXT),
    cwd: text(4096).nullable(),
    code: z.number().int(),
    durationMs: count,
  }),
  /** A file the plugin opened under a mount (what-it-touched report). */
  z.object({
    type: z.literal('file'),
    t,
    mount: line(64),
    path: text(4096),
    access: z.enum(['read', 'write']),
  }),
  /** A request the sandbox denied (capability not granted). */
  z.object({ type: z.literal('denied'), t, capability: line(64), what: text(4096) }),
  /** A store key the plugin wrote (never the value). */
  z.object({ type: z.literal('store'), t, key: text(1024) }),
  /** The metadata keys a request of the plugin was answered with. */
  z.object({ type: z.literal('metadata'), t, keys: z.array(line(128)).max(64) }),
  z.object({
    type: z.literal('exit'),
    t,
    code: z.number().int(),
    reason: endReason,
    message: text(MAX_TEXT),
    fuelUsed: count,
    durationMs: count,
  }),
]);

export const runEnd = z.object({
  code: z.number().int(),
  reason: endReason,
  /** Plain words for a person ("Plugin 'x' exceeded time limit (60 seconds)"). */
  message: text(MAX_TEXT),
  fuelUsed: count,
  durationMs: count,
  peakMemoryBytes: count,
  peakRssBytes: count.nullable(),
  endedAt: epochMs,
});

export const runSummary = z.object({
  id,
  plugin: line(128),
  pluginVersion: line(128),
  command: line(128),
  args: z.array(text(MAX_TEXT)).max(256),
  projectPath: text(4096).nullable(),
  projectName: line().nullable(),
  grants: capabilities,
  limits,
  startedAt: epochMs,
  state: z.enum(['running', 'ended']),
  end: runEnd.nullable(),
  /** Questions still waiting for an answer (live runs only). */
  pendingRequests: z.array(requestEvent).max(1000),
});

/** A run's kept output: every event up to the cap, then `truncated`. */
export const runOutput = z.object({
  events: z.array(runEvent),
  truncated: z.boolean(),
  /** Events the run emitted in all (kept or not). */
  totalEvents: count,
});

export const runRecord = runSummary.extend({ output: runOutput });

export const startRunRequest = z.strictObject({
  plugin: pluginName,
  /** Default: the plugin's first command. */
  command: commandName.optional(),
  args: z.array(text(4096)).max(256, { message: 'has too many arguments (at most 256)' }).optional(),
  /** Default: the current project (none when no project is open). */
  projectPath: path.nullable().optional(),
});

/** What a request accepts: text for prompt/select, yes/no for confirm, a list for multi_select. */
export const answerValue = z.union(
  [z.string().max(MAX_TEXT), z.boolean(), z.array(z.string().max(MAX_TEXT)).max(10_000)],
  { message: 'must be text, true or false, or a list of texts' },
);

export const answerRequest = z.strictObject({ runId: id, requestId: text(1024), value: answerValue });
export const runIdRequest = z.strictObject({ runId: id });
export const runEventsRequest = z.strictObject({
  runId: id,
  /** Only events after this many (for a client catching up on a live run). */
  after: count.optional(),
});
export const historyRequest = z.strictObject({
  /** Default: the current project. */
  projectPath: path.nullable().optional(),
  plugin: pluginName.optional(),
  limit: z.number().int().min(1).max(500).optional(),
});
export const clearHistoryRequest = z.strictObject({ projectPath: path.nullable().optional() });
