// Live runs over browser mode's WebSocket: two tabs see the same run, every line once and in order;
// a tab whose connection drops in the middle of a flood reconnects and resumes without a gap; a tab
// of a host that restarted is told to reload its state (app.resync).
import { afterAll, describe, expect, it } from 'vitest';
import { AppService } from '../../electron/engine/app/index.js';
import { startServer } from '../../electron/serve/server.js';
import type { FledgeApi } from '../../shared/ipc/index.js';
import { closeAll, installViaApp, pluginFolder } from '../app/helpers.js';
import { waitFor } from '../ipc/scenario.js';
import { closeServers, servedWorld } from './helpers.js';

afterAll(async () => {
  await closeServers();
  await closeAll();
});

/** Every output text of `runId` this client receives, in arrival order. */
function outputs(client: FledgeApi, runId: () => string | null) {
  const texts: string[] = [];
  client.on('runs.events', (p) => {
    if (p.runId !== runId()) return;
    for (const e of p.events) if (e.type === 'output') texts.push(e.text);
  });
  return texts;
}

const expected = (n: number) => Array.from({ length: n }, (_, i) => String(i));

describe('browser mode: live runs', () => {
  it('two tabs see the same live run, every line once and in order; one drops and resumes without a gap', async () => {
    const world = await servedWorld();
    const COUNT = 100_000;
    await installViaApp(world, await pluginFolder(world.root, 'fledge-flood', 'flood', {}, { COUNT }));
    const a = world.wsClient();
    const b = world.wsClient();
    let runId: string | null = null;
    const seenA = outputs(a.client, () => runId);
    const seenB = outputs(b.client, () => runId);
    const statuses: string[] = [];
    b.client.onStatus((s) => statuses.push(s));
    await b.client.app.info(); // both connected and subscribed
    await a.client.app.info();

    // B's connection drops as soon as the output starts flowing.
    let dropped = false;
    b.client.on('runs.events', (p) => {
      if (!dropped && p.runId === runId && p.events.some((e) => e.type === 'output')) {
        dropped = true;
        b.transport.drop();
      }
    });
    const endA = waitFor(a.client, 'runs.ended', (p) => p.run.id === runId, 60_000);
    const endB = waitFor(b.client, 'runs.ended', (p) => p.run.id === runId, 60_000);
    runId = (await a.client.runs.start({ plugin: 'fledge-flood' })).id;
    expect((await endA).run.end).toMatchObject({ reason: 'exit', code: 0 });
    await endB;
    expect(dropped).toBe(true);
    expect(statuses).toContain('reconnecting');
    expect(seenA.length).toBe(COUNT);
    expect(seenA).toEqual(expected(COUNT));
    expect(seenB.length).toBe(COUNT);
    expect(seenB).toEqual(expected(COUNT));
  });

  it('a tab of a host that restarted gets app.resync, and its calls work again', async () => {
    const first = await servedWorld();
    const { client } = first.wsClient();
    await client.app.info(); // connected (and resumed) before anything happens
    const changed = waitFor(client, 'settings.changed');
    await first.client.settings.update({ theme: 'dark' }); // a batch, so the tab has a position
    await changed;
    const resync = waitFor(client, 'app.resync');
    const port = first.server.port;
    await first.server.close();
    await first.service.close();
    const service = await new AppService({ configDir: first.configDir, mode: 'browser' }).start();
    const again = await startServer({
      service,
      port,
      token: first.server.token,
      rendererDir: first.root,
      bridgeFile: first.root,
    });
    try {
      expect((await resync).reason).toMatch(/restarted/);
      expect((await client.settings.get()).theme).toBe('dark');
    } finally {
      await again.close();
      await service.close();
    }
  });
});
