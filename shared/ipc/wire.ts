/**
 * The messages every transport carries, whatever it is (Electron IPC, the browser-mode WebSocket,
 * in-process): a call and its reply, and numbered event batches. Also the channel names.
 */
import { z } from 'zod';
import { ipcErrorShape } from './schemas/operations.js';

/** Electron IPC channels (ipcMain.handle / webContents.send). */
export const IPC_CHANNELS = {
  /** invoke(call: {method, params}) -> Reply */
  call: 'fledge:call',
  /** send(EventBatch) to every window */
  events: 'fledge:events',
} as const;

/** The path of the browser-mode WebSocket. */
export const WS_PATH = '/ipc';

/** At most one event batch per this many milliseconds (an animation frame's worth). */
export const BATCH_INTERVAL_MS = 16;

/** A method's answer: its result, or an error for a person. */
export const reply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ipcErrorShape }),
]);
export type Reply = z.output<typeof reply>;

/** A call as a client sends it (the method and params are checked against the contract separately). */
export const call = z.strictObject({
  method: z.string().max(128),
  params: z.unknown(),
});

/**
 * Events, batched. `seq` numbers batches 1, 2, 3... across the host's life (`epoch` names that life:
 * a restarted host starts a new epoch, and a client that sees a new one reloads its state).
 */
export const eventBatch = z.object({
  epoch: z.string().max(64),
  /** 0 only for a marker batch without events (the host's current position, after a failed resume). */
  seq: z.number().int().min(0),
  events: z.array(z.object({ name: z.string().max(128), payload: z.unknown() })).max(100_000),
});
export type EventBatch = z.output<typeof eventBatch>;

/** Browser-mode WebSocket frames, client -> host. `id` pairs a call with its reply. */
export const wsClientFrame = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('call'),
    id: z.number().int().min(0),
    method: z.string().max(128),
    params: z.unknown(),
  }),
  /** After (re)connecting: send every batch after `seq` of `epoch` (null: only new ones). */
  z.strictObject({
    t: z.literal('resume'),
    epoch: z.string().max(64).nullable(),
    seq: z.number().int().min(0).nullable(),
  }),
]);
export type WsClientFrame = z.output<typeof wsClientFrame>;

/** Browser-mode WebSocket frames, host -> client. */
export type WsHostFrame =
  | { t: 'reply'; id: number; reply: Reply }
  | { t: 'events'; batch: EventBatch }
  | { t: 'error'; error: { code: string; message: string } };

export const wsHostFrame = z.discriminatedUnion('t', [
  z.object({ t: z.literal('reply'), id: z.number().int().min(0), reply }),
  z.object({ t: z.literal('events'), batch: eventBatch }),
  z.object({ t: z.literal('error'), error: ipcErrorShape }),
]);
