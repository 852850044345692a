// axe on the page as it is, light and dark: the serious and critical violations, one line each.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export async function seriousViolations(page: Page): Promise<string[]> {
  const out: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(50);
    const result = await new AxeBuilder({ page }).analyze();
    for (const v of result.violations)
      if (v.impact === 'serious' || v.impact === 'critical')
        out.push(`${scheme}: ${v.id} (${v.impact}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return out;
}
