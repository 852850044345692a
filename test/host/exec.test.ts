import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultExecEnv, parseExecRequest, runExec } from '../../electron/engine/host/exec.js';
import { processAlive, tempDir, waitFor } from './helpers.js';

function setup() {
  const base = tempDir();
  const project = join(base, 'project');
  const plugin = join(base, 'plugins', 'p');
  const outside = join(base, 'outside');
  for (const d of [project, join(project, 'sub'), plugin, outside]) mkdirSync(d, { recursive: true });
  symlinkSync(outside, join(project, 'link-out'));
  symlinkSync(join(project, 'sub'), join(project, 'link-in'));
  return { base, project, plugin, outside, ctx: { projectRoot: project, pluginDir: plugin } };
}

describe('runExec', () => {
  it('runs through the shell in the project root by default', async () => {
    const { project, ctx } = setup();
    const r = await runExec({ command: 'pwd; echo err >&2; exit 3' }, ctx);
    expect(r.code).toBe(3);
    expect(r.stdout.trim()).toBe(project);
    expect(r.stderr.trim()).toBe('err');
    expect(r.cwd).toBe(project);
    expect(r.timedOut).toBe(false);
    expect(r.truncated).toBe(false);
    expect(r.error).toBeUndefined();
  });

  it('accepts a cwd inside the project (also through a symlink that stays inside) or the plugin dir', async () => {
    const { project, plugin, ctx } = setup();
    expect((await runExec({ command: 'pwd', cwd: 'sub' }, ctx)).stdout.trim()).toBe(join(project, 'sub'));
    expect((await runExec({ command: 'pwd', cwd: 'link-in' }, ctx)).stdout.trim()).toBe(join(project, 'sub'));
    expect((await runExec({ command: 'pwd', cwd: 'sub/../sub' }, ctx)).stdout.trim()).toBe(
      join(project, 'sub'),
    );
    expect((await runExec({ command: 'pwd', cwd: plugin }, ctx)).stdout.trim()).toBe(plugin);
  });

  for (const [what, cwd] of [
    ['..', '..'],
    ['../ sneaking back out', 'sub/../../outside'],
    ['an absolute path outside', '/tmp'],
    ['a symlink leading out', 'link-out'],
  ] as const) {
    it(`refuses a cwd escape (${what}) and runs nothing`, async () => {
      const { base, ctx } = setup();
      const marker = join(base, 'marker');
      const r = await runExec({ command: `touch '${marker}'`, cwd }, ctx);
      expect(r.code).toBe(126);
      expect(r.error?.code).toBe('exec_cwd_outside');
      expect(r.stderr).toMatch(/outside the project and the plugin's folder.*not run/);
      expect(r.cwd).toBeNull();
      expect(existsSync(marker)).toBe(false);
    });
  }

  it('refuses a cwd that does not exist, and runs nothing', async () => {
    const { base, ctx } = setup();
    const marker = join(base, 'marker');
    const r = await runExec({ command: `touch '${marker}'`, cwd: 'nope' }, ctx);
    expect(r.error?.code).toBe('exec_cwd_missing');
    expect(r.stderr).toMatch(/does not exist/);
    expect(existsSync(marker)).toBe(false);
  });

  it('a timeout kills the whole process tree, grandchildren included', async () => {
    const { base, ctx } = setup();
    const pids = join(base, 'pids');
    const t0 = Date.now();
    const r = await runExec(
      {
        command: `sh -c 'sleep 100 & echo $! >> ${pids}; sleep 100 & echo $! >> ${pids}; wait' & wait`,
        timeoutMs: 700,
      },
      ctx,
    );
    expect(r.timedOut).toBe(true);
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/stopped after 0.7 s/);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const list = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    expect(list.length).toBe(2);
    expect(await waitFor(() => list.every((p) => !processAlive(p)))).toBe(true);
  });

  it('kills what the command left running in the background when the shell exits', async () => {
    const { base, ctx } = setup();
    const pids = join(base, 'pids');
    const r = await runExec({ command: `sleep 100 > /dev/null 2>&1 & echo $! > ${pids}; echo started` }, ctx);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('started');
    const pid = Number(readFileSync(pids, 'utf8'));
    expect(await waitFor(() => !processAlive(pid))).toBe(true);
  });

  it('commands still running when the engine process exits are killed with it', async () => {
    const { base } = setup();
    const pidFile = join(base, 'pid');
    const script = join(import.meta.dirname, 'fixtures', 'exec-then-exit.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, base, pidFile], {
      cwd: join(import.meta.dirname, '..', '..'),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitFor(() => !processAlive(pid))).toBe(true);
  });

  it('a cancelled run kills the command', async () => {
    const { ctx } = setup();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await runExec({ command: 'sleep 100' }, { ...ctx, signal: ac.signal });
    expect(r.code).toBe(137);
    expect(r.stderr).toMatch(/cancelled/);
  });

  it('caps 20 MB of output at 10 MB per stream and keeps draining', async () => {
    const { ctx } = setup();
    const r = await runExec(
      {
        command:
          "head -c 20971520 /dev/zero | tr '\\0' a; head -c 20971520 /dev/zero | tr '\\0' b >&2; echo finished >&2",
      },
      ctx,
    );
    expect(r.code).toBe(0);
    expect(r.timedOut).toBe(false);
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBe(10 * 1024 * 1024);
    expect(r.stdoutTruncatedBytes).toBe(10 * 1024 * 1024);
    expect(r.stderr.length).toBe(10 * 1024 * 1024);
    expect(r.stderrTruncatedBytes).toBe(10 * 1024 * 1024 + 'finished\n'.length);
    expect(/^a+$/.test(r.stdout)).toBe(true);
  });

  it('never cuts a UTF-8 character in half', async () => {
    const { ctx } = setup();
    const r = await runExec(
      { command: "printf 'a'; for i in 1 2 3 4 5; do printf 'ééééé'; done" },
      { ...ctx, maxOutputBytes: 6 },
    );
    expect(r.stdout).toBe('aéé');
    expect(r.truncated).toBe(true);
  });

  it('refuses an empty command or a NUL byte', async () => {
    const { ctx } = setup();
    expect((await runExec({ command: '  ' }, ctx)).error?.code).toBe('exec_bad_request');
    expect((await runExec({ command: 'echo a\0b' }, ctx)).error?.code).toBe('exec_bad_request');
  });

  it("passes the user's environment minus the app's process plumbing", async () => {
    const { ctx } = setup();
    const env = defaultExecEnv({ PATH: process.env.PATH, MY_TOKEN: 't', NODE_CHANNEL_FD: '3' });
    expect(env.MY_TOKEN).toBe('t');
    expect(env.NODE_CHANNEL_FD).toBeUndefined();
    const r = await runExec({ command: 'echo "$MY_TOKEN:$' + '{NODE_CHANNEL_FD:-none}"' }, { ...ctx, env });
    expect(r.stdout.trim()).toBe('t:none');
  });

  it('validates the protocol request', () => {
    expect(parseExecRequest({ command: 'ls', cwd: 'a', timeout: 2 })).toEqual({
      ok: true,
      request: { command: 'ls', cwd: 'a', timeoutMs: 2000 },
    });
    expect(parseExecRequest({ command: 1 })).toMatchObject({
      ok: false,
      message: /"command" must be a string/,
    });
    expect(parseExecRequest({ command: 'ls', timeout: -1 })).toMatchObject({ ok: false });
    expect(parseExecRequest(null)).toMatchObject({ ok: false });
  });
});
