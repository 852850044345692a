// Back-pressure under Electron's utilityProcess. parentPort gives the sandbox no "written" signal, so
// the launcher acknowledges each events batch and the end it handled (`delivered`). With them a
// flood arrives whole and in order, end included (before, the sandbox exited with its end still
// queued behind the flood: a 'crash'); without them the sandbox holds the plugin at its in-flight
// bound instead of piling the flood into the main process.
import { afterAll, describe, expect, it } from 'vitest';
import { RunManager } from '../../electron/engine/runs/index.js';
import type { UtilityApi } from '../../electron/main/sandbox/utility-api.js';
import { UtilitySandboxLauncher } from '../../electron/main/sandbox/utility-launcher.js';
import type { RunEvent } from '../../electron/sandbox/protocol.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { StandInElectron } from '../support/utility-stand-in/index.js';
import { HOST_SCRIPT } from './contract.js';

const COUNT = 1_000_000; // about 40 MB of output events: far past the sandbox's 8 MiB in flight

/** The stand-in, with every `delivered` acknowledgement to the sandbox dropped when `dropAcks`. */
function utilityApi(dropAcks: boolean): UtilityApi {
  const standIn = new StandInElectron();
  return {
    fork: (modulePath, args, options) => {
      const child = standIn.fork(modulePath, args, options);
      if (dropAcks) {
        const post = child.postMessage.bind(child);
        child.postMessage = (msg: unknown) => {
          if ((msg as { kind?: string }).kind !== 'delivered') post(msg);
        };
      }
      return child;
    },
    getAppMetrics: () => standIn.getAppMetrics(),
    onChildGone: (listener) => standIn.onChildGone(listener),
  };
}

const managers: RunManager[] = [];
afterAll(async () => {
  await Promise.all(managers.map((m) => m.close()));
});

async function flood(dropAcks: boolean, timeoutMs: number) {
  const launcher = new UtilitySandboxLauncher(utilityApi(dropAcks), { hostScript: HOST_SCRIPT });
  const manager = new RunManager({ launcher, poolSize: 0 });
  managers.push(manager);
  const plugin = makePlugin(await fixtureWasm('flood', { COUNT }));
  const run = manager.start({
    plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
    command: plugin.name,
    binary: plugin.binary,
    grants: NO_CAPABILITIES,
    limits: { timeoutMs },
  });
  let outputs = 0;
  let inOrder = true;
  run.subscribe((batch: RunEvent[]) => {
    for (const e of batch) {
      if (e.type !== 'output') continue;
      if (e.text !== String(outputs)) inOrder = false;
      outputs++;
    }
  });
  const end = await run.ended;
  return { end, outputs, inOrder };
}

describe('utilityProcess back-pressure', () => {
  it('acknowledged batches: a flood of a million messages all arrive, in order', async () => {
    const { end, outputs, inOrder } = await flood(false, 50_000);
    expect(end, end.message).toMatchObject({ reason: 'exit' });
    expect(outputs).toBe(COUNT);
    expect(inOrder).toBe(true);
  }, 60_000);

  it('unacknowledged batches: the plugin is held at the in-flight bound, not piled into the main process', async () => {
    const { end, outputs, inOrder } = await flood(true, 3000);
    expect(end.reason).toBe('timeout');
    expect(inOrder).toBe(true);
    // 8 MiB in flight is about 200,000 of these events; the whole flood is a million.
    expect(outputs).toBeGreaterThan(0);
    expect(outputs).toBeLessThan(400_000);
  }, 60_000);
});
