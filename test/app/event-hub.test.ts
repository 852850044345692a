// The event stream's batching and numbering: at most one batch per interval, nothing dropped,
// a run's output coalesced in order, and the replay a reconnecting client gets (or the marker that
// tells it to reload when the replay cannot be complete).
import { describe, expect, it, vi } from 'vitest';
import { EventHub } from '../../electron/engine/app/event-hub.js';
import type { EventBatch } from '../../shared/ipc/index.js';

const output = (text: string) => ({ type: 'output' as const, t: 1, text });

function collect(hub: EventHub) {
  const batches: { at: number; batch: EventBatch }[] = [];
  hub.subscribe((batch) => batches.push({ at: performance.now(), batch }));
  return batches;
}

describe('EventHub', () => {
  it('sends at most one batch per interval, numbered 1, 2, 3..., with every event in order', () => {
    // On a clock of its own (the hub reads performance.now() and sets timeouts): the gaps are the hub's,
    // not a busy machine's.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const hub = new EventHub({ intervalMs: 16 });
      const got = collect(hub);
      let n = 0;
      // An event every 0.25 ms for 200 ms, as a flooding run sends them.
      for (let t = 0; t < 800; t++) {
        hub.emit('runs.events', { runId: 'r1', events: [output(String(n++))] });
        vi.advanceTimersByTime(0.25);
      }
      vi.advanceTimersByTime(40);
      expect(got.map((g) => g.batch.seq)).toEqual(got.map((_, i) => i + 1));
      for (let i = 1; i < got.length; i++) expect(got[i]!.at - got[i - 1]!.at).toBeGreaterThanOrEqual(16);
      expect(got.length).toBeGreaterThanOrEqual(Math.floor(200 / 17));
      expect(got.length).toBeLessThanOrEqual(Math.ceil(240 / 16) + 1);
      const texts = got.flatMap((g) =>
        g.batch.events.flatMap((e) =>
          (e.payload as { events: { text: string }[] }).events.map((x) => x.text),
        ),
      );
      expect(texts).toEqual(Array.from({ length: n }, (_, i) => String(i)));
      // Consecutive output of one run travels as one entry per batch.
      for (const g of got) expect(g.batch.events.length).toBe(1);
      hub.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the order of events of different runs and kinds', () => {
    const hub = new EventHub();
    const got = collect(hub);
    hub.emit('runs.events', { runId: 'a', events: [output('a1')] });
    hub.emit('runs.events', { runId: 'b', events: [output('b1')] });
    hub.emit('runs.events', { runId: 'b', events: [output('b2')] });
    hub.emit('plugins.changed', { names: ['x'] });
    hub.emit('runs.events', { runId: 'a', events: [output('a2')] });
    hub.flush();
    expect(got[0]!.batch.events.map((e) => e.name)).toEqual([
      'runs.events',
      'runs.events',
      'plugins.changed',
      'runs.events',
    ]);
    expect(got[0]!.batch.events[1]!.payload).toEqual({ runId: 'b', events: [output('b1'), output('b2')] });
  });

  it('replays what a client missed; when it cannot, sends a marker so the client reloads', () => {
    const hub = new EventHub({ keepBatches: 3 });
    for (let i = 0; i < 5; i++) {
      hub.emit('plugins.changed', { names: [String(i)] });
      hub.flush();
    }
    expect(hub.replay(hub.epoch, 3).map((b) => b.seq)).toEqual([4, 5]);
    expect(hub.replay(hub.epoch, 5)).toEqual([]);
    expect(hub.replay(null, null)).toEqual([]);
    // Batch 2 is no longer kept: a gap would be silent without the marker.
    expect(hub.replay(hub.epoch, 1)).toEqual([{ epoch: hub.epoch, seq: 5, events: [] }]);
    expect(hub.replay('another-life', 2)).toEqual([{ epoch: hub.epoch, seq: 5, events: [] }]);
  });

  it('never loses a run event silently: one the host got wrong becomes a warning in the run', () => {
    const problems: string[] = [];
    const hub = new EventHub({ onInvalid: (name, message) => problems.push(`${name}: ${message}`) });
    const got = collect(hub);
    hub.emit('runs.events', { runId: 'r', events: [{ type: 'output', t: 1, text: 5 } as never] });
    hub.emit('plugins.changed', { names: 'x' } as never);
    hub.flush();
    expect(problems).toHaveLength(2);
    expect(got[0]!.batch.events).toEqual([
      {
        name: 'runs.events',
        payload: {
          runId: 'r',
          events: [
            expect.objectContaining({
              type: 'log',
              level: 'warn',
              message: expect.stringMatching(/could not show/),
            }),
          ],
        },
      },
    ]);
  });
});
