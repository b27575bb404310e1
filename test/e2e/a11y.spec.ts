/** Accessibility and language: axe on every view in light and dark, English and Korean; Korean screenshots; the language switch. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeVersion, seriousViolations } from './axe';
import { drawStrokes, SEVEN, SHOTS, useApp } from './harness';

const ctx = useApp();
const VIEWS = ['draw', 'train', 'eval'] as const;

/** Show a view with content in it: a drawing on Draw, the evaluation on Evaluate. */
async function show(page: Page, view: (typeof VIEWS)[number]): Promise<void> {
  await page.getByTestId(`tab-${view}`).click();
  if (view === 'draw' && (await page.getByTestId('prediction').textContent()) === '') {
    await drawStrokes(page, SEVEN);
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('7');
    await expect.poll(() => page.getByTestId('viz-step').textContent(), { timeout: 10_000 }).toBe('28');
  }
  if (view === 'eval') await expect.poll(() => page.getByTestId('gallery-digit').count(), { timeout: 90_000 }).toBeGreaterThan(0);
}

describe('accessibility', () => {
  it('runs the axe-core the project installs', async () => {
    const page = await ctx.open();
    const installed = JSON.parse(readFileSync(join(process.cwd(), 'node_modules', 'axe-core', 'package.json'), 'utf8')).version;
    expect(await axeVersion(page)).toBe(installed);
    await page.close();
  });

  for (const locale of ['en-US', 'ko-KR'])
    it(`axe (WCAG 2.1 A and AA) finds no serious or critical violation on any view, light or dark (${locale})`, async () => {
      const page = await ctx.open({ locale });
      expect(await page.locator('html').getAttribute('lang')).toBe(locale.slice(0, 2));
      const found: string[] = [];
      for (const view of VIEWS) {
        await show(page, view);
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          await expect.poll(() => page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(colorScheme === 'dark');
          found.push(...(await seriousViolations(page)).map((v) => `${view}, ${colorScheme}: ${v}`));
        }
        await page.emulateMedia({ colorScheme: 'light' });
      }
      expect(found).toEqual([]);
      await page.close();
    });
});

describe('Korean', () => {
  it('follows a Korean browser locale, and every view is screenshotted at 1024×700 and 1440×900', async () => {
    for (const [width, height] of [
      [1024, 700],
      [1440, 900],
    ]) {
      const page = await ctx.open({ locale: 'ko-KR', width, height });
      expect(await page.getByTestId('tab-train').textContent()).toContain('학습');
      for (const view of VIEWS) {
        await show(page, view);
        await page.screenshot({ path: `${SHOTS}/ko-${view}-${width}x${height}.png` });
      }
      await page.close();
    }
  });

  it('switches language in the header and remembers it across a reload', async () => {
    const page = await ctx.open({ locale: 'en-US' });
    expect(await page.getByTestId('tab-eval').textContent()).toBe('Evaluate');
    await page.getByTestId('lang-select').selectOption('ko');
    await expect.poll(() => page.getByTestId('tab-eval').textContent()).toBe('평가');
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');
    await page.reload();
    await expect.poll(() => page.getByTestId('tab-eval').textContent()).toBe('평가');
    expect(await page.getByTestId('lang-select').inputValue()).toBe('ko');
    await page.getByTestId('lang-select').selectOption('en');
    await expect.poll(() => page.getByTestId('tab-eval').textContent()).toBe('Evaluate');
    await page.close();
  });
});
