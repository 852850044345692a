// Reading what a run's terminal shows (xterm.js's DOM rows) and what it has processed.
import type { Page } from 'playwright-core';

export function visibleRunPanel(page: Page) {
  return page.locator('.run-panel:not([hidden])');
}

/** The text on the visible run's terminal screen. */
export async function terminalText(page: Page): Promise<string> {
  return (await visibleRunPanel(page).locator('.xterm-rows').textContent()) ?? '';
}

/** Lines xterm has parsed for the visible run (the terminal's test hook). */
export async function writtenLines(page: Page): Promise<number> {
  return Number(await visibleRunPanel(page).getByTestId('terminal').getAttribute('data-written-lines'));
}
