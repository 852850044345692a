// Warm spare processes in the utilityProcess launcher (what Electron runs use): the launcher contract
// holds with a spare, and what the spares add: a run takes a ready spare (no fork at its start), each
// spare has a neutral unique name and serves exactly one run, idle spares are not sampled, a run on
// a spare is held to its own memory cap, child-process-gone finds it by its name, dispose kills them.
import { afterAll, describe, expect, it } from 'vitest';
import { RunManager } from '../../electron/engine/runs/index.js';
import {
  type UtilityLauncherOptions,
  UtilitySandboxLauncher,
} from '../../electron/main/sandbox/utility-launcher.js';
import { fixtureWasm, makePlugin, startPlugin } from '../sandbox/helpers.js';
import { StandInElectron } from '../support/utility-stand-in/index.js';
import { alive, HOST_SCRIPT, launcherContract, sleep, waitGone } from './contract.js';

const MiB = 1024 * 1024;

launcherContract({
  name: 'Electron utilityProcess with a warm spare (stand-in)',
  make: (hostScript = HOST_SCRIPT) =>
    new UtilitySandboxLauncher(new StandInElectron(), { hostScript, spares: 1 }),
  dispose: (launcher) => (launcher as UtilitySandboxLauncher).dispose(),
});

describe('warm spares in the utilityProcess launcher', () => {
  const open: { launcher: UtilitySandboxLauncher; manager: RunManager }[] = [];
  afterAll(async () => {
    for (const o of open) {
      o.launcher.dispose();
      await o.manager.close();
    }
  });
  const setup = async (options: Partial<UtilityLauncherOptions> = {}) => {
    const electron = new StandInElectron();
    const launcher = new UtilitySandboxLauncher(electron, {
      hostScript: HOST_SCRIPT,
      spares: 1,
      spareRefillDelayMs: 60_000, // replaced when the run ends, not on a timer, unless a test says so
      ...options,
    });
    const manager = new RunManager({ launcher, poolSize: 0 });
    open.push({ launcher, manager });
    await launcher.spareProcesses!.whenReady();
    return { electron, launcher, manager };
  };
  const start = async (m: RunManager, fixture: string, limits = {}) => {
    const plugin = makePlugin(await fixtureWasm(fixture));
    const { run } = startPlugin(plugin, { manager: m, limits });
    return { run, plugin };
  };

  it('a run takes the ready spare (nothing forked at its start); the spare serves that run only, exits, and a new one takes its place', async () => {
    const { electron, launcher, manager } = await setup();
    expect(electron.forked).toHaveLength(1);
    const spare = launcher.spareProcesses!.idleProcesses()[0]!;
    const sparePid = spare.pid;
    expect(electron.liveNames()).toEqual(['Fledge sandbox 1']);
    const { run } = await start(manager, 'hello');
    const end = await run.ended;
    expect(end).toMatchObject({ reason: 'exit', code: 0 });
    expect(await waitGone(sparePid)).toBe(true); // the spare's process is gone after its run
    await launcher.spareProcesses!.whenReady();
    expect(electron.forked).toHaveLength(2); // no fork for the run itself: one for the replacement
    const next = launcher.spareProcesses!.idleProcesses()[0]!;
    expect(next).not.toBe(spare);
    expect(next.pid).not.toBe(sparePid);
    expect(electron.liveNames()).toEqual(['Fledge sandbox 2']); // neutral and unique, never reused
    // The next run gets the new process, never the old one.
    const second = await start(manager, 'hello');
    expect((await second.run.ended).reason).toBe('exit');
    expect(await waitGone(next.pid)).toBe(true);
  });

  it('a run that asks for more memory than the spares have gets a fresh process named for its plugin', async () => {
    const { electron, launcher, manager } = await setup({ spareMemoryCapBytes: 64 * MiB });
    const { run, plugin } = await start(manager, 'loop', { fuel: 10n ** 15n, timeoutMs: 600, memoryMb: 128 });
    for (let i = 0; i < 100 && electron.liveNames().length < 2; i++) await sleep(20);
    expect(electron.liveNames()).toEqual(['Fledge sandbox 1', `Fledge plugin ${plugin.name} (sandbox 2)`]);
    expect((await run.ended).reason).toBe('timeout');
    expect(launcher.spareProcesses!.idleProcesses()).toHaveLength(1); // the spare is still waiting
  });

  it('idle spares are not sampled; a run on a spare is held to its own cap, not the spare’s', async () => {
    // A process for a run of at most 16 MiB may use 1 byte: the first sample stops it.
    const { electron, launcher, manager } = await setup({
      sampleIntervalMs: 50,
      processCapBytes: (cap) => (cap <= 16 * MiB ? 1 : 4096 * MiB),
    });
    await sleep(300);
    expect(electron.metricsCalls).toBe(0);
    expect(launcher.sampler.running).toBe(false);
    const sparePid = launcher.spareProcesses!.idleProcesses()[0]!.pid;
    const { run } = await start(manager, 'loop', { fuel: 10n ** 15n, timeoutMs: 20_000, memoryMb: 8 });
    const end = await run.ended;
    expect(end.reason).toBe('memory');
    expect(end.message).toMatch(/over its 0 MiB limit, and was stopped/);
    expect(end.durationMs).toBeLessThan(10_000);
    expect(electron.forked).toHaveLength(1); // it ran on the spare
    expect(await waitGone(sparePid)).toBe(true);
    await sleep(150);
    expect(launcher.sampler.running).toBe(false); // only the new idle spare is left: not sampled
  });

  it('a warm process that crashes under its run is found by its unique name (child-process-gone has no pid)', async () => {
    const { electron, manager } = await setup();
    const pid = electron.forked[0]!.pid!;
    const { run } = await start(manager, 'loop', { fuel: 10n ** 15n, timeoutMs: 30_000 });
    await sleep(300);
    process.kill(pid, 'SIGSEGV');
    const end = await run.ended;
    expect(end.reason).toBe('crash');
    expect(end.message).toMatch(/crashed: the sandbox process crashed \(code 11\)$/);
  });

  it('a run that outlives the refill delay has its spare replaced while it still runs', async () => {
    const { electron, launcher, manager } = await setup({ spareRefillDelayMs: 200 });
    const { run } = await start(manager, 'loop', { fuel: 10n ** 15n, timeoutMs: 1500 });
    for (let i = 0; i < 100 && electron.forked.length < 2; i++) await sleep(20);
    expect(electron.forked).toHaveLength(2);
    expect(launcher.spareProcesses!.idleProcesses()).toHaveLength(1);
    expect((await run.ended).reason).toBe('timeout');
    await sleep(100);
    expect(electron.forked).toHaveLength(2); // its end does not start a third one
  });

  it('a launcher whose processes cannot be forked still starts (no spare; a run reports why)', () => {
    const electron = new StandInElectron();
    electron.fork = () => {
      throw new Error('no utility processes here');
    };
    const launcher = new UtilitySandboxLauncher(electron, { hostScript: HOST_SCRIPT, spares: 1 });
    expect(launcher.spareProcesses!.idleProcesses()).toEqual([]);
    expect(() => launcher.launch({ memoryCapBytes: 64 * MiB })).toThrow(/no utility processes here/);
    launcher.dispose();
  });

  it('dispose kills the idle spares and starts no more', async () => {
    const { electron, launcher } = await setup({ spares: 2 });
    const pids = launcher.spareProcesses!.idleProcesses().map((p) => p.pid);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    launcher.dispose();
    for (const pid of pids) expect(await waitGone(pid)).toBe(true);
    await sleep(100);
    expect(electron.forked).toHaveLength(2);
    const fresh = launcher.launch({ memoryCapBytes: 64 * MiB }); // a new fork, not a spare
    expect(electron.forked).toHaveLength(3);
    fresh.kill();
    await new Promise<void>((resolve) => fresh.onExit(() => resolve()));
  });
});
