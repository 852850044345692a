// A tab that stops reading (a frozen or throttled page) never holds the others back: once too much
// is queued for it the server disconnects it, the other tab gets every line meanwhile, and the slow
// tab, reconnecting with the last batch it saw, gets the rest: nothing lost, nothing twice.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer } from '../../electron/serve/server.js';
import { type SocketLike, webSocketTransport } from '../../renderer/bridge/ws-transport.js';
import { createClient } from '../../shared/ipc/index.js';
import { appWorld, closeAll, installViaApp, pluginFolder } from '../app/helpers.js';
import { waitFor } from '../ipc/scenario.js';
import { get } from './helpers.js';

afterAll(closeAll);

interface Frame {
  t: string;
  batch?: {
    epoch: string;
    seq: number;
    events: { name: string; payload: { runId?: string; events?: { type: string; text?: string }[] } }[];
  };
}

describe('browser mode: a slow tab', () => {
  it('is disconnected when too far behind, and resumes with nothing lost', { timeout: 180_000 }, async () => {
    const COUNT = 180_000; // more than loopback's socket buffers hold; within what the server keeps for resume
    const world = await appWorld({ mode: 'browser' });
    await installViaApp(world, await pluginFolder(world.root, 'fledge-flood', 'flood', {}, { COUNT }));
    const server = await startServer({
      service: world.service,
      rendererDir: join(world.root, 'none'),
      bridgeFile: join(world.root, 'none.js'),
      maxBufferedBytes: 256 * 1024,
    });
    const origin = `http://127.0.0.1:${server.port}`;
    const cookie = String((await get(server.url)).headers['set-cookie']?.[0]).split(';')[0]!;
    const headers = { Origin: origin, Cookie: cookie };
    try {
      const fast = webSocketTransport({
        url: `ws://127.0.0.1:${server.port}/ipc`,
        connect: (u) => new WebSocket(u, { headers }) as unknown as SocketLike,
      });
      const a = createClient(fast);
      await a.app.info();

      // The slow tab: subscribes, then stops reading its socket.
      let runId = '';
      const texts: string[] = [];
      const gaps: string[] = [];
      let last: { epoch: string; seq: number } | null = null;
      const onFrame = (raw: unknown) => {
        const f = JSON.parse(String(raw)) as Frame;
        if (f.t !== 'events' || !f.batch) return;
        if (last && f.batch.seq <= last.seq) return;
        if (last && f.batch.seq > last.seq + 1) gaps.push(`${last.seq} -> ${f.batch.seq}`);
        last = { epoch: f.batch.epoch, seq: f.batch.seq };
        for (const e of f.batch.events)
          if (e.name === 'runs.events' && e.payload.runId === runId)
            for (const x of e.payload.events ?? []) if (x.type === 'output') texts.push(x.text!);
      };
      const slow = new WebSocket(`ws://127.0.0.1:${server.port}/ipc`, { headers });
      await new Promise((r) => slow.once('open', r));
      slow.on('message', onFrame);
      slow.send(JSON.stringify({ t: 'resume', epoch: null, seq: null }));
      await new Promise((r) => setTimeout(r, 50));
      (slow as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

      const seenA: string[] = [];
      a.on('runs.events', (p) => {
        for (const e of p.events) if (e.type === 'output') seenA.push(e.text);
      });
      const ended = waitFor(a, 'runs.ended', () => true, 60_000);
      runId = (await a.runs.start({ plugin: 'fledge-flood' })).id;
      await ended;
      expect(seenA.length).toBe(COUNT);

      // The slow tab reads again: what was queued, then the server's "too far behind" close.
      const closed = new Promise<number>((r) => slow.once('close', (code) => r(code)));
      (slow as unknown as { _socket: { resume(): void } })._socket.resume();
      expect(await closed).toBe(1013);
      // (How much arrived before the close depends on the kernel's socket buffers: usually far from all.)

      // Reconnecting from the last batch it saw: the rest, without a gap.
      const again = new WebSocket(`ws://127.0.0.1:${server.port}/ipc`, { headers });
      await new Promise((r) => again.once('open', r));
      again.on('message', onFrame);
      const pos = last as { epoch: string; seq: number } | null;
      expect(pos).not.toBeNull();
      again.send(JSON.stringify({ t: 'resume', epoch: pos!.epoch, seq: pos!.seq }));
      await expect.poll(() => texts.length === COUNT || gaps.length > 0, { timeout: 90_000 }).toBe(true);
      expect(gaps).toEqual([]);
      expect(texts).toEqual(Array.from({ length: COUNT }, (_, i) => String(i)));
      again.close();
      fast.close();
    } finally {
      await server.close();
    }
  });

  it('cannot have more than 32 calls in flight; the rest are refused at once, and the others answered', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const world = await appWorld({
      mode: 'browser',
      catalog: () => ({
        search: async () => {
          await gate;
          return {
            results: [],
            fetchedAt: new Date(0).toISOString(),
            fromCache: false,
            ageSeconds: 0,
            reason: null,
          };
        },
      }),
    });
    const server = await startServer({
      service: world.service,
      rendererDir: world.root,
      bridgeFile: world.root,
    });
    try {
      const cookie = String((await get(server.url)).headers['set-cookie']?.[0]).split(';')[0]!;
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ipc`, {
        headers: { Origin: `http://127.0.0.1:${server.port}`, Cookie: cookie },
      });
      await new Promise((r) => ws.once('open', r));
      const replies = new Map<number, { ok: boolean; error?: { code: string } }>();
      ws.on('message', (d) => {
        const f = JSON.parse(String(d));
        if (f.t === 'reply') replies.set(f.id, f.reply);
      });
      for (let id = 0; id < 40; id++)
        ws.send(JSON.stringify({ t: 'call', id, method: 'catalog.search', params: {} }));
      await expect.poll(() => replies.size).toBe(8);
      expect([...replies.values()].every((r) => r.error?.code === 'busy')).toBe(true);
      release();
      await expect.poll(() => replies.size).toBe(40);
      expect([...replies.values()].filter((r) => r.ok).length).toBe(32);
      ws.close();
    } finally {
      await server.close();
    }
  });
});
