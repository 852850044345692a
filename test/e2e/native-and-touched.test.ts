// End to end in browser mode (the real engine, sandbox and bwrap, Debian's Chromium): the runtime badge
// tells the truth for a native plugin (contained here, with what that means), full access is allowed
// from its page only after a confirmation with nothing pre-chosen and taken back with one click (the
// engine and the CLI's record agree), a WASM plugin's store keys and metadata keys show in "what it
// touched" (never the values), and the Projects screen offers the folder dialog only where it works.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containmentSupport } from '../../electron/engine/native/containment.js';
import { buildRenderer, startApp } from './support/app.js';
import { seriousViolations } from './support/axe.js';
import { openApp } from './support/page.js';
import { demoFiles, writeFiles } from './support/plugins.js';
import {
  call,
  closeShared,
  goTo,
  installThroughService,
  openScenario,
  type Scenario,
} from './support/scenario.js';
import { visibleRunPanel } from './support/terminal.js';
import { nativeToolFolder, storeKeysFolder } from './support/touched-plugins.js';

afterAll(() => closeShared());
const contained = (await containmentSupport()).available;
let s: Scenario;
beforeAll(async () => {
  s = await openScenario({ project: true });
  await installThroughService(s.app, nativeToolFolder(s.world.root), {});
  await installThroughService(s.app, await storeKeysFolder(s.world.root), { store: true, metadata: true });
}, 120_000);
afterAll(() => s?.close());

const accessOf = (name: string) =>
  call<{ access: { mode: string; fullAccessAllowed: boolean } }>(s.app, 'plugins.get', { name }).then(
    (p) => p.access,
  );

describe('the runtime badge', () => {
  it('says how each installed plugin runs, from the engine, with what it means on hover', async () => {
    await goTo(s, '/plugins');
    const native = s.page.locator('.plugin-row', { hasText: 'toolbox' }).locator('.badge').first();
    const wasm = s.page.locator('.plugin-row', { hasText: 'keeper' }).locator('.badge').first();
    expect(await wasm.textContent()).toBe('WASM, sandboxed');
    if (contained) {
      expect(await native.textContent()).toBe('Native, contained');
      const title = (await native.getAttribute('title')) ?? '';
      expect(title).toContain('can read this project but not change it');
      expect(title).toContain('has no network (unless you grant it)');
    } else {
      expect(await native.textContent()).toBe('Native, full access');
    }
  });
});

describe.skipIf(!contained)('full access from the plugin page', () => {
  it('is allowed only after a confirmation with nothing pre-chosen, and taken back with one click', async () => {
    const { page } = s;
    await goTo(s, '/plugin/toolbox');
    const section = page.getByTestId('plugin-access');
    expect(await section.locator('.badge').textContent()).toBe('Native, contained');
    expect(await seriousViolations(page)).toEqual([]);
    await section.getByRole('button', { name: 'Allow full access…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Let toolbox run with full access?' });
    await dialog.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(await dialog.textContent()).toContain('It can do anything you can do');
    const understood = dialog.getByRole('checkbox');
    const allow = dialog.getByRole('button', { name: 'Allow full access' });
    expect(await understood.isChecked()).toBe(false);
    expect(await allow.isDisabled()).toBe(true);
    // Keeping it contained changes nothing.
    await dialog.getByRole('button', { name: 'Keep it contained' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await accessOf('toolbox')).fullAccessAllowed).toBe(false);

    await section.getByRole('button', { name: 'Allow full access…' }).click();
    await dialog.getByRole('checkbox').check();
    await dialog.getByRole('button', { name: 'Allow full access' }).click();
    await section.locator('.badge', { hasText: 'Native, full access' }).waitFor();
    expect(await accessOf('toolbox')).toMatchObject({ mode: 'full', fullAccessAllowed: true });
    // Recorded where the CLI's `plugins grant toolbox full-access` records it.
    const record = JSON.parse(
      readFileSync(join(s.world.configDir, 'fledge-desktop', 'native-access.json'), 'utf8'),
    );
    expect(Object.keys(record)).toEqual(['toolbox']);
    // The list says so too.
    await goTo(s, '/plugins');
    expect(
      await page.locator('.plugin-row', { hasText: 'toolbox' }).locator('.badge').first().textContent(),
    ).toBe('Native, full access');

    await goTo(s, '/plugin/toolbox');
    await page.getByTestId('plugin-access').getByRole('button', { name: 'Take back full access' }).click();
    await page.getByTestId('plugin-access').locator('.badge', { hasText: 'Native, contained' }).waitFor();
    expect(await accessOf('toolbox')).toMatchObject({ mode: 'contained', fullAccessAllowed: false });
  });
});

describe('what it touched', () => {
  it('lists the store keys a plugin wrote and the metadata keys it read, never the values, live and in history', async () => {
    const { page } = s;
    await goTo(s, '/plugin/keeper');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const panel = visibleRunPanel(page);
    await panel.getByTestId('end-status').waitFor({ timeout: 30_000 });
    const report = panel.getByTestId('touched-report');
    const store = report.getByTestId('touched-store');
    await store.waitFor();
    const text = (await store.textContent()) ?? '';
    expect(text).toContain('3 store keys written (6 writes)');
    expect(text).toMatch(/wrote\s*greeting\s*· 2 times/);
    expect(text).toMatch(/wrote\s*last-run/);
    expect(text).toMatch(/wrote\s*loop\s*· 3 times/);
    const metadata = (await report.getByTestId('touched-metadata').textContent()) ?? '';
    expect(metadata).toContain('git_tags');
    expect(metadata).toContain('env');
    expect(metadata).not.toContain('no_such_key');
    expect((await report.textContent()) ?? '').not.toContain('VALUE-NEVER-SHOWN');
    expect(await seriousViolations(page)).toEqual([]);

    // After a restart, from the history.
    await s.restart();
    await page.goto(s.app.url);
    await page.waitForSelector('html[data-ready="true"]');
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    const history = page.getByTestId('history');
    await history.waitFor();
    await history
      .getByRole('button', { name: /Show output of keeper/ })
      .first()
      .click();
    const again = visibleRunPanel(page).getByTestId('touched-store');
    await again.waitFor({ timeout: 15_000 });
    expect(await again.textContent()).toContain('3 store keys written');
  });
});

describe('the Projects screen in browser mode', () => {
  it('has no folder dialog (the engine says so), only the folder path field and the recent list', async () => {
    expect(await call(s.app, 'dialogs.available')).toEqual({ pickFolder: false });
    await goTo(s, '/projects');
    await s.page.getByLabel('Folder path').waitFor();
    expect(await s.page.getByRole('button', { name: 'Open folder…' }).count()).toBe(0);
    expect(await seriousViolations(s.page)).toEqual([]);
  });
});

describe('the Projects screen where the folder dialog works (as in the desktop app)', () => {
  it('shows "Open folder…" (the folder chosen becomes the project) and "Choose a plugin folder…" (its install asks consent)', async () => {
    // The desktop app's service with a stand-in for Electron's dialog (main passes folderPicker).
    const built = await buildRenderer(join(s.world.root, 'build-dialog'));
    const asked: string[] = [];
    const pluginFolder = writeFiles(join(s.world.root, 'dialog-plugin'), demoFiles(s.world.bins));
    const app = await startApp(built, join(s.world.root, 'config-dialog'), {
      pickFolder: async (purpose) => {
        asked.push(purpose);
        return purpose === 'plugin' ? pluginFolder : s.world.project;
      },
    });
    const { page, context } = await openApp(s.browser, app.url);
    try {
      await page.getByRole('button', { name: 'Open a project' }).click();
      await page.getByRole('button', { name: 'Open folder…' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Open folder…' }).click();
      await page.getByRole('link', { name: /^Project garden-planner/ }).waitFor();
      expect(asked).toEqual(['project']);
      expect(
        ((await app.service.call('projects.list', {})) as { result: { current: { path: string } } }).result
          .current.path,
      ).toBe(s.world.project);

      // Install from this computer: the folder dialog beside the location field; consent follows.
      await page.getByRole('link', { name: 'Plugins' }).click();
      await page.getByRole('button', { name: 'Install from this computer' }).click();
      await page.getByRole('button', { name: 'Choose a plugin folder…' }).click();
      await page.getByRole('dialog', { name: 'Install demo 1.0.0?' }).waitFor();
      expect(asked).toEqual(['project', 'plugin']);
    } finally {
      await context.close();
      await app.close();
    }
  }, 120_000);
});
