// Renderer performance in browser mode, measured in Chromium and printed for the closing note:
// - a plugin floods 200,000 lines: the longest main-thread task (PerformanceObserver 'longtask',
//   wall time) and the CPU time of the longest tasks (Chromium's trace: a task's thread time, which a
//   busy machine does not inflate), the input latency of clicks made during the flood (Event Timing
//   'event' entries, and the round trip seen from the test), and every line reaching the view
//   (xterm's parsed-line count and a search for the last line);
// - page load to the plugin list on screen with 50 installed plugins: the first load with nothing
//   cached and five later loads (wall time, and the main thread's CPU time until then).
// The bounds asserted are the floors with room for a shared, noisy machine (wall time
// depends on how many others want the two cores); the goals are judged from the printed figures.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CAPABILITIES } from '../../shared/capabilities.js';
import { tempDir } from '../support/temp.js';
import { buildRenderer, type RunningApp, startApp } from './support/app.js';
import { launchChromium } from './support/browser.js';
import { demoFiles, writeFiles } from './support/plugins.js';
import { visibleRunPanel, writtenLines } from './support/terminal.js';
import { makeWorld, type World } from './support/world.js';

const LINES = 200_000;
let world: World;
let app: RunningApp;
let browser: Browser;
let root: string;

beforeAll(async () => {
  root = tempDir('e2e-perf');
  world = await makeWorld(root);
  const built = await buildRenderer(join(root, 'build'));
  app = await startApp(built, world.configDir);
  browser = await launchChromium();
  const grantAll = async () => ({ granted: { ...NO_CAPABILITIES, store: true }, allowBuild: false });
  await app.service.plugins.install(writeFiles(join(root, 'demo'), demoFiles(world.bins)), grantAll);
  for (let i = 1; i < 50; i++) {
    const name = `tool-${String(i).padStart(2, '0')}`;
    const dir = writeFiles(
      join(root, 'many', name),
      demoFiles(world.bins, {
        name,
        commands: ['spin'],
        rename: { spin: `${name}-go` },
        capabilities: ['store = true'],
      }),
    );
    await app.service.plugins.install(dir, grantAll);
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await world?.close();
});

/** Watches long tasks and input events from the first script on. */
const OBSERVE = `
  window.__perf = { longTasks: [], events: [] };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__perf.longTasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__perf.events.push({ name: e.name, duration: e.duration, delay: e.processingStart - e.startTime });
  }).observe({ type: 'event', durationThreshold: 16, buffered: true });
`;

interface PerfData {
  longTasks: number[];
  events: { name: string; duration: number; delay: number }[];
}

/** The main thread's CPU time so far (Chromium's ThreadTime metric), in ms. */
async function threadMs(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN) * 1000;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Records Chromium's top-level tasks; `stop` gives each main-thread task of the page as [wall, cpu] ms. */
async function traceTasks(cdp: CDPSession): Promise<{ stop(): Promise<[number, number][]> }> {
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d) => {
    for (const e of d.value as unknown as TraceEvent[]) events.push(e);
  });
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['toplevel', '__metadata'] },
    transferMode: 'ReportEvents',
  });
  return {
    async stop() {
      const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
      await cdp.send('Tracing.end');
      await done;
      const mains = new Set(
        events
          .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
          .map((e) => `${e.pid}:${e.tid}`),
      );
      return events
        .filter(
          (e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && mains.has(`${e.pid}:${e.tid}`),
        )
        .map((e) => [(e.dur ?? 0) / 1000, (e.tdur ?? 0) / 1000]);
    },
  };
}

const load = () => loadavg()[0]!.toFixed(1);

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
  await context.addInitScript({ content: OBSERVE });
  return context.newPage();
}

describe('renderer performance', () => {
  it('shows the plugin list within 500 ms of page load with 50 plugins installed', async () => {
    const first = await newPage();
    await first.goto(app.url); // the token becomes this context's cookie
    await first.waitForSelector('html[data-ready="true"]');
    const fiftyRows = () =>
      (
        globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
      ).document.querySelectorAll('[data-testid="plugin-list"] > li').length === 50;
    /** One page load: [ms from navigation to 50 rows on screen, main-thread CPU ms until then]. */
    const sample = async (cold: boolean): Promise<[number, number]> => {
      const page = await first.context().newPage();
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      if (cold) await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await page.goto(`${app.origin}/#/plugins`);
      await page.waitForFunction(fiftyRows, undefined, { polling: 'raf' });
      const at = await page.evaluate(() => performance.now());
      const cpu = await threadMs(cdp);
      await page.close();
      return [at, cpu];
    };
    const cold = await sample(true);
    const warm: [number, number][] = [];
    for (let i = 0; i < 5; i++) warm.push(await sample(false));
    await first.context().close();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ms = median(warm.map((w) => w[0]));
    console.log(
      `[perf] page load -> 50 plugins on screen (load ${load()}): first load, nothing cached ${cold[0].toFixed(0)} ms ` +
        `(main thread CPU ${cold[1].toFixed(0)} ms); later loads median ${ms.toFixed(0)} ms ` +
        `(${warm.map((w) => w[0].toFixed(0)).join(', ')}; CPU ${warm.map((w) => w[1].toFixed(0)).join(', ')} ms)`,
    );
    expect(ms).toBeLessThan(1000);
    expect(cold[0]).toBeLessThan(2000);
  });

  it('a 200,000-line flood reaches the view line for line while the window keeps answering clicks', async () => {
    const page = await newPage();
    await page.goto(app.url);
    await page.waitForSelector('html[data-ready="true"]');
    await page.goto(`${app.origin}/#/plugin/demo`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.getByLabel('Command', { exact: true }).selectOption('flood');
    await page.getByLabel(/^Arguments/).fill(String(LINES));
    await page.evaluate(() => {
      (globalThis as unknown as { __perf: PerfData }).__perf.longTasks.length = 0;
    });
    const trace = await traceTasks(await page.context().newCDPSession(page));
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const panel = visibleRunPanel(page);
    await panel.getByTestId('terminal').waitFor();

    // Clicks during the flood: a log-level filter toggled, its new state awaited. A plain mouse click
    // where the box is (no actionability checks of the test's own in the way). The box is measured
    // before each click; if the panel lays out again in between (its header counts lines), the click
    // lands beside it and the toggle never comes: that click is counted as missed and tried again,
    // not waited on forever. A window that stops answering still fails: no round trip is recorded.
    const roundTrips: number[] = [];
    let missed = 0;
    const debug = panel.getByRole('checkbox', { name: /^Debug/ });
    while ((await writtenLines(page)) < LINES && Date.now() - t0 < 120_000) {
      const before = await debug.isChecked();
      const box = (await debug.boundingBox())!;
      const c0 = performance.now();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const toggled = await page
        .waitForFunction(
          (want) => {
            const d = globalThis as unknown as {
              document: { querySelector(s: string): { checked: boolean } | null };
            };
            const box = d.document.querySelector('.run-panel:not([hidden]) .level-debug input');
            return box?.checked === want;
          },
          !before,
          { polling: 'raf', timeout: 5_000 },
        )
        .then(
          () => true,
          () => false,
        );
      if (toggled) roundTrips.push(performance.now() - c0);
      else missed++;
      await page.waitForTimeout(100);
    }
    await expect.poll(() => writtenLines(page), { timeout: 120_000, interval: 250 }).toBe(LINES);
    const floodMs = Date.now() - t0;
    await panel.getByTestId('end-status').waitFor({ timeout: 60_000 });

    const tasks = await trace.stop();
    const perf = await page.evaluate(() => (globalThis as unknown as { __perf: PerfData }).__perf);
    const byCpu = [...tasks].sort((a, b) => b[1] - a[1]);
    const byWall = [...tasks].sort((a, b) => b[0] - a[0]);
    const cpuOver50 = tasks.filter((t) => t[1] > 50).length;
    const pair = (t: [number, number] | undefined) => (t ? `${t[0].toFixed(0)}/${t[1].toFixed(0)}` : '-');
    const longest = Math.max(0, ...perf.longTasks);
    const over50 = perf.longTasks.filter((d) => d > 50).length;
    const clicks = perf.events.filter(
      (e) => e.name === 'pointerdown' || e.name === 'click' || e.name === 'mousedown',
    );
    const worstClick = Math.max(0, ...clicks.map((e) => e.duration));
    const worstDelay = Math.max(0, ...clicks.map((e) => e.delay));
    roundTrips.sort((a, b) => a - b);
    const rtMedian = roundTrips[Math.floor(roundTrips.length / 2)] ?? 0;
    const rtMax = roundTrips[roundTrips.length - 1] ?? 0;
    console.log(
      `[perf] flood of ${LINES} lines (load ${load()}): all ${await writtenLines(page)} lines in the view after ${floodMs} ms; ` +
        `longest task ${longest.toFixed(0)} ms, ${over50} tasks over 50 ms (of ${perf.longTasks.length} long tasks); ` +
        `trace: ${tasks.length} tasks, ${tasks.reduce((n, t) => n + t[1], 0).toFixed(0)} ms of main-thread CPU, longest by CPU ${byCpu.slice(0, 3).map(pair).join(', ')} ms wall/CPU, ` +
        `longest by wall ${byWall.slice(0, 3).map(pair).join(', ')}, ${cpuOver50} over 50 ms of CPU; ` +
        `${roundTrips.length} clicks during the flood: Event Timing worst ${worstClick.toFixed(0)} ms (input delay ${worstDelay.toFixed(0)} ms), ` +
        `round trip from the test median ${rtMedian.toFixed(0)} ms, max ${rtMax.toFixed(0)} ms, ${missed} missed (the box moved)`,
    );
    // The last line can be found through the output's search (after the measurements: a search of
    // 200,000 lines is one long task of its own, started by the person).
    const find = panel.getByRole('searchbox', { name: 'Find in output' });
    await find.fill(`line ${String(LINES).padStart(6, '0')} of the flood`);
    const s0 = performance.now();
    await find.press('Enter');
    expect(await panel.getByText('Not found').count()).toBe(0);
    console.log(`[perf] search for the last of ${LINES} lines: ${(performance.now() - s0).toFixed(0)} ms`);
    expect(roundTrips.length).toBeGreaterThan(0);
    expect(missed).toBeLessThan(roundTrips.length); // a moved box now and then, not a window that stopped answering
    // The floor (100 ms) on what the window itself spends per task; wall time, which a
    // machine busy with other work stretches, with room.
    expect(tasks.length).toBeGreaterThan(100); // the trace saw the flood
    expect(byCpu[0]![1]).toBeLessThanOrEqual(100);
    expect(longest).toBeLessThan(300);
    expect(worstDelay).toBeLessThan(250);
    await page.context().close();
  });
});
