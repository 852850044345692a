// Keyboard-only helpers: Tab through the page until the focused element is the one wanted.
import type { Page } from 'playwright-core';

/** What the focused element is called: its label, aria-label or text (as a person hears it). */
export function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const d = globalThis as unknown as {
      document: {
        activeElement: {
          getAttribute(n: string): string | null;
          textContent: string | null;
          id: string;
          labels?: { textContent: string | null }[];
        } | null;
      };
    };
    const el = d.document.activeElement;
    if (!el) return '';
    const label = el.labels?.[0]?.textContent ?? '';
    return (el.getAttribute('aria-label') ?? label ?? '') || (el.textContent ?? '').trim();
  });
}

/** Presses Tab (at most `max` times) until the focused element's name matches; fails otherwise. */
export async function tabTo(page: Page, name: RegExp, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (name.test(await focusedName(page))) return;
  }
  throw new Error(`Tab never reached an element named ${name}`);
}
