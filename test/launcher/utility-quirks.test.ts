// What the utilityProcess launcher adds over the contract, and the stand-in's faithfulness to the
// Electron behaviours it works around: kill() lost before 'spawn', 'exit' twice, parentPort queueing,
// ONE app.getAppMetrics() sampler for all runs, a memory kill with reason `memory`, serviceName.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunManager } from '../../electron/engine/runs/index.js';
import { causeOfGone } from '../../electron/main/sandbox/gone-reason.js';
import { serviceNameFor, UtilitySandboxLauncher } from '../../electron/main/sandbox/utility-launcher.js';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { fixtureWasm, makePlugin, wat2wasm } from '../sandbox/helpers.js';
import { tempDir } from '../support/temp.js';
import { StandInElectron, type StandInUtilityProcess } from '../support/utility-stand-in/index.js';
import { alive, HOST_SCRIPT, sleep, waitGone } from './contract.js';

const MiB = 1024 * 1024;
const dir = tempDir('utility');
const script = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const nextEvent = <T extends unknown[]>(p: StandInUtilityProcess, event: string) =>
  new Promise<T>((resolve) => p.once(event, (...args: unknown[]) => resolve(args as T)));

describe('the utilityProcess stand-in behaves as Electron does', () => {
  const electron = new StandInElectron();

  it('gives the child process.parentPort and no process.send, and queues messages until it listens', async () => {
    const child = electron.fork(
      script(
        'probe.mjs',
        `setTimeout(() => process.parentPort.on('message', (e) =>
           process.parentPort.postMessage({ got: e.data, ports: e.ports.length,
             hasSend: typeof process.send === 'function', argv: process.argv.slice(1) })), 300);`,
      ),
      ['--flag=1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.postMessage({ hello: 1n }); // before spawn, and before the child listens
    const [reply] = await nextEvent<[Record<string, unknown>]>(child, 'message');
    expect(reply).toEqual({
      got: { hello: 1n },
      ports: 0,
      hasSend: false,
      argv: [join(dir, 'probe.mjs'), '--flag=1'],
    });
    expect(child.kill()).toBe(true);
    const [code] = await nextEvent<[number]>(child, 'exit');
    expect(code).toBe(15); // SIGTERM, reported as Chromium does: the signal's number
    expect(child.pid).toBeUndefined();
    expect(child.kill()).toBe(false); // electron/electron#44013
  });

  it('loses a kill() made before spawn (electron/electron#44009): the process lives on', async () => {
    const child = electron.fork(script('idle.mjs', 'setInterval(() => {}, 1000);'), [], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(child.pid).toBeUndefined();
    expect(child.kill()).toBe(false);
    await nextEvent(child, 'spawn');
    const pid = child.pid!;
    await sleep(300);
    expect(alive(pid)).toBe(true);
    child.kill();
    expect(await waitGone(pid)).toBe(true);
  });

  it("emits 'exit' twice when the script cannot be loaded (electron/electron#44012)", async () => {
    const child = electron.fork(join(dir, 'missing.mjs'), [], { stdio: ['ignore', 'pipe', 'pipe'] });
    const codes: number[] = [];
    child.on('exit', (code) => codes.push(code));
    await nextEvent(child, 'exit');
    await sleep(100);
    expect(codes).toEqual([1, 1]);
  });
});

describe('the utilityProcess launcher', () => {
  const managers: RunManager[] = [];
  afterAll(async () => {
    await Promise.all(managers.map((m) => m.close()));
  });
  const setup = (options: Partial<ConstructorParameters<typeof UtilitySandboxLauncher>[1]> = {}) => {
    const electron = new StandInElectron();
    const launcher = new UtilitySandboxLauncher(electron, { hostScript: HOST_SCRIPT, ...options });
    const manager = new RunManager({ launcher, poolSize: 0 });
    managers.push(manager);
    return { electron, launcher, manager };
  };
  const start = (m: RunManager, plugin: ReturnType<typeof makePlugin>, limits = {}) =>
    m.start({
      plugin: { name: plugin.name, version: '0.1.0', dir: plugin.dir, declared: plugin.declared },
      command: plugin.name,
      binary: plugin.binary,
      grants: NO_CAPABILITIES,
      limits,
    });

  it('forks the sandbox host with the options Electron is given, one named process per run', async () => {
    const { electron, manager } = setup();
    const calls: unknown[][] = [];
    const fork = electron.fork;
    electron.fork = (...args) => {
      calls.push(args);
      return fork(...args);
    };
    const plugin = makePlugin(await fixtureWasm('loop'));
    const run = start(manager, plugin, { fuel: 10n ** 15n, timeoutMs: 800, memoryMb: 32 });
    for (let i = 0; i < 100 && electron.liveNames().length === 0; i++) await sleep(20);
    expect(electron.liveNames()).toEqual([`Fledge plugin ${plugin.name} (sandbox 1)`]);
    expect(calls).toEqual([
      [
        HOST_SCRIPT,
        ['--fledge-wasm-max-pages=512'],
        {
          serviceName: `Fledge plugin ${plugin.name} (sandbox 1)`,
          stdio: ['ignore', 'pipe', 'pipe'],
          execArgv: [],
          env: { NODE_ENV: 'production' },
        },
      ],
    ]);
    await run.ended;
  });

  it('names processes printably, whatever the label holds', () => {
    expect(serviceNameFor('my-plugin', 3)).toBe('Fledge plugin my-plugin (sandbox 3)');
    expect(serviceNameFor('evil\u0000\u001b[31m\nname', 4)).toBe('Fledge plugin evil31mname (sandbox 4)');
    expect(serviceNameFor(undefined, 5)).toBe('Fledge sandbox 5');
  });

  it('stops a process whose working set passes its cap, and the run ends with reason memory', async () => {
    const { manager, launcher } = setup({ processCapBytes: () => 150 * MiB, sampleIntervalMs: 50 });
    // 200 MiB of wasm memory, every page written (so it is resident), then an endless loop.
    const wasm = await wat2wasm(`(module
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (memory.grow (i32.const 3200)))
        (memory.fill (i32.const 0) (i32.const 1) (i32.const 209715200))
        (loop $l (br $l))))`);
    const run = start(manager, makePlugin(wasm), { fuel: 10n ** 15n, timeoutMs: 30_000, memoryMb: 256 });
    const end = await run.ended;
    expect(end.reason).toBe('memory');
    expect(end.message).toMatch(
      /^Plugin 'fledge-test-\d+' ran out of memory \(limit 256 MiB\): the sandbox process used \d+ MiB, over its 150 MiB limit, and was stopped\.$/,
    );
    expect(end.durationMs).toBeLessThan(20_000);
    expect(launcher.sampler.running).toBe(false);
  });

  it('samples app.getAppMetrics() once per tick for all runs together, and only while runs are live', async () => {
    const { electron, manager, launcher } = setup({ sampleIntervalMs: 50 });
    const plugins = await Promise.all([1, 2, 3, 4].map(async () => makePlugin(await fixtureWasm('loop'))));
    const t0 = performance.now();
    const runs = plugins.map((p) => start(manager, p, { fuel: 10n ** 15n, timeoutMs: 1500 }));
    await Promise.all(runs.map((r) => r.ended));
    const elapsed = performance.now() - t0;
    // One call per 50 ms tick at most (four samplers would make four times as many).
    expect(electron.metricsCalls).toBeGreaterThan(5);
    expect(electron.metricsCalls).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 1);
    await sleep(200);
    expect(launcher.sampler.running).toBe(false);
    const after = electron.metricsCalls;
    await sleep(200);
    expect(electron.metricsCalls).toBe(after);
  });

  it('reports a process killed from outside as gone, in words', async () => {
    const { electron, manager } = setup();
    const run = start(manager, makePlugin(await fixtureWasm('loop')), {
      fuel: 10n ** 15n,
      timeoutMs: 30_000,
    });
    for (let i = 0; i < 100 && !electron.forked[0]?.pid; i++) await sleep(20);
    await sleep(200);
    process.kill(electron.forked[0]!.pid!, 'SIGKILL');
    const end = await run.ended;
    expect(end.reason).toBe('crash');
    expect(end.message).toMatch(/crashed: the sandbox process was killed from outside the app$/);
  });

  it('reports a sandbox process that crashed (SIGSEGV) as crashed, with its code', async () => {
    const { electron, manager } = setup();
    const run = start(manager, makePlugin(await fixtureWasm('loop')), {
      fuel: 10n ** 15n,
      timeoutMs: 30_000,
    });
    for (let i = 0; i < 100 && !electron.forked[0]?.pid; i++) await sleep(20);
    await sleep(200);
    process.kill(electron.forked[0]!.pid!, 'SIGSEGV');
    const end = await run.ended;
    expect(end.reason).toBe('crash');
    expect(end.message).toMatch(/crashed: the sandbox process crashed \(code 11\)$/);
  });

  it('maps every child-process-gone reason to a run end', () => {
    expect(causeOfGone('oom', 9)?.reason).toBe('memory');
    expect(causeOfGone('memory-eviction', 9)?.reason).toBe('memory');
    expect(causeOfGone('crashed', 11)).toEqual({
      reason: 'crash',
      detail: 'the sandbox process crashed (code 11)',
    });
    expect(causeOfGone('killed', 9)?.reason).toBe('crash');
    expect(causeOfGone('launch-failed', 2)).toEqual({
      reason: 'error',
      detail: 'the sandbox process could not be started (error 2)',
    });
    expect(causeOfGone('integrity-failure', 0)?.reason).toBe('error');
    expect(causeOfGone('clean-exit', 0)).toBeNull();
    expect(causeOfGone('abnormal-exit', 3)).toBeNull();
  });
});
