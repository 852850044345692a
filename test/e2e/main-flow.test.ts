// The app, end to end, the way a person uses it: browser mode (the real engine, sandbox processes
// and browser-mode server) driven by Debian's Chromium. One session, in order: first run, open a
// project, a refused archive, a drag-and-drop install with consent (a subset granted), a run with
// a prompt and a select and what it touched, a denied capability degrading gracefully, a runaway
// plugin stopped, the wall clock from this plugin's own limit, a catalog install through the
// GitHub stand-in, an update that asks for more, and the history after a restart.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { type BuiltRenderer, buildRenderer, type RunningApp, startApp } from './support/app.js';
import { launchChromium } from './support/browser.js';
import { dropFile, leaveDrag, openApp } from './support/page.js';
import { demoFiles, writeFiles } from './support/plugins.js';
import { terminalText, visibleRunPanel } from './support/terminal.js';
import { makeWorld, type World, weatherSpec } from './support/world.js';

let world: World;
let built: BuiltRenderer;
let app: RunningApp;
let browser: Browser;
let page: Page;
let root: string;

beforeAll(async () => {
  root = tempDir('e2e-flow');
  world = await makeWorld(root);
  built = await buildRenderer(join(root, 'build'));
  app = await startApp(built, world.configDir);
  browser = await launchChromium();
  ({ page } = await openApp(browser, app.url));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await world?.close();
});

const pluginDirs = () => {
  const dir = join(world.configDir, 'plugins');
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
};

describe('a first session in browser mode', () => {
  it('first run says what to do next, with one button', async () => {
    await expect(page.getByRole('heading', { name: 'Welcome to Fledge' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('main').getByRole('button').count()).resolves.toBeGreaterThan(0);
    expect(await page.getByRole('main').getByRole('button', { name: 'Open a project' }).count()).toBe(1);
  });

  it('opens a project by its folder path; it stays visible with its branch and changes', async () => {
    await page.getByRole('button', { name: 'Open a project' }).click();
    await page.getByLabel('Folder path').fill(world.project);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const switcher = page.getByRole('link', { name: /^Project garden-planner/ });
    await switcher.waitFor();
    expect(await switcher.textContent()).toContain('main');
    await page.getByText('No plugins yet').waitFor();
  });

  it('refuses a malicious archive with its reason and changes nothing', async () => {
    await dropFile(page, 'sneaky.zip', world.slipZip);
    const alert = page.getByRole('alert').filter({ hasText: 'sneaky.zip' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/climbs out with "\.\."/);
    expect(await alert.textContent()).toContain('Nothing was installed');
    expect(pluginDirs()).toEqual([]);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('explains every problem of an invalid plugin at once', async () => {
    await dropFile(page, 'broken.zip', world.brokenZip);
    const alert = page.getByRole('alert').filter({ hasText: 'broken.zip' });
    await alert.waitFor();
    expect(await alert.locator('li').count()).toBeGreaterThanOrEqual(2);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('installs by drag and drop: a visible target, then consent with nothing pre-granted; a subset is granted', async () => {
    const dragged = await dropFile(page, 'demo.zip', world.demoZip, { hold: true });
    await page.getByTestId('drop-target').waitFor();
    expect(await page.getByTestId('drop-target').textContent()).toContain('Drop to install');
    await leaveDrag(page, dragged);
    await page.getByTestId('drop-target').waitFor({ state: 'detached' });

    await dropFile(page, 'demo.zip', world.demoZip);
    const dialog = page.getByRole('dialog', { name: 'Install demo 1.0.0?' });
    await dialog.waitFor();
    const switches = dialog.getByRole('checkbox');
    expect(await switches.count()).toBe(3);
    for (let i = 0; i < 3; i++) expect(await switches.nth(i).isChecked()).toBe(false);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('can run any shell command as you');
    expect(text).toContain('High risk');
    expect(text).toContain('If you say no:');
    expect(text).toContain('a folder or file on this computer');
    await dialog.getByLabel('Read your project files and keep its own files').check();
    await dialog.getByLabel('Remember data between runs').check();
    await dialog.getByRole('button', { name: 'Install with 2 allowed' }).click();
    const row = page.getByRole('link', { name: /demo 1\.0\.0/ });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('WASM, sandboxed');
    expect(rowText).toContain('Project files + own folder');
    expect(rowText).toContain('Remember data');
    expect(rowText).not.toContain('Run commands');
  });

  it('runs it: live output, a prompt and a select answered inline, the end in plain words, what it touched', async () => {
    await page.getByRole('link', { name: /demo 1\.0\.0/ }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const panel = visibleRunPanel(page);
    await panel.getByText('What should I call you?').waitFor();
    // xterm.js parses what it is given asynchronously: the line can land a moment after the question.
    await expect.poll(() => terminalText(page)).toContain('Hello from the demo plugin');
    const answer = panel.getByRole('textbox', { name: 'Your answer' });
    expect(await answer.inputValue()).toBe('friend');
    await answer.fill('');
    await panel.getByRole('button', { name: 'Answer' }).click();
    await panel.getByText(/cannot be empty/).waitFor();
    await answer.fill('Ada');
    await panel.getByRole('button', { name: 'Answer' }).click();
    await panel.getByRole('radio', { name: 'blue' }).waitFor();
    expect(await panel.getByRole('radio', { name: 'green' }).isChecked()).toBe(true);
    await panel.getByRole('radio', { name: 'blue' }).check();
    await panel.getByRole('button', { name: 'Answer' }).click();
    const end = panel.getByTestId('end-status');
    await end.waitFor({ timeout: 30_000 });
    expect(await end.textContent()).toContain('Finished');
    await expect.poll(() => terminalText(page)).toContain('Nice to meet you, Ada. You picked blue.');
    expect(await terminalText(page)).toContain('README starts with: # Garden planner');
    const touched = (await panel.getByTestId('touched-report').textContent()) ?? '';
    expect(touched).toContain('/project/README.md');
    expect(touched).toMatch(/wrote\s*\/plugin\/greeting\.txt/);
    expect(touched).toMatch(/denied\s*run "git --version"/);
  });

  it('a denied capability degrades gracefully: the plugin says what it skipped and still finishes', async () => {
    const panel = visibleRunPanel(page);
    const logs = (await panel.getByTestId('log-lines').textContent()) ?? '';
    expect(logs).toContain('I may not run commands, so I skip the git check.');
    expect(await panel.getByTestId('end-status').textContent()).toMatch(/Finished/);
  });

  it('stops a runaway plugin on request and says so in plain words', async () => {
    await page.goto(`${app.origin}/#/plugin/demo`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.getByLabel('Command', { exact: true }).selectOption('spin');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const panel = visibleRunPanel(page);
    await expect.poll(() => terminalText(page), { timeout: 20_000 }).toContain('Thinking forever');
    await panel.getByRole('button', { name: 'Stop' }).click();
    const end = panel.getByTestId('end-status');
    await end.waitFor({ timeout: 20_000 });
    expect(await end.textContent()).toContain('Stopped by you');
  });

  it("ends a runaway plugin at this plugin's own time limit, in plain words", async () => {
    await page.goto(`${app.origin}/#/plugin/demo`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.getByLabel('Time limit (seconds)').fill('1.5');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByText('In force: 1.5 seconds.').waitFor();
    await page.getByLabel('Command', { exact: true }).selectOption('spin');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const end = visibleRunPanel(page).getByTestId('end-status');
    await end.waitFor({ timeout: 30_000 });
    expect(await end.textContent()).toContain('Stopped after 1.5 s');
  });

  it('installs from the catalog (the GitHub stand-in) with consent', async () => {
    await page.getByRole('link', { name: 'Catalog' }).click();
    const results = page.getByTestId('catalog-results');
    await results.waitFor();
    expect(await results.locator('li').count()).toBe(3);
    await page.getByLabel('Trust').selectOption('official');
    expect(await results.locator('li').count()).toBe(1);
    await page.getByRole('button', { name: 'Install CorvidLabs/fledge-sprout' }).click();
    const dialog = page.getByRole('dialog', { name: /Install sprout 1\.0\.0/ });
    await dialog.waitFor({ timeout: 30_000 });
    expect(await dialog.textContent()).toContain('official fledge plugin');
    await dialog.getByLabel('Remember data between runs').check();
    await dialog.getByRole('button', { name: /^Install/ }).click();
    await page.getByText('sprout 1.0.0 is installed').waitFor({ timeout: 30_000 });
    expect(pluginDirs()).toContain('sprout');
    expect(world.github.requests.some((r) => r.url.startsWith('/search/repositories'))).toBe(true);
  });

  it('an update that asks for more shows the difference, nothing new switched on', async () => {
    const dir = writeFiles(
      join(root, 'weather'),
      demoFiles(world.bins, weatherSpec('1.0.0', ['store = true'])),
    );
    await page.getByRole('link', { name: 'Plugins' }).click();
    await page.getByRole('button', { name: 'Install from this computer' }).click();
    await page.getByLabel(/Location of a plugin folder/).fill(dir);
    await page.getByRole('button', { name: 'Check and install' }).click();
    const first = page.getByRole('dialog', { name: /Install weather 1\.0\.0/ });
    await first.waitFor();
    await first.getByLabel('Remember data between runs').check();
    await first.getByRole('button', { name: /^Install/ }).click();
    await page.getByText('weather 1.0.0 is installed').waitFor();

    writeFiles(
      dir,
      demoFiles(world.bins, weatherSpec('1.1.0', ['store = true', 'filesystem = "project"', 'clock = true'])),
    );
    await page.getByRole('link', { name: /weather 1\.0\.0/ }).click();
    await page.getByRole('button', { name: 'Check for update' }).click();
    const dialog = page.getByRole('dialog', { name: /Update weather 1\.1\.0/ });
    await dialog.waitFor();
    const diff = (await dialog.getByTestId('consent-diff').textContent()) ?? '';
    expect(diff).toMatch(/New\s*Read project files, Real clock/);
    expect(diff).toMatch(/Unchanged\s*Remember data/);
    expect(await dialog.getByRole('checkbox').count()).toBe(2);
    for (const box of await dialog.getByRole('checkbox').all()) expect(await box.isChecked()).toBe(false);
    await dialog.getByLabel('Read the real clock').check();
    await dialog.getByRole('button', { name: 'Update with 1 allowed' }).click();
    await page.getByText('weather 1.1.0 is installed').waitFor();
    await page.getByRole('heading', { name: 'What it may do' }).waitFor();
    await expect
      .poll(async () => (await page.locator('.grant-list').textContent()) ?? '')
      .toMatch(/Real clock\s*Granted/);
    expect(await page.locator('.grant-list').textContent()).toMatch(/Read project files\s*Not granted/);
    expect(await page.locator('.grant-list').textContent()).toMatch(/Remember data\s*Granted/);
  });

  it('finds the run history after the server restarts', async () => {
    await app.close();
    app = await startApp(built, world.configDir);
    await page.goto(app.url);
    await page.waitForSelector('html[data-ready="true"]');
    await page.getByRole('link', { name: 'Runs' }).click();
    const history = page.getByTestId('history');
    await history.waitFor();
    const text = (await history.textContent()) ?? '';
    expect(text).toContain('hello');
    expect(text).toContain('Finished');
    expect(text).toContain('Stopped by you');
    expect(text).toContain('Stopped after 1.5 s');
    await history.getByRole('button', { name: /Show output of demo hello/ }).click();
    await expect.poll(() => terminalText(page)).toContain('Nice to meet you, Ada');
  });
});
