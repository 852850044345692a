// Every method and every event of the contract round-trips through each transport: in-process
// (serialised as on a wire) and the browser-mode WebSocket, against a real AppService.
import { afterAll, describe, expect, it } from 'vitest';
import { EVENT_NAMES, METHOD_NAMES } from '../../shared/ipc/index.js';
import { appWorld, closeAll } from '../app/helpers.js';
import { closeServers, servedWorld } from '../serve/helpers.js';
import { exerciseContract, recordEvents } from './scenario.js';

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
