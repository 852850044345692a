// One end-to-end scenario on its own: its own fledge config dir, project, GitHub stand-in, server
// and browser context, so a failure in one scenario leaves the others as they would be on a fresh
// machine (a single ordered session made one miss fail every test after it). What is costly and
// holds no state is shared by the scenarios of a test file: the renderer build, the demo binaries
// and Chromium. A scenario that needs a plugin already installed or a project already open gets it
// through the app service, the same calls the window makes, not through the screens it does not test.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ParsedParams } from '../../../shared/ipc/index.js';
import { tempDir } from '../../support/temp.js';
import { type BuiltRenderer, buildRenderer, type RunningApp, startApp } from './app.js';
import { launchChromium } from './browser.js';
import { openApp } from './page.js';
import { compileDemo, type DemoCommand } from './plugins.js';
import { makeWorld, type World } from './world.js';

interface Shared {
  root: string;
  built: BuiltRenderer;
  bins: Record<DemoCommand, Uint8Array>;
  browser: Browser;
}

let shared: Promise<Shared> | null = null;

function sharedParts(): Promise<Shared> {
  shared ??= (async () => {
    const root = tempDir('e2e');
    const [built, browser] = await Promise.all([buildRenderer(join(root, 'build')), launchChromium()]);
    return { root, built, bins: compileDemo(join(root, 'bins')), browser };
  })();
  return shared;
}

/** Closes Chromium once the file's scenarios are done (call it from the file's afterAll). */
export async function closeShared(): Promise<void> {
  const parts = await shared?.catch(() => null);
  shared = null;
  await parts?.browser.close();
}

export interface Scenario {
  world: World;
  app: RunningApp;
  page: Page;
  context: BrowserContext;
  browser: Browser;
  /** Stops the server and starts a new one on the same config dir; the page is not reloaded. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let count = 0;

export async function openScenario(options: { project?: boolean } = {}): Promise<Scenario> {
  const parts = await sharedParts();
  const world = await makeWorld(join(parts.root, `scenario-${++count}`), { bins: parts.bins });
  let app = await startApp(parts.built, world.configDir);
  if (options.project) await call(app, 'projects.open', { path: world.project });
  const { page, context } = await openApp(parts.browser, app.url);
  const scenario: Scenario = {
    world,
    app,
    page,
    context,
    browser: parts.browser,
    async restart() {
      await app.close();
      app = await startApp(parts.built, world.configDir);
      scenario.app = app;
    },
    async close() {
      await context.close().catch(() => {});
      await app.close();
      await world.close();
    },
  };
  return scenario;
}

type Grants = ParsedParams<'consent.answer'>['decision'] extends infer D
  ? D extends { answer: 'install'; grants: infer G }
    ? G
    : never
  : never;

/** Calls the app service as the window would; its error, if any, is thrown. */
export async function call<T>(app: RunningApp, method: string, params?: unknown): Promise<T> {
  const answer = (await app.service.call(method, params)) as
    | { ok: true; result: T }
    | { ok: false; error: { code: string; message: string } };
  if (!answer.ok) throw new Error(`${method}: ${answer.error.code}: ${answer.error.message}`);
  return answer.result;
}

/** Installs (or updates) a plugin folder through the app service and answers its consent with `grants`. */
export async function installThroughService(app: RunningApp, folder: string, grants: Grants): Promise<void> {
  const { operationId } = await call<{ operationId: string }>(app, 'plugins.install', {
    source: { kind: 'path', path: folder },
  });
  const deadline = Date.now() + 60_000;
  let answered = false;
  while (Date.now() < deadline) {
    const ops = await call<
      { id: string; state: string; consentId: string | null; error: { message: string } | null }[]
    >(app, 'operations.list');
    const op = ops.find((o) => o.id === operationId);
    if (op?.state === 'succeeded') return;
    if (op && (op.state === 'failed' || op.state === 'cancelled'))
      throw new Error(`install of ${folder} ${op.state}: ${op.error?.message ?? ''}`);
    if (op?.state === 'waiting_for_consent' && op.consentId && !answered) {
      await call(app, 'consent.answer', {
        consentId: op.consentId,
        decision: { answer: 'install', grants, allowBuild: false },
      });
      answered = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`install of ${folder} did not finish in 60 s`);
}

/** Reloads the page at a route of the app and waits until it is ready. */
export async function goTo(s: Scenario, route: string): Promise<void> {
  await s.page.goto(`${s.app.origin}/#${route}`);
  await s.page.waitForSelector('html[data-ready="true"]');
}
