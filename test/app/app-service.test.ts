// AppService through the contract: installs with consent, the plugin list, runs with live events,
// answers, cancel, history on disk across a restart, per-plugin limits and enabled, settings.
import { cpSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureWasm } from '../sandbox/helpers.js';
import { appWorld, closeAll, installViaApp, pluginFolder, runEnded } from './helpers.js';

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

describe('AppService: consent, limits and secrets', () => {
  it('stops a plugin whose wasm changed on disk until it is approved again, saying where to do it', async () => {
    const world = await appWorld();
    await installViaApp(world, await pluginFolder(world.root, 'fledge-swap', 'hello'));
    writeFileSync(
      join(world.configDir, 'plugins', 'fledge-swap', 'plugin.wasm'),
      await fixtureWasm('exit-code', { CODE: 3 }),
    );
    const [row] = await world.client.plugins.list();
    expect(row?.consent).toEqual({
      state: 'needs_approval',
      problems: [expect.stringContaining('plugin.wasm changed on disk after you approved it')],
    });
    await expect(world.client.runs.start({ plugin: 'fledge-swap' })).rejects.toMatchObject({
      code: 'consent_required',
      message: expect.stringMatching(/Review it on its page and approve it to run it\.$/),
    });
    await world.client.plugins.approve({ name: 'fledge-swap' });
    const run = await world.client.runs.start({ plugin: 'fledge-swap' });
    expect((await runEnded(world.client, run.id)).run.end).toMatchObject({ reason: 'exit', code: 3 });
  });

  it('marks a plugin another tool installed as not approved here, and presents it for review', async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-other', 'hello');
    cpSync(dir, join(world.configDir, 'plugins', 'fledge-other'), { recursive: true });
    writeFileSync(
      join(world.configDir, 'plugins.toml'),
      `[[plugins]]\nname = "fledge-other"\nsource = "someone/fledge-other"\nversion = "0.1.0"\ninstalled = "2026-01-01T00:00:00Z"\ncommands = ["fledge-other"]\n`,
    );
    const [row] = await world.client.plugins.list();
    expect(row).toMatchObject({
      name: 'fledge-other',
      approvedHere: false,
      tier: 'unverified',
      consent: { state: 'needs_approval' },
    });
  });

  it('keeps per-plugin limits under the ceilings, and defaults under their ceilings', async () => {
    const world = await appWorld();
    await installViaApp(world, await pluginFolder(world.root, 'fledge-lim', 'hello'));
    await expect(
      world.client.plugins.setLimits({ name: 'fledge-lim', limits: { memoryMb: 2048 } }),
    ).rejects.toMatchObject({
      code: 'limit_above_ceiling',
      message: expect.stringMatching(/at most 1024 MB of memory/),
    });
    await expect(
      world.client.settings.update({ defaultLimits: { timeoutMs: 700_000 } }),
    ).rejects.toMatchObject({
      code: 'limit_above_ceiling',
    });
    await world.client.settings.update({ ceilings: { memoryMb: 4096 } });
    expect(
      (await world.client.plugins.setLimits({ name: 'fledge-lim', limits: { memoryMb: 2048 } })).limits
        .memoryMb,
    ).toBe(2048);
    // Lowering the ceiling again caps what runs get, without forgetting the plugin's own choice.
    await world.client.settings.update({ ceilings: { memoryMb: 512 } });
    const detail = await world.client.plugins.get({ name: 'fledge-lim' });
    expect(detail.limits.memoryMb).toBe(512);
    expect(detail.ownLimits.memoryMb).toBe(2048);
    expect(
      (await world.client.plugins.setLimits({ name: 'fledge-lim', limits: { memoryMb: null } })).limits
        .memoryMb,
    ).toBe(256);
  });

  it('keeps the GitHub token in a file only its owner can read, and never sends it back', async () => {
    const world = await appWorld();
    await world.client.settings.setGithubToken({ token: 'ghp_0123456789abcdef' });
    const file = join(world.configDir, 'fledge-desktop', 'github-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const answer of [
      await world.client.settings.get(),
      await world.client.app.info(),
      await world.client.app.getState(),
    ])
      expect(JSON.stringify(answer)).not.toContain('ghp_0123456789abcdef');
    expect(JSON.stringify(world.seen)).not.toContain('ghp_0123456789abcdef');
    await world.client.settings.setGithubToken({ token: null });
    expect(existsSync(file)).toBe(false);
    expect((await world.client.settings.get()).githubToken.saved).toBe(false);
  });
});

describe('a grant or approval Electron let through unasked', () => {
  it('is refused when the files changed since they were approved, and approves nothing', async () => {
    const world = await appWorld();
    const dir = await pluginFolder(world.root, 'fledge-hello', 'hello');
    await installViaApp(world, dir);
    const unasked = { client: 'electron:1', filesAsApproved: true };
    expect(await world.service.call('plugins.approve', { name: 'fledge-hello' }, unasked)).toEqual({
      ok: true,
      result: { ok: true },
    });
    const [command] = (await world.client.plugins.get({ name: 'fledge-hello' })).wasm;
    writeFileSync(
      join(world.configDir, 'plugins', 'fledge-hello', command!.binary),
      await fixtureWasm('loop'),
    );
    const reply = await world.service.call('plugins.approve', { name: 'fledge-hello' }, unasked);
    expect(reply).toMatchObject({ ok: false, error: { code: 'approval_changed' } });
    expect((await world.client.plugins.get({ name: 'fledge-hello' })).consent.state).not.toBe('approved');
  });
});
