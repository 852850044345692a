/**
 * The contract over a WebSocket (browser mode's host side): each text frame is checked (size by
 * `ws`, then JSON, then the frame schema), calls go to the dispatcher (which checks them against the
 * contract), replies carry the call's id. Events: after `resume`, the batches the client missed,
 * then every new one, handed to the socket one at a time. A client that reads too slowly is
 * disconnected (it reconnects and resumes, so nothing is lost); a client cannot have more than a few
 * dozen calls in flight.
 */

import type { WebSocket } from 'ws';
import type { Dispatch, Reply } from '../../shared/ipc/index.js';
import {
  describeIssues,
  type EventBatch,
  IPC_ERROR_CODES,
  type WsHostFrame,
  wsClientFrame,
} from '../../shared/ipc/index.js';
import type { EventHub } from '../engine/app/index.js';

/** Largest frame a client may send (a dropped archive of 32 MB is about 43 MB as base64). */
export const MAX_FRAME_BYTES = 48 * 1024 * 1024;
/** Calls in flight per connection. */
export const MAX_IN_FLIGHT = 32;
/** Bytes of live frames waiting for a client before it is considered stuck (replays do not count). */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/**
 * The first screen's list, read as a window connects (while its code is still starting) and given
 * to its first `plugins.list` call if that comes within this long and no plugin changed meanwhile.
 */
export const EARLY_LIST_MS = 3000;

let clients = 0;

export function serveConnection(
  socket: WebSocket,
  dispatch: Dispatch,
  hub: EventHub,
  maxBufferedBytes = MAX_BUFFERED_BYTES,
): void {
  const client = `ws:${++clients}`;
  let inFlight = 0;
  let unsubscribe: (() => void) | null = null;
  // Every window asks for the plugin list first: it is read now, beside the window's start-up, and
  // forgotten once used, after EARLY_LIST_MS, or when a plugin changes (the window then hears of it).
  let earlyList: Promise<Reply> | null = dispatch('plugins.list', {}, { client });
  const forgetEarly = () => {
    earlyList = null;
    clearTimeout(earlyTimer);
    stopWatching();
  };
  const earlyTimer = setTimeout(forgetEarly, EARLY_LIST_MS);
  const stopWatching = hub.subscribe((batch) => {
    if (batch.events.some((e) => e.name === 'plugins.changed')) forgetEarly();
  });
  // One frame handed to the socket at a time (the next when it is written out): what waits is ours to
  // count. Replayed batches (bounded by what the hub keeps) do not count; live frames piling up behind
  // a client that does not read do, and past the bound it is disconnected: it resumes when it is back.
  const queue: { text: string; live: boolean }[] = [];
  let liveBytes = 0;
  let writing = false;
  const pump = () => {
    while (!writing && queue.length > 0 && socket.readyState === socket.OPEN) {
      const next = queue.shift()!;
      if (next.live) liveBytes -= next.text.length;
      writing = true;
      socket.send(next.text, () => {
        writing = false;
        pump();
      });
    }
  };
  const send = (frame: WsHostFrame, live = true) => {
    if (socket.readyState !== socket.OPEN) return;
    const text = JSON.stringify(frame);
    queue.push({ text, live });
    if (live) liveBytes += text.length;
    if (liveBytes > maxBufferedBytes) {
      queue.length = 0;
      liveBytes = 0;
      socket.close(1013, 'Too far behind; reconnect to catch up.');
      return;
    }
    pump();
  };
  const refuse = (message: string, id?: number) =>
    id === undefined
      ? send({ t: 'error', error: { code: IPC_ERROR_CODES.invalidRequest, message } })
      : send({
          t: 'reply',
          id,
          reply: { ok: false, error: { code: IPC_ERROR_CODES.invalidRequest, message } },
        });

  socket.on('message', (data, isBinary) => {
    if (isBinary) return refuse('Send text frames of JSON.');
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return refuse('The message is not valid JSON.');
    }
    const frame = wsClientFrame.safeParse(raw);
    if (!frame.success) {
      const id = (raw as { id?: unknown } | null)?.id;
      return refuse(
        describeIssues('The message', frame.error.issues, raw),
        typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : undefined,
      );
    }
    const f = frame.data;
    if (f.t === 'resume') {
      unsubscribe?.();
      // Replay and subscribe in the same tick: no batch can fall between them.
      for (const batch of hub.replay(f.epoch, f.seq)) send({ t: 'events', batch }, false);
      unsubscribe = hub.subscribe((batch: EventBatch) => send({ t: 'events', batch }));
      return;
    }
    if (inFlight >= MAX_IN_FLIGHT)
      return send({
        t: 'reply',
        id: f.id,
        reply: {
          ok: false,
          error: { code: 'busy', message: 'Too many requests at once; wait for the answers and try again.' },
        },
      });
    inFlight += 1;
    const early = f.method === 'plugins.list' && isEmptyParams(f.params) ? earlyList : null;
    if (early) forgetEarly();
    void (early ?? dispatch(f.method, f.params, { client }))
      .then((reply) => send({ t: 'reply', id: f.id, reply }))
      .finally(() => {
        inFlight -= 1;
      });
  });
  socket.on('close', () => {
    unsubscribe?.();
    forgetEarly();
  });
  socket.on('error', () => socket.terminate());
}

function isEmptyParams(params: unknown): boolean {
  return (
    params === undefined ||
    (typeof params === 'object' &&
      params !== null &&
      !Array.isArray(params) &&
      Object.keys(params).length === 0)
  );
}
