// The CLI's sandbox inside its own process (engine/runs/in-process.ts): the same run, the same limits
// and the same endings as a sandbox process, through the engine's RunManager, with real wasm.
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cliSandboxMode,
  FORK_MIN_BYTES,
  InProcessSandboxLauncher,
} from '../../electron/engine/runs/in-process.js';
import { RunManager } from '../../electron/engine/runs/index.js';
import type { SandboxExit, SandboxLauncher, SandboxProcess } from '../../electron/engine/runs/launcher.js';
import { pinnedNode } from '../../electron/engine/runs/sandbox-node.js';
import type { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { fixtureWasm, makePlugin, sendingModule, startPlugin, type TestPlugin } from '../sandbox/helpers.js';
import { tempDir } from '../support/temp.js';
import { wat2wasm } from '../support/wat.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the sandbox in the CLI process', () => {
  const launched: SandboxProcess[] = [];
  const exits = new Map<SandboxProcess, SandboxExit[]>();
  const recording: SandboxLauncher = {
    launch(options) {
      const proc = new InProcessSandboxLauncher().launch(options);
      launched.push(proc);
      const seen: SandboxExit[] = [];
      exits.set(proc, seen);
      proc.onExit((e) => seen.push(e));
      return proc;
    },
  };
  const manager = new RunManager({ launcher: recording, poolSize: 0 });
  afterAll(() => manager.close());

  const start = (plugin: TestPlugin & { declared: typeof NO_CAPABILITIES }, limits = {}) => {
    const before = launched.length;
    const { run, events } = startPlugin(plugin, { manager, limits });
    const proc = async () => {
      for (let i = 0; i < 200 && launched.length === before; i++) await sleep(10);
      return launched[before]!;
    };
    return { run, events, proc };
  };

  it('a plugin that returns ends with exit 0, its output delivered, the worker gone and one exit', async () => {
    const { run, events, proc } = start(makePlugin(await fixtureWasm('hello')));
    const end = await run.ended;
    expect(end).toMatchObject({ code: 0, reason: 'exit' });
    expect(events.filter((e) => e.type === 'output').map((e) => (e as { text: string }).text)).toEqual([
      'hello',
    ]);
    expect(events.find((e) => e.type === 'started')).toMatchObject({ pid: process.pid });
    const p = await proc();
    await sleep(100);
    expect(p.exited).toBe(true);
    expect(exits.get(p)).toEqual([{ code: 0, signal: null, stderrTail: '' }]);
  });

  it('an endless loop is stopped at the wall clock (reason timeout): the worker is terminated', async () => {
    const { run, proc } = start(makePlugin(await fixtureWasm('loop')), { fuel: 10n ** 15n, timeoutMs: 500 });
    const end = await run.ended;
    expect(end.reason).toBe('timeout');
    expect(end.message).toMatch(/exceeded time limit \(0\.5 seconds\)/);
    const p = await proc();
    await sleep(100);
    expect(p.exited).toBe(true);
    expect(exits.get(p)).toHaveLength(1);
    // The loop no longer burns this process's CPU once it was stopped.
    const before = process.cpuUsage();
    await sleep(300);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(200);
  });

  it('a plugin blocked waiting for an answer is killed at the wall clock too', async () => {
    const { run, events } = start(makePlugin(await fixtureWasm('prompt')), { timeoutMs: 600 });
    const end = await run.ended;
    expect(events.some((e) => e.type === 'request')).toBe(true);
    expect(end.reason).toBe('timeout');
  });

  it('a plugin that outgrows its memory cap ends with reason memory', async () => {
    const { run } = start(makePlugin(await fixtureWasm('grow', { STEP: 1, THEN: 'unreachable' })), {
      memoryMb: 8,
    });
    const end = await run.ended;
    expect(end.reason).toBe('memory');
    expect(end.message).toMatch(/ran out of memory \(limit 8 MiB\)/);
  });

  it('a message bigger than the worker JS heap ends that run alone; this process and the next run go on', async () => {
    const wasm = await wat2wasm(`(module (import "fledge" "send" (func $send (param i32 i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (memory.grow (i32.const 3900)))
        (memory.fill (i32.const 0) (i32.const 0x41) (i32.const 255000000))
        (call $send (i32.const 0) (i32.const 255000000))))`);
    const { run } = start(makePlugin(wasm), { timeoutMs: 9000 });
    expect(['exit', 'memory', 'crash']).toContain((await run.ended).reason);
    const next = start(makePlugin(await sendingModule(['{"type":"output","text":"ok"}'])));
    expect((await next.run.ended).reason).toBe('exit');
  }, 20_000);

  it('kill() right after launch reports one exit, by signal', async () => {
    const proc = new InProcessSandboxLauncher().launch({ memoryCapBytes: 64 * MiB });
    proc.kill();
    const seen: SandboxExit[] = [];
    await new Promise<void>((resolve) =>
      proc.onExit((e) => {
        seen.push(e);
        resolve();
      }),
    );
    await sleep(100);
    expect(seen).toEqual([{ code: null, signal: 'SIGKILL', stderrTail: '' }]);
    expect(proc.exited).toBe(true);
  });

  it("V8's page cap holds for the whole process once a sandbox worker is up (no wasm memory grows past it)", async () => {
    // Runs last in this file: the flag stays for the process (the CLI runs one plugin).
    const { run } = start(makePlugin(await fixtureWasm('hello')), { memoryMb: 8 });
    await run.ended;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
    // The runs above set 256 MiB (4096 pages; the flag only grows): 5000 more pages are refused,
    // which V8's default (65536 pages) would allow.
    expect(() => memory.grow(5000)).toThrow(RangeError);
  });
});

describe('which sandbox the CLI takes', () => {
  it('in its own process by default, a sandbox process when asked or on another Node', () => {
    // With the pinned Node installed too (build/setup.sh): it serves the app's sandbox processes only
    expect(cliSandboxMode({})).toBe('in-process');
    expect(cliSandboxMode({ FLEDGE_CLI_SANDBOX: 'process' })).toBe('process');
    // Another Node that exists (this one, by another path): only a process can run on it.
    const other = join(tempDir('other-node'), 'node');
    symlinkSync(process.execPath, other);
    expect(cliSandboxMode({ FLEDGE_SANDBOX_NODE: other })).toBe('process');
    // A path that is not there is ignored, as the launcher ignores it.
    expect(cliSandboxMode({ FLEDGE_SANDBOX_NODE: '/nonexistent/node' })).toBe('in-process');
    expect(cliSandboxMode({ FLEDGE_SANDBOX_NODE: process.execPath })).toBe('in-process');
  });

  it('a module of FORK_MIN_BYTES or more goes to the pinned Node when it is installed; naming this Node keeps it here', () => {
    expect(cliSandboxMode({}, FORK_MIN_BYTES - 1)).toBe('in-process');
    expect(cliSandboxMode({}, FORK_MIN_BYTES)).toBe(pinnedNode() === undefined ? 'in-process' : 'process');
    expect(cliSandboxMode({ FLEDGE_SANDBOX_NODE: process.execPath }, FORK_MIN_BYTES)).toBe('in-process');
  });
});
