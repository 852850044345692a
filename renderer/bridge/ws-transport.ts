/**
 * The browser-mode transport of the IPC contract: one WebSocket to the local server, calls paired
 * with replies by id, event batches passed on as they come. When the connection drops it
 * reconnects (100 ms, doubling to 5 s) and resumes from the last batch it saw, so no event is
 * missed; calls in flight when it dropped fail with "did not answer", calls made while it is down
 * wait for it (30 s). No DOM or Node types: it takes any WebSocket-like constructor.
 */
import type { ConnectionStatus, Transport } from '../../shared/ipc/index.js';

/** What this needs of a WebSocket (the browser's, or `ws` in tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface WsTransportOptions {
  url: string;
  connect: (url: string) => SocketLike;
  /** How long a call made while disconnected waits for the connection (default 30 s). */
  queueTimeoutMs?: number;
  maxBackoffMs?: number;
}

export interface WsTransport extends Transport {
  /** Closes for good (no reconnect). */
  close(): void;
  /** Drops the connection as a network failure would (tests). */
  drop(): void;
}

const OPEN = 1;

export function webSocketTransport(options: WsTransportOptions): WsTransport {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const queued: { frame: string; id: number; timer: ReturnType<typeof setTimeout> }[] = [];
  const batchListeners = new Set<(batch: unknown) => void>();
  const statusListeners = new Set<(s: ConnectionStatus) => void>();
  let socket: SocketLike | null = null;
  let status: ConnectionStatus = 'connecting';
  let closed = false;
  let backoff = 100;
  let nextId = 1;
  let epoch: string | null = null;
  let seq: number | null = null;

  const setStatus = (s: ConnectionStatus) => {
    if (s === status) return;
    status = s;
    for (const l of statusListeners) l(s);
  };

  const onFrame = (text: string) => {
    let frame: { t?: unknown; id?: unknown; reply?: unknown; batch?: unknown };
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame?.t === 'reply' && typeof frame.id === 'number') {
      const p = pending.get(frame.id);
      pending.delete(frame.id);
      p?.resolve(frame.reply);
    } else if (frame?.t === 'events' && frame.batch && typeof frame.batch === 'object') {
      const b = frame.batch as { epoch?: unknown; seq?: unknown };
      if (typeof b.epoch === 'string' && typeof b.seq === 'number') {
        if (b.epoch !== epoch || seq === null || b.seq > seq) {
          epoch = b.epoch;
          seq = b.seq;
        }
      }
      for (const l of batchListeners) l(frame.batch);
    }
  };

  const open = () => {
    if (closed) return;
    const s = options.connect(options.url);
    socket = s;
    s.onopen = () => {
      backoff = 100;
      setStatus('connected');
      s.send(JSON.stringify({ t: 'resume', epoch, seq }));
      for (const q of queued.splice(0)) {
        clearTimeout(q.timer);
        s.send(q.frame);
      }
    };
    s.onmessage = (ev) => {
      if (typeof ev.data === 'string') onFrame(ev.data);
      else if (ev.data && typeof (ev.data as { toString(): string }).toString === 'function')
        onFrame(String(ev.data));
    };
    s.onerror = () => undefined;
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error('the connection to Fledge Desktop was lost'));
      }
      if (closed) return setStatus('closed');
      setStatus('reconnecting');
      const wait = backoff;
      backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 5000);
      setTimeout(open, wait);
    };
  };

  open();

  return {
    call(method, params) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        const frame = JSON.stringify({ t: 'call', id, method, params });
        pending.set(id, { resolve, reject });
        if (socket && socket.readyState === OPEN) {
          socket.send(frame);
          return;
        }
        if (closed) {
          pending.delete(id);
          return reject(new Error('the connection to Fledge Desktop is closed'));
        }
        const timer = setTimeout(() => {
          const at = queued.findIndex((q) => q.id === id);
          if (at >= 0) queued.splice(at, 1);
          pending.delete(id);
          reject(new Error('Fledge Desktop could not be reached'));
        }, options.queueTimeoutMs ?? 30_000);
        queued.push({ frame, id, timer });
      });
    },
    subscribe(listener) {
      batchListeners.add(listener);
      return () => {
        batchListeners.delete(listener);
      };
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => {
        statusListeners.delete(listener);
      };
    },
    close() {
      closed = true;
      socket?.close(1000);
      setStatus('closed');
    },
    drop() {
      socket?.close(4000, 'dropped');
    },
  };
}
