/**
 * The app's event stream to every window and tab: events are checked against the contract, gathered
 * for at most one batch interval (16 ms), sent as numbered batches (none dropped; consecutive output
 * of one run coalesced), and the recent batches are kept so a client that reconnects resumes without gaps.
 */
import { randomUUID } from 'node:crypto';
import {
  BATCH_INTERVAL_MS,
  type EventBatch,
  type EventName,
  type EventPayload,
  events,
} from '../../../shared/ipc/index.js';

export type BatchListener = (batch: EventBatch) => void;

export interface EventHubOptions {
  intervalMs?: number;
  /** Batches kept for resume (default 65,536: over 17 minutes of the busiest stream; events are the real bound). */
  keepBatches?: number;
  /** Events kept for resume, over all kept batches (default 200,000). */
  keepEvents?: number;
  /** Told about an event the host itself got wrong (it is replaced by a log line, not dropped silently). */
  onInvalid?: (name: string, message: string) => void;
}

interface Pending {
  name: string;
  payload: unknown;
}

export class EventHub {
  /** Names this life of the host: a client that sees another epoch reloads its state. */
  readonly epoch = randomUUID();
  private seq = 0;
  private pending: Pending[] = [];
  private pendingCount = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private readonly kept: EventBatch[] = [];
  private keptEvents = 0;
  private readonly listeners = new Set<BatchListener>();
  private readonly intervalMs: number;
  private readonly keepBatches: number;
  private readonly keepEvents: number;

  constructor(private readonly options: EventHubOptions = {}) {
    this.intervalMs = options.intervalMs ?? BATCH_INTERVAL_MS;
    this.keepBatches = options.keepBatches ?? 65_536;
    this.keepEvents = options.keepEvents ?? 200_000;
  }

  /** The last batch number sent. */
  get position(): number {
    return this.seq;
  }

  /** Queues an event for the next batch. */
  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    const checked = events[name].safeParse(payload);
    let value: unknown = checked.success ? checked.data : payload;
    if (!checked.success) {
      const message = checked.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ');
      this.options.onInvalid?.(name, message);
      if (name !== 'runs.events') return;
      // Never lose a run's events silently: say in the run's log what could not be shown.
      const runId = (payload as EventPayload<'runs.events'>).runId;
      value = {
        runId,
        events: [
          {
            type: 'log',
            t: Date.now(),
            level: 'warn',
            source: 'host',
            message: `Fledge Desktop could not show some of this run's events (${message}).`,
          },
        ],
      };
    }
    const last = this.pending[this.pending.length - 1];
    if (name === 'runs.events' && last?.name === 'runs.events') {
      const a = last.payload as EventPayload<'runs.events'>;
      const b = value as EventPayload<'runs.events'>;
      if (a.runId === b.runId) {
        for (const e of b.events) a.events.push(e);
        this.pendingCount += b.events.length;
        this.schedule();
        return;
      }
    }
    if (name === 'runs.events') {
      const b = value as EventPayload<'runs.events'>;
      value = { runId: b.runId, events: [...b.events] };
      this.pendingCount += b.events.length;
    } else this.pendingCount += 1;
    this.pending.push({ name, payload: value });
    this.schedule();
  }

  /** Receives every batch from now on. */
  subscribe(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * The batches after `seq` of `epoch`, to replay to a client that reconnects. When they are no
   * longer all kept (or the epoch is another one), a marker batch with no events and the current
   * position: the client sees the gap (or the new epoch) and reloads its state.
   */
  replay(epoch: string | null, seq: number | null): EventBatch[] {
    if (epoch === null || seq === null) return [];
    const marker: EventBatch = { epoch: this.epoch, seq: this.seq, events: [] };
    if (epoch !== this.epoch) return [marker];
    if (seq >= this.seq) return [];
    const first = this.kept[0]?.seq ?? this.seq + 1;
    if (seq + 1 < first) return [marker];
    return this.kept.filter((b) => b.seq > seq);
  }

  /** Sends what is queued now (tests; shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    this.lastFlush = performance.now();
    const batch: EventBatch = { epoch: this.epoch, seq: ++this.seq, events: this.pending };
    const count = this.pendingCount;
    this.pending = [];
    this.pendingCount = 0;
    this.kept.push(batch);
    this.keptEvents += count;
    while (
      this.kept.length > this.keepBatches ||
      (this.keptEvents > this.keepEvents && this.kept.length > 1)
    ) {
      const old = this.kept.shift()!;
      this.keptEvents -= countEvents(old);
    }
    for (const l of this.listeners) {
      try {
        l(batch);
      } catch {
        // One broken client must not stop the others.
      }
    }
  }

  close(): void {
    this.flush();
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      // Timers may fire a little early: never two batches closer than the interval.
      this.timer = null;
      if (performance.now() - this.lastFlush < this.intervalMs) this.schedule();
      else this.flush();
    }, Math.ceil(wait));
  }
}

function countEvents(batch: EventBatch): number {
  let n = 0;
  for (const e of batch.events)
    n += e.name === 'runs.events' ? (e.payload as { events: unknown[] }).events.length : 1;
  return n;
}
