// `npm start` where Electron cannot open a window (as here): one line saying so, then browser mode's
// address within 5 s of the build; a headless Chromium loaded from that address gets window.fledge
// from the bridge, calls a method of the contract and gets the right answer, with the token gone
// from the address bar and the session cookie out of the page's reach.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

let child: ChildProcess | null = null;
afterAll(async () => {
  if (child && child.exitCode === null) {
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
});

describe('npm start without an Electron window', () => {
  it('falls back to browser mode in one line, prints a working address quickly, and Chromium calls the contract', async () => {
    const configDir = join(tempDir('start'), 'config');
    const env: NodeJS.ProcessEnv = { ...process.env, FLEDGE_CONFIG_DIR: configDir, FLEDGE_START_TIMING: '1' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    child = spawn(process.execPath, [join(repoRoot, 'build', 'start.mjs'), '--no-build'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => {
      stdout += c;
    });
    child.stderr!.on('data', (c) => {
      stderr += c;
    });
    await expect.poll(() => /token=\S+/.test(stdout), { timeout: 20_000 }).toBe(true);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^Fledge Desktop cannot open its window here: .+; starting browser mode instead\.$/,
    );
    const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(stdout)![1]!;
    await expect.poll(() => /printed ([\d.]+) s after the build/.test(stderr), { timeout: 5000 }).toBe(true);
    const seconds = Number(/printed ([\d.]+) s after the build/.exec(stderr)![1]);
    expect(seconds).toBeLessThan(5);

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // Console errors too: a CSP source Chromium rejects, a file the page asks for and does not get.
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(url);
      expect(page.url()).not.toContain('token');
      await page.waitForFunction(
        () => typeof (globalThis as unknown as { fledge?: unknown }).fledge === 'object',
      );
      const info = await page.evaluate(() =>
        (globalThis as unknown as { fledge: { app: { info(): Promise<unknown> } } }).fledge.app.info(),
      );
      expect(info).toMatchObject({ name: 'Fledge Desktop', mode: 'browser', configDir });
      const refusal = await page.evaluate(() =>
        (
          globalThis as unknown as { fledge: { plugins: { get(p: unknown): Promise<unknown> } } }
        ).fledge.plugins
          .get({ name: 42 })
          .catch((e: { code: string; message: string }) => ({ code: e.code, message: e.message })),
      );
      expect(refusal).toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(/name must be text/),
      });
      expect(
        await page.evaluate(
          () => (globalThis as unknown as { document: { cookie: string } }).document.cookie,
        ),
      ).toBe('');
      // The bridge's window.fledge cannot be replaced by the page.
      expect(
        await page.evaluate(() => {
          const w = globalThis as unknown as { fledge: unknown };
          const before = w.fledge;
          try {
            w.fledge = {};
          } catch {}
          return w.fledge === before && Object.isFrozen(before);
        }),
      ).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
