// The consent screen and the run view for a native plugin, light and dark, as PNGs (for a person to look at):
//   npx tsx test/native/screenshot-native-consent.ts [out-dir=screenshots]
// Browser mode: the real renderer and AppService, Debian's Chromium; the install is started through
// window.fledge as the app's install button does.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildRenderer, startApp } from '../e2e/support/app.js';
import { launchChromium } from '../e2e/support/browser.js';
import { openApp } from '../e2e/support/page.js';

const out = resolve(process.argv[2] ?? join(import.meta.dirname, '..', '..', 'screenshots'));
mkdirSync(out, { recursive: true });
const root = mkdtempSync(join(tmpdir(), 'fledge-native-shots-'));
const plugin = join(root, 'src', 'fledge-changelog');
mkdirSync(join(plugin, 'bin'), { recursive: true });
copyFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'native', 'plain.sh'),
  join(plugin, 'bin', 'changelog'),
);
chmodSync(join(plugin, 'bin', 'changelog'), 0o755);
writeFileSync(
  join(plugin, 'plugin.toml'),
  '[plugin]\nname = "fledge-changelog"\nversion = "1.2.0"\ndescription = "Writes CHANGELOG.md from your git history."\nauthor = "CorvidLabs"\nruntime = "native"\n\n[[commands]]\nname = "changelog"\nbinary = "bin/changelog"\n\n[capabilities]\nmetadata = true\n',
);
const built = await buildRenderer(join(root, 'build'));
const app = await startApp(built, join(root, 'config'));
const browser = await launchChromium();
try {
  const { page } = await openApp(browser, app.url);
  await page.evaluate(
    (path) =>
      (
        globalThis as unknown as { fledge: { plugins: { install(p: unknown): Promise<unknown> } } }
      ).fledge.plugins.install({
        source: { kind: 'path', path },
      }),
    plugin,
  );
  await page.getByTestId('native-consent').waitFor();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    const file = join(out, `native-consent-${scheme}.png`);
    await page.screenshot({ path: file });
    console.log(file);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  // Installed, then run in a project: the run view's log says how it ran.
  await page
    .getByRole('button', { name: /^Install/ })
    .last()
    .click();
  await page.getByTestId('native-consent').waitFor({ state: 'detached' });
  mkdirSync(join(root, 'project'));
  const api = 'fledge';
  await page.evaluate(
    async ([project, key]) => {
      const f = (
        globalThis as unknown as Record<string, { projects: { open(p: unknown): Promise<unknown> } }>
      )[key!]!;
      await f.projects.open({ path: project });
    },
    [join(root, 'project'), api],
  );
  await page.waitForTimeout(500);
  await page.evaluate(async (key) => {
    const f = (globalThis as unknown as Record<string, { runs: { start(p: unknown): Promise<unknown> } }>)[
      key
    ]!;
    await f.runs.start({ plugin: 'fledge-changelog', args: ['--since', 'v1.1', '0'] });
  }, api);
  await page
    .getByRole('link', { name: 'Runs' })
    .or(page.getByRole('button', { name: 'Runs' }))
    .first()
    .click();
  await page.getByText('fledge-changelog').first().click();
  await page.getByText('plain stderr line').first().waitFor({ timeout: 15_000 });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(150);
    const file = join(out, `native-run-${scheme}.png`);
    await page.screenshot({ path: file });
    console.log(file);
  }
} finally {
  await browser.close();
  await app.close();
  rmSync(root, { recursive: true, force: true });
}
