// Every method and every event of the contract round-trips through each transport: in-process
// (serialised as on a wire) and the browser-mode WebSocket, against a real AppService.
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, EVENT_NAMES, METHOD_NAMES } from '../../shared/ipc/index.js';
import { appWorld, closeAll } from '../app/helpers.js';
import { closeServers, servedWorld } from '../serve/helpers.js';
import { exerciseContract, recordEvents, waitFor } from './scenario.js';

afterAll(async () => {
  await closeServers();
  await closeAll();
});

const everyEventButResync = EVENT_NAMES.filter((n) => n !== 'app.resync').sort();

describe('the whole contract round-trips', () => {
  it('through the in-process transport', async () => {
    const world = await appWorld();
    const seen = recordEvents(world.client);
    const covered = await exerciseContract(world.client, world.root, 'headless');
    expect([...covered].sort()).toEqual([...METHOD_NAMES].sort());
    expect([...new Set(seen.map((e) => e.name))].sort()).toEqual(everyEventButResync);
  });

  it('through the browser-mode WebSocket', async () => {
    const world = await servedWorld();
    const { client } = world.wsClient();
    const seen = recordEvents(client);
    const covered = await exerciseContract(client, world.root, 'browser');
    expect([...covered].sort()).toEqual([...METHOD_NAMES].sort());
    expect([...new Set(seen.map((e) => e.name))].sort()).toEqual(everyEventButResync);
  });
});

describe('app.resync', () => {
  it('reaches an in-process client when the host it listens to is a new one (a new epoch)', async () => {
    const one = await appWorld();
    const two = await appWorld();
    let forward: ((batch: unknown) => void) | null = null;
    const client = createClient({
      call: (m, p) => one.service.dispatch(m, p),
      subscribe: (l) => {
        forward = l;
        const offOne = one.service.hub.subscribe((b) => forward?.(JSON.parse(JSON.stringify(b))));
        const offTwo = two.service.hub.subscribe((b) => forward?.(JSON.parse(JSON.stringify(b))));
        return () => {
          offOne();
          offTwo();
        };
      },
    });
    const resync = waitFor(client, 'app.resync');
    const first = waitFor(client, 'settings.changed');
    await one.client.settings.update({ theme: 'dark' });
    await first;
    await two.client.settings.update({ theme: 'light' });
    expect((await resync).reason).toMatch(/restarted/);
  });
});
