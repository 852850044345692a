// Item 10 of the hardening issue: a git install is bounded while it clones, in time and in the bytes
// it puts on disk (watched as it runs), and leaves nothing behind when stopped: no folder, no git
// process (git starts helpers, git-remote-http and index-pack: the whole process group goes).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostError } from '../../electron/engine/host/errors.js';
import { CLONE_MAX_BYTES, cloneRepository } from '../../electron/engine/install/git-source.js';
import { tempDir } from '../support/temp.js';

/** Processes whose command line mentions `needle`. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle)) found.push(pid);
    } catch {
      // gone
    }
  }
  return found;
}

async function refusal(p: Promise<unknown>): Promise<HostError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostError);
  return err as HostError;
}

describe('a git clone is bounded while it runs', () => {
  const sockets: Socket[] = [];
  // A "server" that takes the connection and never answers: git waits for ever.
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });

  it('in time: a remote that never answers is stopped at the limit, leaving no folder and no process', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const dest = join(tempDir('clone-time'), 'plugin');
    const t0 = performance.now();
    const err = await refusal(
      cloneRepository(`http://127.0.0.1:${port}/r.git`, null, dest, { timeoutMs: 1500 }),
    );
    expect(err.code).toBe('git_timeout');
    expect(err.message).toMatch(/took longer than 2 s|took longer than 1 s/);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(existsSync(dest)).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(processesMentioning(`127.0.0.1:${port}`)).toEqual([]);
  }, 30_000);

  it('in bytes: a repository bigger than the bound is stopped, leaving no folder and no process', async () => {
    const repo = tempDir('clone-big-src');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: repo,
        stdio: 'pipe',
      });
    git('init', '-q');
    writeFileSync(join(repo, 'plugin.toml'), '[plugin]\nname = "big"\n');
    writeFileSync(join(repo, 'blob.bin'), randomBytes(24 << 20)); // incompressible
    git('add', '.');
    git('commit', '-q', '-m', 'big');
    const dest = join(tempDir('clone-big'), 'plugin');
    const err = await refusal(cloneRepository(`file://${repo}`, null, dest, { maxBytes: 2 << 20 }));
    expect(err.code).toBe('install_too_large');
    expect(err.message).toMatch(/grew past 2 MB on disk; nothing was kept/);
    expect(existsSync(dest)).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(processesMentioning(dest)).toEqual([]);
    // Within the bounds, the same repository clones.
    const ok = join(tempDir('clone-ok'), 'plugin');
    expect((await cloneRepository(`file://${repo}`, null, ok)).commit).toMatch(/^[0-9a-f]{40}$/);
    expect(CLONE_MAX_BYTES).toBeGreaterThan(24 << 20);
  }, 60_000);
});
