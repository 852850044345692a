// The launcher contract: what every SandboxLauncher must do for the engine, as a suite run against
// each launcher (the Node one, and the utilityProcess one over the stand-in). Real sandbox processes,
// real wasm plugins, through the engine's RunManager.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunManager } from '../../electron/engine/runs/index.js';
import type { SandboxExit, SandboxLauncher, SandboxProcess } from '../../electron/engine/runs/launcher.js';
import type { Capabilities } from '../../shared/capabilities.js';
import { fixtureWasm, makePlugin, startPlugin, type TestPlugin } from '../sandbox/helpers.js';
import { repoRoot } from '../support/cli.js';

export const HOST_SCRIPT = join(repoRoot, 'dist', 'sandbox-host.js');
const MiB = 1024 * 1024;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function alive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitGone(pid: number | null, ms = 5000): Promise<boolean> {
  for (let waited = 0; alive(pid) && waited < ms; waited += 50) await sleep(50);
  return !alive(pid);
}

export interface LauncherUnderTest {
  name: string;
  /** A fresh launcher (a script path overrides the sandbox host). */
  make(hostScript?: string): SandboxLauncher;
  /** Stops what a launcher keeps beside its runs (warm spares), after the suite. */
  dispose?(launcher: SandboxLauncher): void;
}

type Plugin = TestPlugin & { declared: Capabilities };

export function launcherContract(subject: LauncherUnderTest): void {
  describe(`launcher contract: ${subject.name}`, () => {
    const managers: RunManager[] = [];
    const made: SandboxLauncher[] = [];
    const make = (hostScript?: string) => {
      const launcher = subject.make(hostScript);
      made.push(launcher);
      return launcher;
    };
    afterAll(async () => {
      await Promise.all(managers.map((m) => m.close()));
      for (const l of made) subject.dispose?.(l);
    });
    // Every process a launcher started, so tests can find their pids (a utility process has one only
    // after 'spawn', so the run's 'started' event may carry none).
    const launched: SandboxProcess[] = [];
    const recording = (launcher: SandboxLauncher): SandboxLauncher => ({
      launch(options) {
        const proc = launcher.launch(options);
        launched.push(proc);
        return proc;
      },
    });
    const manager = (poolSize = 0) => {
      const m = new RunManager({ launcher: recording(make()), poolSize });
      managers.push(m);
      return m;
    };
    const start = (m: RunManager, plugin: Plugin, limits = {}) => startPlugin(plugin, { manager: m, limits });
    /** The pid of the next process launched after `before` processes (waiting for it to spawn). */
    const nextPid = async (before: number): Promise<number | null> => {
      for (let i = 0; i < 200; i++) {
        const pid = launched[before]?.pid ?? null;
        if (pid !== null) return pid;
        await sleep(25);
      }
      return null;
    };

    it('a plugin that returns ends with exit 0, its output delivered, and its process gone', async () => {
      const m = manager();
      const before = launched.length;
      const { run, events } = start(m, makePlugin(await fixtureWasm('hello')));
      const pid = await nextPid(before);
      const end = await run.ended;
      expect(end).toMatchObject({ code: 0, reason: 'exit' });
      expect(events.filter((e) => e.type === 'output').map((e) => (e as { text: string }).text)).toEqual([
        'hello',
      ]);
      expect(events.filter((e) => e.type === 'exit')).toHaveLength(1);
      expect(pid).toBeGreaterThan(0);
      expect(await waitGone(pid)).toBe(true);
    });

    it('an endless loop is killed at the wall clock (reason timeout) and its process is gone', async () => {
      const m = manager();
      const before = launched.length;
      const { run } = start(m, makePlugin(await fixtureWasm('loop')), {
        fuel: 10n ** 15n,
        timeoutMs: 500,
      });
      const pid = await nextPid(before);
      const end = await run.ended;
      expect(end.reason).toBe('timeout');
      expect(end.message).toMatch(/exceeded time limit \(0\.5 seconds\)/);
      expect(end.durationMs).toBeGreaterThanOrEqual(500);
      expect(await waitGone(pid)).toBe(true);
    });

    it('a sandbox process that dies under a run (killed from outside) ends it as a crash, once', async () => {
      const m = manager();
      const before = launched.length;
      const { run, events } = start(m, makePlugin(await fixtureWasm('loop')), {
        fuel: 10n ** 15n,
        timeoutMs: 30_000,
      });
      const pid = await nextPid(before);
      expect(pid).toBeGreaterThan(0);
      await sleep(300); // let it get going
      process.kill(pid!, 'SIGKILL');
      const end = await run.ended;
      expect(end.reason).toBe('crash');
      expect(end.message).toMatch(/^The sandbox running plugin 'fledge-test-\d+' crashed: /);
      await sleep(100);
      expect(events.filter((e) => e.type === 'exit')).toHaveLength(1);
    });

    it('a plugin that outgrows its memory cap ends with reason memory', async () => {
      const m = manager();
      const { run } = start(m, makePlugin(await fixtureWasm('grow', { STEP: 1, THEN: 'unreachable' })), {
        memoryMb: 8,
      });
      const end = await run.ended;
      expect(end.reason).toBe('memory');
      expect(end.message).toMatch(/ran out of memory \(limit 8 MiB\)/);
    });

    it('kill() right after launch (before the process has spawned) is not lost', async () => {
      const launcher = make();
      const proc = launcher.launch({ memoryCapBytes: 64 * MiB });
      proc.kill();
      const exits: SandboxExit[] = [];
      await new Promise<void>((resolve) =>
        proc.onExit((e) => {
          exits.push(e);
          resolve();
        }),
      );
      await sleep(200);
      expect(exits).toHaveLength(1);
      expect(proc.exited).toBe(true);
      expect(await waitGone(proc.pid)).toBe(true);
    });

    it('a host script that fails to load reports one exit, with what it wrote to stderr', async () => {
      const launcher = make(join(repoRoot, 'dist', 'no-such-sandbox-host.js'));
      const proc = launcher.launch({ memoryCapBytes: 64 * MiB });
      const exits: SandboxExit[] = [];
      await new Promise<void>((resolve) =>
        proc.onExit((e) => {
          exits.push(e);
          resolve();
        }),
      );
      await sleep(300);
      expect(exits).toHaveLength(1);
      expect(exits[0]!.code).not.toBe(0);
      expect(exits[0]!.stderrTail).toMatch(/no-such-sandbox-host/);
    });

    it('8 runs at once each end normally, with their own output, and leave no process behind', async () => {
      const m = manager(2);
      const plugins = await Promise.all(
        Array.from({ length: 8 }, async () => makePlugin(await fixtureWasm('hello'))),
      );
      const before = launched.length;
      const runs = plugins.map((p) => start(m, p));
      const ends = await Promise.all(runs.map((r) => r.run.ended));
      const procs = launched.slice(before);
      expect(ends.map((e) => e.reason)).toEqual(Array(8).fill('exit'));
      for (const r of runs)
        expect(r.events.filter((e) => e.type === 'output').map((e) => (e as { text: string }).text)).toEqual([
          'hello',
        ]);
      expect(procs.length).toBeGreaterThanOrEqual(8);
      await m.close();
      for (const p of procs) expect(await waitGone(p.pid)).toBe(true);
      // The launcher hears of an exit a moment after the OS has reaped the process: wait for it (2 s).
      for (let i = 0; i < 40 && m.pool.liveProcesses() > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(m.pool.liveProcesses()).toBe(0);
    });
  });
}
