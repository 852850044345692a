// The catalog end to end (browser mode, the real AppService, Debian's Chromium, the GitHub stand-in):
// before any install each card says what it is ("Ready to install", "Needs Rust to build", "Native
// program") and the kind filter works from it; a plugin installed from the catalog updates to a new
// release (the consent shows both versions and where the new one comes from), then is up to date;
// and GitHub's limit stops the look-ups with the plain reason and a way to Settings.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloWasm, rustManifest, wasmRelease } from '../catalog/helpers.js';
import { type GitHubStandIn, type StandInRepo, startGitHubStandIn } from '../support/github-stand-in.js';
import { tempDir } from '../support/temp.js';
import { buildRenderer, type RunningApp, startApp } from './support/app.js';
import { seriousViolations } from './support/axe.js';
import { launchChromium } from './support/browser.js';
import { openApp } from './support/page.js';

const nativeManifest = `[plugin]
name = "fledge-shell-tools"
version = "1.0.0"
description = "Shell helpers"
protocol = "fledge-v1"

[[commands]]
name = "shell-tools"
binary = "bin/shell-tools"
`;

let gh: GitHubStandIn;
let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let wasm: Uint8Array;
/** What the stand-in serves (a repository pushed here is published). */
const repos: StandInRepo[] = [];

const ready: StandInRepo = {
  owner: 'garden',
  name: 'fledge-ready',
  description: 'Comes with its wasm built',
  stars: 30,
  files: {},
};
const rust: StandInRepo = {
  owner: 'garden',
  name: 'fledge-from-source',
  description: 'Has to be built with Rust',
  stars: 20,
  files: { 'plugin.toml': rustManifest('fledge-from-source') },
};
const native: StandInRepo = {
  owner: 'garden',
  name: 'fledge-shell-tools',
  description: 'A native program',
  stars: 10,
  files: { 'plugin.toml': nativeManifest, 'bin/shell-tools': '#!/bin/sh\necho hi\n' },
};
const release = (version: string) => wasmRelease('fledge-ready', version, wasm);

/** A link of the sidebar. */
const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });
/** The card of a repository in the results. */
const card = (fullName: string) => page.locator(`li.catalog-card[data-full-name="${fullName}"]`);

beforeAll(async () => {
  wasm = await helloWasm();
  ready.releases = [release('1.0.0')];
  repos.push(ready, rust, native);
  gh = await startGitHubStandIn({ repos });
  process.env.FLEDGE_GITHUB_API_URL = gh.url;
  delete process.env.FLEDGE_GITHUB_TOKEN;
  delete process.env.GITHUB_TOKEN;
  const root = tempDir('e2e-catalog');
  const configDir = join(root, 'config');
  const project = join(root, 'project');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(project, { recursive: true });
  const [built, chromium] = await Promise.all([buildRenderer(join(root, 'build')), launchChromium()]);
  browser = chromium;
  app = await startApp(built, configDir);
  await app.service.call('projects.open', { path: project });
  ({ page, context } = await openApp(browser, app.url));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
  await gh?.close();
});

describe('the catalog before install', () => {
  it('says on each card what it is and what installing it takes, and filters by it', async () => {
    await nav('Catalog').click();
    await page.getByTestId('catalog-results').waitFor();
    await card('garden/fledge-ready')
      .getByText('Ready to install', { exact: true })
      .waitFor({ timeout: 20_000 });
    await card('garden/fledge-from-source').getByText('Needs Rust to build', { exact: true }).waitFor();
    await card('garden/fledge-shell-tools').getByText('Native program', { exact: true }).waitFor();
    expect(await card('garden/fledge-ready').getByText('WASM, sandboxed', { exact: true }).count()).toBe(1);
    expect(
      await card('garden/fledge-shell-tools').getByText('Ready to install', { exact: true }).count(),
    ).toBe(1);
    // Nothing was installed to learn this.
    expect(await page.getByRole('button', { name: /^Install garden\// }).count()).toBe(3);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Kind').selectOption('prebuilt');
    await expect.poll(() => page.locator('li.catalog-card').count()).toBe(2);
    await page.getByLabel('Kind').selectOption('wasm');
    await expect.poll(() => page.locator('li.catalog-card').count()).toBe(2);
    expect(await card('garden/fledge-shell-tools').count()).toBe(0);
    await page.getByLabel('Kind').selectOption('native');
    await expect.poll(() => page.locator('li.catalog-card').count()).toBe(1);
    await page.getByLabel('Kind').selectOption('any');
  });
});

describe('an update of a catalog install', () => {
  it('finds the new release, shows both versions in its consent, then says up to date', async () => {
    await page.getByRole('button', { name: 'Install garden/fledge-ready' }).click();
    const install = page.getByRole('dialog', { name: /Install fledge-ready 1\.0\.0/ });
    await install.waitFor({ timeout: 30_000 });
    await install.getByRole('button', { name: /^Install/ }).click();
    await page.getByText('fledge-ready 1.0.0 is installed').waitFor({ timeout: 30_000 });

    ready.releases!.unshift(release('1.1.0'));
    await nav('Plugins').click();
    await page.getByRole('link', { name: /fledge-ready 1\.0\.0/ }).click();
    await page.getByRole('button', { name: 'Check for update' }).click();
    const update = page.getByRole('dialog', { name: /Update fledge-ready 1\.1\.0/ });
    await update.waitFor({ timeout: 30_000 });
    const version = await update.getByTestId('consent-version').textContent();
    expect(version).toContain('1.0.0 → 1.1.0');
    expect(version).toContain('from release v1.1.0');
    expect(version).toContain(gh.commitOf('garden', 'fledge-ready', 'v1.1.0').slice(0, 7));
    await update.getByRole('button', { name: /^Update/ }).click();
    await page.getByText('fledge-ready 1.1.0 is installed').waitFor({ timeout: 30_000 });

    await nav('Plugins').click();
    await page.getByRole('link', { name: /fledge-ready 1\.1\.0/ }).click();
    await page.getByRole('button', { name: 'Check for update' }).click();
    await page.getByText('fledge-ready is up to date').waitFor({ timeout: 30_000 });
    await page.getByText(/Already up to date: v1\.1\.0 is the latest release/).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
  });
});

describe('GitHub’s limit', () => {
  it('stops the look-ups with the plain reason and a way to Settings', async () => {
    // One request left this hour: the search gets it; the new repository cannot be looked at.
    gh.resetRateLimit(1);
    repos.push({
      owner: 'garden',
      name: 'fledge-new',
      description: 'Just published',
      stars: 5,
      files: { 'plugin.toml': rustManifest('fledge-new') },
    });
    await nav('Catalog').click();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await card('garden/fledge-new').waitFor();
    const notice = page.getByRole('status').filter({ hasText: 'Some plugins are not checked yet' });
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.textContent()).toContain(
      "GitHub's limit for unsigned requests is reached; add a token in Settings or try again in 60 minutes.",
    );
    // What was learnt before stays on its cards.
    expect(
      await card('garden/fledge-from-source').getByText('Needs Rust to build', { exact: true }).count(),
    ).toBe(1);
    expect(
      await card('garden/fledge-new')
        .getByText(/Ready to install|Needs/)
        .count(),
    ).toBe(0);
    expect(await card('garden/fledge-new').getByText('Not checked yet', { exact: true }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await notice.getByRole('button', { name: 'Open Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).first().waitFor();

    // A token (GitHub's limit is then 5,000 an hour): the look-ups the limit stopped go on.
    gh.resetRateLimit();
    const before = gh.requests.length;
    await page.getByLabel('GitHub token', { exact: true }).fill('ghp_e2etoken0123456789');
    await page.getByRole('button', { name: 'Save token' }).click();
    await page.getByText('GitHub token saved').waitFor();
    await nav('Catalog').click();
    await card('garden/fledge-new')
      .getByText('Needs Rust to build', { exact: true })
      .waitFor({ timeout: 20_000 });
    expect(await page.getByText('Some plugins are not checked yet').count()).toBe(0);
    const lookUps = gh.requests.slice(before).filter((r) => r.url.startsWith('/repos/garden/fledge-new/'));
    expect(lookUps.length).toBe(2);
    expect(lookUps.every((r) => r.headers.authorization === 'Bearer ghp_e2etoken0123456789')).toBe(true);
  });
});
