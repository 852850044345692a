// `npm run screenshots`: every screen and state of the app, light and dark, as PNGs in
// screenshots/ (git-ignored). It drives the real app in browser mode (engine, sandbox processes,
// the GitHub stand-in for the catalog) through a person's first session.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { buildRenderer, startApp } from '../e2e/support/app.js';
import { launchChromium } from '../e2e/support/browser.js';
import { dropFile, leaveDrag, openApp } from '../e2e/support/page.js';
import { demoFiles, writeFiles, zipOf } from '../e2e/support/plugins.js';
import { nativeToolFolder, storeKeysFolder } from '../e2e/support/touched-plugins.js';
import { makeWorld, weatherSpec } from '../e2e/support/world.js';

const OUT = resolve(import.meta.dirname, '..', '..', 'screenshots');
mkdirSync(OUT, { recursive: true });
const root = mkdtempSync(join(tmpdir(), 'fledge-shots-'));
const written: string[] = [];
let n = 0;

async function shoot(page: Page, state: string): Promise<void> {
  n++;
  // Messages from earlier steps would cover this state; the list right after an install keeps its own.
  if (!state.endsWith('-list'))
    await page.locator('.toast-close').evaluateAll((els) => {
      for (const el of els) (el as unknown as { click(): void }).click();
    });
  const base = `${String(n).padStart(2, '0')}-${state}`;
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(120);
    const file = join(OUT, `${base}-${scheme}.png`);
    await page.screenshot({ path: file });
    written.push(file);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const world = await makeWorld(root);
const built = await buildRenderer(join(root, 'build'));
const app = await startApp(built, world.configDir);
const browser = await launchChromium();
try {
  const { page } = await openApp(browser, app.url);
  await shoot(page, 'first-run');

  await page.getByRole('button', { name: 'Open a project' }).click();
  await page.getByLabel('Folder path').fill(world.project);
  await shoot(page, 'projects');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByText('No plugins yet').waitFor();
  await shoot(page, 'plugins-empty');

  const dragged = await dropFile(page, 'demo.zip', world.demoZip, { hold: true });
  await page.getByTestId('drop-target').waitFor();
  await shoot(page, 'drop-target');
  await leaveDrag(page, dragged);

  await dropFile(page, 'broken.zip', world.brokenZip);
  await page.getByText('is not a plugin Fledge can install').waitFor();
  await shoot(page, 'error-invalid-plugin');
  await page.getByRole('button', { name: 'Dismiss' }).click();

  await dropFile(page, 'sneaky.zip', world.slipZip);
  await page.getByText(/climbs out/).waitFor();
  await shoot(page, 'error-malicious-archive');
  await page.getByRole('button', { name: 'Dismiss' }).click();

  await dropFile(page, 'demo.zip', world.demoZip);
  await page.getByTestId('consent').waitFor();
  await shoot(page, 'consent-install');
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Read your project files and keep its own files').check();
  await dialog.getByLabel('Remember data between runs').check();
  await shoot(page, 'consent-some-granted');
  await dialog.getByRole('button', { name: /^Install/ }).click();
  await page.getByRole('link', { name: /demo 1\.0\.0/ }).waitFor();
  await shoot(page, 'plugins-list');

  await page.getByRole('link', { name: /demo 1\.0\.0/ }).click();
  await page.getByRole('heading', { name: 'What it may do' }).waitFor();
  await shoot(page, 'plugin-detail');
  await page.mouse.wheel(0, 900);
  await shoot(page, 'plugin-detail-lower');
  await page.mouse.wheel(0, -2000);

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByText('What should I call you?').waitFor();
  await shoot(page, 'run-prompt');
  await page.getByRole('textbox', { name: 'Your answer' }).fill('Ada');
  await page.getByRole('button', { name: 'Answer' }).click();
  await page.getByRole('radio', { name: 'blue' }).waitFor();
  await shoot(page, 'run-select');
  await page.getByRole('radio', { name: 'blue' }).check();
  await page.getByRole('button', { name: 'Answer' }).click();
  await page.getByTestId('end-status').waitFor();
  await page.waitForTimeout(300);
  await shoot(page, 'run-ended');

  await page.goto(`${app.origin}/#/plugin/demo`);
  await page.waitForSelector('html[data-ready="true"]');
  // Ten times the default compute budget, as in the e2e test: a fast machine uses the default's
  // 10^10 steps in under a second, and the run would end by itself before the running state is shot
  // and Stop is pressed.
  await page.getByLabel('Compute budget (million steps)').fill('100000');
  await page.getByRole('button', { name: 'Save limits' }).click();
  await page.getByText('In force: 100 billion steps.').waitFor();
  await page.getByLabel('Command', { exact: true }).selectOption('spin');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByText('Thinking forever').waitFor();
  await page.waitForTimeout(500);
  await shoot(page, 'run-running');
  await page.getByRole('button', { name: 'Stop' }).click();
  await page
    .locator('[data-state="ended"]:not([hidden]) [data-testid="end-status"]')
    .waitFor({ timeout: 20_000 });
  await shoot(page, 'run-stopped');

  await page.getByRole('link', { name: 'Catalog' }).click();
  await page.getByTestId('catalog-results').waitFor();
  // Each card says what it is once looked at (before any install).
  await page.getByText('Needs Rust to build', { exact: true }).waitFor();
  await shoot(page, 'catalog');
  await page.getByRole('button', { name: 'Install CorvidLabs/fledge-sprout' }).click();
  await page.getByTestId('consent').waitFor();
  await shoot(page, 'consent-catalog');
  await page.getByRole('dialog').getByLabel('Remember data between runs').check();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: /^Install/ })
    .click();
  await page.getByText('sprout 1.0.0 is installed').waitFor();

  // An update that asks for more: a plugin installed from a folder, whose folder then changes.
  const weather = writeFiles(
    join(root, 'weather'),
    demoFiles(world.bins, weatherSpec('1.0.0', ['store = true'])),
  );
  await page.getByRole('link', { name: 'Plugins' }).click();
  await page.getByRole('button', { name: 'Install from this computer' }).click();
  await page.getByLabel(/Location of a plugin folder/).fill(weather);
  await shoot(page, 'install-from-path');
  await page.getByRole('button', { name: 'Check and install' }).click();
  await page.getByTestId('consent').waitFor();
  await page.getByRole('dialog').getByLabel('Remember data between runs').check();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: /^Install/ })
    .click();
  await page.getByText('weather 1.0.0 is installed').waitFor();
  writeFiles(
    weather,
    demoFiles(world.bins, weatherSpec('1.1.0', ['store = true', 'filesystem = "project"', 'clock = true'])),
  );
  await page.getByRole('link', { name: /weather 1\.0\.0/ }).click();
  await page.getByRole('button', { name: 'Check for update' }).click();
  await page.getByTestId('consent-diff').waitFor();
  await shoot(page, 'consent-update');
  await page
    .getByRole('dialog')
    .getByRole('button', { name: /^Update/ })
    .click();
  await page.getByText('weather 1.1.0 is installed').waitFor();

  await page.getByRole('link', { name: 'Runs' }).click();
  await page.getByTestId('history').waitFor();
  await shoot(page, 'runs');

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Limits for every run' }).waitFor();
  await shoot(page, 'settings');

  // A native plugin's page (how it runs: contained here), full access asked and allowed; store keys
  // and metadata keys in what it touched.
  const installFromFolder = async (folder: string, name: string, grants: string[]) => {
    await page.goto(`${app.origin}/#/plugins`);
    await page.getByRole('button', { name: 'Install from this computer' }).click();
    await page.getByLabel(/Location of a plugin folder/).fill(folder);
    await page.getByRole('button', { name: 'Check and install' }).click();
    await page.getByTestId('consent').waitFor();
    for (const label of grants) await page.getByRole('dialog').getByLabel(label).check();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^Install/ })
      .click();
    await page.getByText(`${name} 1.0.0 is installed`).waitFor();
  };
  await installFromFolder(nativeToolFolder(root), 'toolbox', []);
  await installFromFolder(await storeKeysFolder(root), 'keeper', [
    'Remember data between runs',
    'Read project details',
  ]);
  await page.goto(`${app.origin}/#/plugins`);
  await page.locator('.plugin-row', { hasText: 'toolbox' }).waitFor();
  await shoot(page, 'plugins-list-runtimes');
  await page.goto(`${app.origin}/#/plugin/toolbox`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.getByTestId('plugin-access').scrollIntoViewIfNeeded();
  await shoot(page, 'plugin-native-contained');
  await page.getByRole('button', { name: 'Allow full access…' }).click();
  await page.getByRole('dialog').getByRole('checkbox').waitFor();
  await shoot(page, 'full-access-confirm');
  await page.getByRole('dialog').getByRole('checkbox').check();
  await page.getByRole('dialog').getByRole('button', { name: 'Allow full access' }).click();
  await page.getByTestId('plugin-access').getByRole('button', { name: 'Take back full access' }).waitFor();
  await page.getByTestId('plugin-access').scrollIntoViewIfNeeded();
  await shoot(page, 'plugin-native-full-access');
  await page.goto(`${app.origin}/#/plugin/keeper`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('[data-state="ended"]:not([hidden]) [data-testid="touched-store"]').waitFor();
  await page
    .locator('[data-state="ended"]:not([hidden]) [data-testid="touched-report"]')
    .scrollIntoViewIfNeeded();
  await shoot(page, 'run-touched-store-keys');

  // The Projects screen where the folder dialog works (the desktop app; a stand-in for Electron's dialog).
  const desktop = await startApp(built, join(root, 'config-desktop'), { pickFolder: async () => null });
  try {
    const other = await openApp(browser, desktop.url);
    await other.page.getByRole('button', { name: 'Open a project' }).click();
    await other.page.getByRole('button', { name: 'Open folder…' }).waitFor();
    await shoot(other.page, 'projects-folder-dialog');
    await other.context.close();
  } finally {
    await desktop.close();
  }

  // One request left this hour: the search gets it, the plugin just published cannot be looked at.
  world.github.resetRateLimit(1);
  world.repos.push({
    owner: 'garden-tools',
    name: 'fledge-todo',
    description: 'Lists the TODO comments in your project',
    stars: 4,
    files: {},
  });
  await page.getByRole('link', { name: 'Catalog' }).click();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText('Some plugins are not checked yet').waitFor();
  await shoot(page, 'catalog-limited');

  world.github.setMode({ kind: 'rate-limited', resetInSeconds: 600 });
  await page.getByRole('link', { name: 'Catalog' }).click();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText(/Showing results saved/).waitFor();
  await shoot(page, 'catalog-from-cache');

  // A newer file of the dropped demo, dropped: offered as its update, named by the file dropped.
  await page.getByRole('link', { name: 'Plugins' }).click();
  await dropFile(
    page,
    'demo-1.1.0.zip',
    await zipOf(
      demoFiles(world.bins, {
        version: '1.1.0',
        capabilities: ['filesystem = "plugin"', 'store = true', 'exec = true', 'clock = true'],
      }),
    ),
  );
  await page.getByRole('dialog', { name: 'Update demo 1.1.0?' }).waitFor();
  await shoot(page, 'consent-update-dropped');
} catch (e) {
  const pages = browser.contexts().flatMap((c) => c.pages());
  if (pages[0]) await pages[0].screenshot({ path: join(OUT, 'FAILED.png') });
  throw e;
} finally {
  await browser.close();
  await app.close();
  await world.close();
  rmSync(root, { recursive: true, force: true });
}
console.log(`${written.length} screenshots in ${OUT}`);
