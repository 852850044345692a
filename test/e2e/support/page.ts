// Page helpers: open the app (the token swapped for a cookie), wait for it to be ready, and drop a
// file on it with a real DataTransfer, as a person dragging from their file manager does.
import type { Browser, BrowserContext, JSHandle, Page } from 'playwright-core';

/** The few DOM constructors the page-side functions use (this file is type-checked without the DOM lib). */
type PageGlobals = {
  DataTransfer: new () => { items: { add(file: unknown): void } };
  File: new (parts: unknown[], name: string, options: { type: string }) => unknown;
  atob(text: string): string;
};

export async function openApp(
  browser: Browser,
  url: string,
  options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? { width: 1280, height: 820 },
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw new Error(`page error: ${e.message}`);
  });
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 15_000 });
  return { context, page };
}

/** Drags a file over the window and drops it (dragenter, dragover, drop), with a real DataTransfer. */
export async function dropFile(
  page: Page,
  fileName: string,
  bytes: Uint8Array,
  opts: { hold?: boolean } = {},
): Promise<JSHandle> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, b64 }) => {
      const g = globalThis as unknown as PageGlobals;
      const bin = g.atob(b64);
      const data = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      const dt = new g.DataTransfer();
      dt.items.add(
        new g.File([data], name, {
          type: name.endsWith('.zip') ? 'application/zip' : 'application/octet-stream',
        }),
      );
      return dt;
    },
    { name: fileName, b64: Buffer.from(bytes).toString('base64') },
  );
  await page.dispatchEvent('main', 'dragenter', { dataTransfer });
  await page.dispatchEvent('main', 'dragover', { dataTransfer });
  if (opts.hold) return dataTransfer;
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  return dataTransfer;
}

/** The file is dragged away again without dropping. */
export async function leaveDrag(page: Page, dataTransfer: JSHandle): Promise<void> {
  await page.dispatchEvent('main', 'dragleave', { dataTransfer });
}
