// The app runs an installed native plugin through the same contract and run events as a WASM one:
// the run view shows its output and a line saying how it runs (contained or with full access).
import { afterAll, describe, expect, it } from 'vitest';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { appWorld, closeAll, installViaApp, nextEvent, runEnded } from '../app/helpers.js';
import { makeProject, nativePlugin } from './helpers.js';

afterAll(closeAll);
const contained = (await containmentSupport()).available;

describe('the app with a native plugin', () => {
  it("its consent request says it is a program that runs as you, how it will run, and its program's SHA-256", async () => {
    const world = await appWorld();
    const plugin = nativePlugin('plain.sh', { protocol: false });
    const consent = nextEvent(world.client, 'consent.requested');
    await world.client.plugins.install({ source: { kind: 'path', path: plugin.dir } });
    const { request } = await consent;
    expect(request.plugin.runtime).toBe('native');
    expect(request.native).toMatchObject({
      summary: expect.stringMatching(/a program that runs on your computer as you/),
      accessLabel: contained ? 'native, contained (read-only project, no network)' : 'native, full access',
      binaries: [{ path: plugin.binary, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
      extraConfirmation: null,
    });
    await world.client.consent.answer({ consentId: request.id, decision: { answer: 'decline' } });
  });

  it('installs it with consent and runs it, with the same run events as a WASM plugin', async () => {
    const world = await appWorld();
    const plugin = nativePlugin('protocol.sh', { declared: { store: true } });
    const done = await installViaApp(world, plugin.dir, { store: true });
    expect(done).toMatchObject({ state: 'succeeded' });
    const project = makeProject();
    await world.client.projects.open({ path: project });
    const run = await world.client.runs.start({ plugin: plugin.name, args: ['exit', '4'] });
    // Its questions come as requests the screen answers.
    const answers: Record<string, string | boolean | string[]> = {
      name: 'Ada',
      sure: true,
      colour: 'red',
      langs: ['go'],
    };
    const off = world.client.on('runs.events', async (p) => {
      for (const e of p.events)
        if (e.type === 'request')
          await world.client.runs.answer({ runId: run.id, requestId: e.id, value: answers[e.id] ?? '' });
    });
    const ended = await runEnded(world.client, run.id);
    off();
    expect(ended.run.end).toMatchObject({ code: 4, reason: 'exit' });
    const events = world.seen
      .filter((e) => e.name === 'runs.events')
      .flatMap((e) => (e.payload as { events: { type: string; text?: string; message?: string }[] }).events);
    expect(events.filter((e) => e.type === 'output').map((e) => e.text)).toContain('argc=0');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        message: `Plugin '${plugin.name}' runs native, ${contained ? 'contained (read-only project, no network)' : 'full access'}.`,
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'output',
        text: 'reply: {"type":"response","id":"name","value":"Ada"}',
      }),
    );
  });
});
