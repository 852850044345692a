// AppService through the contract: installs with consent, the plugin list, runs with live events,
// answers, cancel, history on disk across a restart, per-plugin limits and enabled, settings.
import { afterAll, describe, expect, it } from 'vitest';
import { appWorld, closeAll, installViaApp, nextEvent, pluginFolder, runEnded } from './helpers.js';

afterAll(closeAll);

describe('AppService', () => {
  it("installs with the person's per-capability choice, lists it, runs it and keeps the run in history across a restart", async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-hello', 'hello', { store: true, clock: true });
    const finished = await installViaApp(world, dir, { store: true });
    expect(finished.state).toBe('succeeded');
    expect(finished.outcome?.granted).toMatchObject({ store: true, clock: false });

    const [plugin] = await world.client.plugins.list();
    expect(plugin).toMatchObject({
      name: 'fledge-hello',
      runtime: 'wasm',
      sandboxed: true,
      tier: 'local',
      enabled: true,
      approvedHere: true,
      consent: { state: 'approved', problems: [] },
      limits: { timeoutMs: 60_000, memoryMb: 256 },
    });

    await world.client.projects.open({ path: world.root });
    const run = await world.client.runs.start({ plugin: 'fledge-hello' });
    expect(run).toMatchObject({ plugin: 'fledge-hello', state: 'running', projectPath: world.root });
    const ended = await runEnded(world.client, run.id);
    expect(ended.run.end).toMatchObject({ code: 0, reason: 'exit' });
    const output = world.seen
      .filter((e) => e.name === 'runs.events')
      .flatMap((e) => (e.payload as { events: { type: string; text?: string }[] }).events)
      .filter((e) => e.type === 'output');
    expect(output.map((e) => e.text)).toEqual(['hello']);

    const again = await world.restart();
    const history = await again.client.runs.history({ projectPath: world.root });
    expect(history.map((r) => r.id)).toEqual([run.id]);
    const record = await again.client.runs.get({ runId: run.id });
    expect(record.output.events.some((e) => e.type === 'output' && e.text === 'hello')).toBe(true);
    expect(record.end?.message).toMatch(/finished/);
  });
});
