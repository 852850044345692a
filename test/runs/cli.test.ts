// `fledge-desktop run`: the bundled CLI as a real process.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureWasm, makePlugin } from '../sandbox/helpers.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('run (CLI)', () => {
  const dir = tempDir('cli-run');

  it("plain mode: output to stdout, exit code = the plugin's", async () => {
    const hello = makePlugin(await fixtureWasm('hello'), { root: dir });
    const r = runCli(['run', hello.dir]);
    expect(r.stdout).toBe('hello');
    expect(r.code).toBe(0);
    const exit42 = makePlugin(await fixtureWasm('exit-code', { CODE: 42 }), { root: dir });
    const r42 = runCli(['run', exit42.dir]);
    expect(r42.code).toBe(42);
    expect(r42.stderr).toMatch(/exited with code 42/);
  });

  it('--json: one event per line, ending with the exit line; args after -- reach init', async () => {
    const echo = makePlugin(await fixtureWasm('echo-init', { CHUNK: 4096 }), { root: dir });
    const r = runCli(['run', echo.dir, '--json', '--', 'a', '--b']);
    expect(r.code).toBe(0);
    const events = lines(r.stdout);
    expect(events[0]).toMatchObject({ type: 'started', plugin: echo.name });
    const init = JSON.parse(events.find((e) => e.type === 'output').text);
    expect(init.args).toEqual(['a', '--b']);
    const exit = events.at(-1);
    expect(Object.keys(exit)).toEqual(['type', 'code', 'reason', 'message', 'fuel_used', 'duration_ms']);
    expect(exit).toMatchObject({ type: 'exit', code: 0, reason: 'exit' });
  });

  it('--fuel, --timeout-ms and --memory-mb end runs with non-zero codes and their reasons', async () => {
    const loop = makePlugin(await fixtureWasm('loop'), { root: dir });
    const fuel = runCli(['run', loop.dir, '--json', '--fuel', '100000']);
    expect(fuel.code).not.toBe(0);
    expect(lines(fuel.stdout).at(-1)).toMatchObject({ reason: 'fuel', fuel_used: 100000 });
    const time = runCli(['run', loop.dir, '--json', '--fuel', '1000000000000000', '--timeout-ms', '300']);
    expect(time.code).not.toBe(0);
    expect(lines(time.stdout).at(-1)).toMatchObject({ reason: 'timeout' });
    const grow = makePlugin(await fixtureWasm('grow', { STEP: 1, THEN: 'unreachable' }), { root: dir });
    const mem = runCli(['run', grow.dir, '--json', '--memory-mb', '2']);
    expect(mem.code).not.toBe(0);
    expect(lines(mem.stdout).at(-1)).toMatchObject({ reason: 'memory' });
  });

  it('--answers answers questions; without answers and no terminal the run fails clearly', async () => {
    const ask = makePlugin(await fixtureWasm('prompt'), { root: dir });
    const answers = join(dir, 'answers.json');
    writeFileSync(answers, JSON.stringify({ name: 'Grace' }));
    const ok = runCli(['run', ask.dir, '--answers', answers]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ id: 'name', value: 'Grace' });
    const none = runCli(['run', ask.dir, '--json'], {}, '');
    expect(none.code).toBe(1);
    expect(lines(none.stdout).at(-1)).toMatchObject({ reason: 'error' });
    expect(lines(none.stdout).at(-1).message).toMatch(/asked "Your name\?".*--answers FILE/);
  });

  it('--grant is limited to what the plugin declares', async () => {
    const caps = makePlugin(await fixtureWasm('capabilities'), {
      root: dir,
      declared: { exec: true, store: true, metadata: true },
    });
    const r = runCli(['run', caps.dir, '--grant', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('null');
    const bad = runCli(['run', caps.dir, '--grant', 'teleport']);
    expect(bad.code).toBe(2);
  });

  it('granted capabilities reach the engine host services (exec, store)', async () => {
    const caps = makePlugin(await fixtureWasm('capabilities'), {
      root: dir,
      declared: { exec: true, store: true, metadata: true },
    });
    const r = runCli(['run', caps.dir, '--grant', 'exec,store']);
    expect(r.code).toBe(0);
    const [exec, stored, metadata] = r.stdout.split('\n');
    expect(JSON.parse(exec!)).toMatchObject({ code: 0, stdout: 'hi\n' });
    expect(stored).toBe('"v"');
    expect(metadata).toBe('{}');
    expect(r.stderr).toMatch(/\$ echo hi \(exit 0\)/);
  });

  it('an invalid plugin directory is refused with a message', () => {
    const r = runCli(['run', join(dir, 'missing'), '--json']);
    expect(r.code).toBe(1);
    expect(lines(r.stdout).at(-1)).toMatchObject({ type: 'exit', reason: 'error' });
  });
});
