// Accessibility and the keyboard: axe finds no serious or critical violation on any screen, light
// and dark; and the main flow (open a project, install with consent, run, answer) works with the
// keyboard alone, with no mouse event at all. Each part is its own scenario (support/scenario.ts),
// so one failing never fails the other.

import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/axe.js';
import { focusedName, tabTo } from './support/keyboard.js';
import { dropFile } from './support/page.js';
import { demoFiles, writeFiles } from './support/plugins.js';
import {
  call,
  closeShared,
  goTo,
  installThroughService,
  openScenario,
  type Scenario,
} from './support/scenario.js';
import { terminalText, visibleRunPanel } from './support/terminal.js';

afterAll(() => closeShared());

describe('keyboard only', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await openScenario();
  }, 120_000);
  afterAll(() => s?.close());

  it('opens a project, installs a plugin with consent, runs it and answers its questions without a mouse', async () => {
    const { page, world } = s;
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        addEventListener(t: string, f: () => void, o: boolean): void;
        __mouse: number;
      };
      g.__mouse = 0;
      for (const t of ['mousedown', 'pointerdown', 'mouseup'])
        g.addEventListener(
          t,
          () => {
            g.__mouse++;
          },
          true,
        );
    });
    const folder = writeFiles(join(world.root, 'demo-folder'), demoFiles(world.bins));

    await tabTo(page, /Open a project/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^Folder path/);
    await page.keyboard.type(world.project);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: /^Project garden-planner/ }).waitFor();

    await tabTo(page, /^Install from this computer$/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^Location of a plugin folder/);
    await page.keyboard.type(folder);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Install demo 1.0.0?' });
    await dialog.waitFor();
    await tabTo(page, /^Remember data between runs/, 20);
    await page.keyboard.press('Space');
    await tabTo(page, /^Install with 1 allowed$/, 20);
    await page.keyboard.press('Enter');
    await page.getByText('demo 1.0.0 is installed').waitFor();

    await tabTo(page, /^demo 1\.0\.0/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'What it may do' }).waitFor();
    await tabTo(page, /^Run$/);
    await page.keyboard.press('Enter');
    const panel = visibleRunPanel(page);
    await panel.getByText('What should I call you?').waitFor();
    await expect.poll(() => focusedName(page)).toBe('Your answer');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Grace');
    await page.keyboard.press('Enter');
    await panel.getByRole('radio', { name: 'blue' }).waitFor();
    await expect.poll(() => focusedName(page)).toBe('green');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, /^Answer$/, 5);
    await page.keyboard.press('Enter');
    await panel.getByTestId('end-status').waitFor({ timeout: 30_000 });
    await expect.poll(() => terminalText(page)).toContain('Nice to meet you, Grace. You picked blue.');
    expect(await page.evaluate(() => (globalThis as unknown as { __mouse: number }).__mouse)).toBe(0);
  });
});

describe('axe: no serious or critical violation, light and dark', () => {
  let s: Scenario;
  let page: Page;
  beforeAll(async () => {
    // demo installed with its memory granted, and one finished run of it in the history.
    s = await openScenario({ project: true });
    const folder = writeFiles(join(s.world.root, 'demo-src'), demoFiles(s.world.bins));
    await installThroughService(s.app, folder, { store: true });
    const run = await call<{ id: string }>(s.app, 'runs.start', { plugin: 'demo', command: 'hello' });
    await call(s.app, 'runs.cancel', { runId: run.id });
    while ((await call<unknown[]>(s.app, 'runs.active')).length > 0)
      await new Promise((r) => setTimeout(r, 50));
    await goTo(s, '/plugins');
    page = s.page;
  }, 120_000);
  afterAll(() => s?.close());

  it('plugins, detail, runs', async () => {
    await page.getByRole('link', { name: 'Plugins' }).click();
    await page.getByRole('link', { name: /demo 1\.0\.0/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: /demo 1\.0\.0/ }).click();
    await page.getByRole('heading', { name: 'What it may do' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByTestId('history').waitFor();
    await page
      .getByRole('button', { name: /Show output of demo hello/ })
      .first()
      .click();
    await page.getByTestId('end-status').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('a run asking a question', async () => {
    await goTo(s, '/plugin/demo');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await visibleRunPanel(page).getByText('What should I call you?').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await visibleRunPanel(page).getByRole('button', { name: 'Stop' }).click();
  });

  it('consent and errors', async () => {
    await page.getByRole('link', { name: 'Plugins' }).click();
    await dropFile(page, 'sneaky.zip', s.world.slipZip);
    await page.getByText(/climbs out/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByTestId('catalog-results').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Install CorvidLabs/fledge-sprout' }).click();
    await page.getByTestId('consent').waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Don’t install' }).click();
  });

  it('projects, settings, first run', async () => {
    await page.getByRole('link', { name: /^Project garden-planner/ }).click();
    await page.getByLabel('Folder path').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Limits for every run' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const fresh = await openScenario();
    try {
      await fresh.page.getByRole('heading', { name: 'Welcome to Fledge' }).waitFor();
      expect(await seriousViolations(fresh.page)).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
