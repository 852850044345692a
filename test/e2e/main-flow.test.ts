// The app, end to end, the way a person uses it: browser mode (the real engine, sandbox processes
// and browser-mode server) driven by Debian's Chromium. Each scenario stands on its own (its own
// config dir, project, GitHub stand-in, server and browser context; what it needs already done is
// done through the app service), so one failure never fails the scenarios after it: first run and
// opening a project, refused archives, a drag-and-drop install with consent (a subset granted), a run
// with a prompt and a select and what it touched, a denied capability degrading gracefully, a runaway
// plugin stopped, the wall clock from this plugin's own limit, a catalog install through the GitHub
// stand-in, an update that asks for more, and the history after a restart.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropFile, leaveDrag } from './support/page.js';
import { demoFiles, writeFiles, zipOf } from './support/plugins.js';
import { closeShared, goTo, installThroughService, openScenario, type Scenario } from './support/scenario.js';
import { terminalText, visibleRunPanel } from './support/terminal.js';
import { weatherSpec } from './support/world.js';

afterAll(() => closeShared());

const pluginDirs = (s: Scenario) => {
  const dir = join(s.world.configDir, 'plugins');
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
};

/** One scenario per describe: opened before its tests, closed after them. */
function scenario(options: { project?: boolean; demo?: boolean } = {}): () => Scenario {
  let s: Scenario | undefined;
  beforeAll(async () => {
    s = await openScenario({ project: options.project || options.demo });
    if (options.demo) {
      // demo 1.0.0 with two of its three asks granted (its files and memory; no commands).
      const folder = writeFiles(join(s.world.root, 'demo-src'), demoFiles(s.world.bins));
      await installThroughService(s.app, folder, { filesystem: 'plugin', store: true });
      await goTo(s, '/plugins');
    }
  }, 120_000);
  afterAll(() => s?.close());
  return () => {
    if (!s) throw new Error('the scenario did not open');
    return s;
  };
}

/** Runs demo's endless "spin" from its page, waits for its first line, presses Stop; its end status. */
async function startSpinAndStop(sc: Scenario) {
  const { page } = sc;
  await goTo(sc, '/plugin/demo');
  // Ten times the default compute budget: a fast machine uses the default's 10^10 steps in about a
  // second, and the run would end by itself before Stop is pressed (the Stop button then is gone).
  await page.getByLabel('Compute budget (million steps)').fill('100000');
  await page.getByRole('button', { name: 'Save limits' }).click();
  await page.getByText('In force: 100 billion steps.').waitFor();
  await page.getByLabel('Command', { exact: true }).selectOption('spin');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const panel = visibleRunPanel(page);
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toContain('Thinking forever');
  await panel.getByRole('button', { name: 'Stop' }).click();
  const end = panel.getByTestId('end-status');
  await end.waitFor({ timeout: 20_000 });
  return end;
}

describe('first run', () => {
  const s = scenario();

  it('says what to do next, with one button', async () => {
    const { page } = s();
    await expect(page.getByRole('heading', { name: 'Welcome to Fledge' }).isVisible()).resolves.toBe(true);
    expect(await page.getByRole('main').getByRole('button', { name: 'Open a project' }).count()).toBe(1);
  });

  it('opens a project by its folder path; it stays visible with its branch and changes', async () => {
    const { page, world } = s();
    await page.getByRole('button', { name: 'Open a project' }).click();
    await page.getByLabel('Folder path').fill(world.project);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const switcher = page.getByRole('link', { name: /^Project garden-planner/ });
    await switcher.waitFor();
    expect(await switcher.textContent()).toContain('main');
    await page.getByText('No plugins yet').waitFor();
  });
});

describe('archives that cannot be installed', () => {
  const s = scenario({ project: true });

  it('refuses a malicious archive with its reason and changes nothing', async () => {
    const { page, world } = s();
    await dropFile(page, 'sneaky.zip', world.slipZip);
    const alert = page.getByRole('alert').filter({ hasText: 'sneaky.zip' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/climbs out with "\.\."/);
    expect(await alert.textContent()).toContain('Nothing was installed');
    expect(pluginDirs(s())).toEqual([]);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('explains every problem of an invalid plugin at once', async () => {
    const { page, world } = s();
    await dropFile(page, 'broken.zip', world.brokenZip);
    const alert = page.getByRole('alert').filter({ hasText: 'broken.zip' });
    await alert.waitFor();
    expect(await alert.locator('li').count()).toBeGreaterThanOrEqual(2);
    expect(pluginDirs(s())).toEqual([]);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
  });
});

describe('a drag-and-drop install', () => {
  const s = scenario({ project: true });

  it('shows a visible target, then consent with nothing pre-granted; a subset is granted', async () => {
    const { page, world } = s();
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
    expect(pluginDirs(s())).toContain('demo');
  });

  it('takes a newer version of it, dropped, as its update: what changes is shown, what it may do is kept', async () => {
    const { page, world } = s();
    await dropFile(page, 'demo-1.1.0.zip', await zipOf(demoFiles(world.bins, { version: '1.1.0' })));
    const dialog = page.getByRole('dialog', { name: 'Update demo 1.1.0?' });
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('demo-1.1.0.zip, dropped on this window');
    expect(text).not.toContain('uploads');
    expect(text).toContain('what you allowed stays allowed, the rest stays off');
    await dialog.getByRole('button', { name: /^Update/ }).click();
    const row = page.getByRole('link', { name: /demo 1\.1\.0/ });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('Remember data');
    expect(rowText).not.toContain('Run commands');
    expect(await page.getByRole('link', { name: /demo 1\.0\.0/ }).count()).toBe(0);
    await row.click();
    await page.getByText('demo-1.1.0.zip, dropped on this window').waitFor();
    // Nothing to fetch again for a dropped file: the refusal says so, titled as an update.
    await page.getByRole('button', { name: 'Check for update' }).click();
    const problem = page.getByText('demo could not be updated');
    await problem.waitFor();
    expect(await page.getByText(/Drop the newer file on this window to update it/).count()).toBe(1);
    expect(await page.getByText('demo could not be installed').count()).toBe(0);
  });
});

describe('a run', () => {
  const s = scenario({ demo: true });

  it('shows live output, a prompt and a select answered inline, the end in plain words, what it touched; the denied capability degrades gracefully', async () => {
    const { page } = s();
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
    // exec was not granted: the plugin says what it skipped, and still finishes.
    const logs = (await panel.getByTestId('log-lines').textContent()) ?? '';
    expect(logs).toContain('I may not run commands, so I skip the git check.');
  });
});

describe('a runaway plugin', () => {
  const s = scenario({ demo: true });

  it('stops on request and says so in plain words', async () => {
    const end = await startSpinAndStop(s());
    expect(await end.textContent()).toContain('Stopped by you');
  });

  it("ends at this plugin's own time limit, in plain words", async () => {
    const { page } = s();
    await goTo(s(), '/plugin/demo');
    await page.getByLabel('Time limit (seconds)').fill('1.5');
    // Ten times the default compute budget: on a fast machine the loop used all of 10^10 steps in 1.0 s,
    // before the time limit it is here to reach.
    await page.getByLabel('Compute budget (million steps)').fill('100000');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByText('In force: 1.5 seconds.').waitFor();
    await page.getByLabel('Command', { exact: true }).selectOption('spin');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const end = visibleRunPanel(page).getByTestId('end-status');
    await end.waitFor({ timeout: 30_000 });
    expect(await end.textContent()).toContain('Stopped after 1.5 s');
  });
});

describe('the catalog', () => {
  const s = scenario({ project: true });

  it('installs from the catalog (the GitHub stand-in) with consent', async () => {
    const { page, world } = s();
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
    expect(pluginDirs(s())).toContain('sprout');
    expect(world.github.requests.some((r) => r.url.startsWith('/search/repositories'))).toBe(true);
  });
});

describe('an update that asks for more', () => {
  const s = scenario({ project: true });

  it('shows the difference, nothing new switched on', async () => {
    const { page, world } = s();
    const dir = writeFiles(
      join(world.root, 'weather'),
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
});

describe('run history', () => {
  const s = scenario({ demo: true });

  it('is found again after the server restarts, with its output', async () => {
    const { page } = s();
    await startSpinAndStop(s());

    await s().restart();
    await page.goto(s().app.url);
    await page.waitForSelector('html[data-ready="true"]');
    await page.getByRole('link', { name: 'Runs' }).click();
    const history = page.getByTestId('history');
    await history.waitFor();
    const text = (await history.textContent()) ?? '';
    expect(text).toContain('spin');
    expect(text).toContain('Stopped by you');
    await history.getByRole('button', { name: /Show output of demo spin/ }).click();
    await expect.poll(() => terminalText(page)).toContain('Thinking forever');
  });
});
