/**
 * Draw & watch at 1024×700 and 1440×900, in English and Korean, light and dark: nothing spills
 * sideways, the heatmap keeps two pixels a unit, the pad and the heatmap are on the first
 * screen, and a toast covers nothing on the page. Every panel is screenshotted.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SHOTS, useApp } from './harness';

const ctx = useApp();

const PANELS = ['viz-map', 'viz-equations-unit', 'compare-view'] as const;

async function fitsSideways(page: Page, width: number): Promise<void> {
  const w = await page.evaluate(() => {
    const main = document.querySelector('main')!;
    const cards = Array.from(document.querySelectorAll('main .card')).map((c) => c.getBoundingClientRect().right);
    return { doc: document.documentElement.scrollWidth, main: main.scrollWidth - main.clientWidth, right: Math.max(...cards) };
  });
  expect(w.doc).toBeLessThanOrEqual(width);
  expect(w.main).toBeLessThanOrEqual(0);
  expect(w.right).toBeLessThanOrEqual(width);
}

describe('Draw & watch layout', () => {
  for (const [width, height] of [
    [1024, 700],
    [1440, 900],
  ])
    for (const locale of ['en-US', 'ko-KR'])
      for (const dark of [false, true])
        it(`${width}×${height}, ${locale}, ${dark ? 'dark' : 'light'}`, async () => {
          const page = await ctx.open({ width, height, locale, dark });
          const tag = `${locale.slice(0, 2)}-${width}x${height}-${dark ? 'dark' : 'light'}`;
          await page.screenshot({ path: `${SHOTS}/layout-${tag}-empty.png` });
          await page.getByTestId('draw-canvas').focus();
          await page.keyboard.press('Enter');
          await page.keyboard.press('Enter');
          await page.keyboard.press('Enter');
          await expect.poll(() => page.getByTestId('prediction').textContent(), { timeout: 15_000 }).toBe('2');
          await expect.poll(() => page.getByTestId('viz-step').textContent(), { timeout: 10_000 }).toBe('28');
          await expect.poll(() => page.getByTestId('viz-map').getAttribute('data-landmarks'), { timeout: 60_000 }).toBe('2000');
          await fitsSideways(page, width);

          // The heatmap takes the width its 128 units need, and its caption is not cut.
          const heat = (await page.getByTestId('viz-heatmap').boundingBox())!;
          expect(heat.width).toBeGreaterThanOrEqual(256);
          // No column caption of the viewer is cut short.
          const cut = await page.getByTestId('viz-viewer').evaluate((v) =>
            Array.from(v.querySelectorAll('.panels .cap'))
              .filter((c) => c.scrollWidth > c.clientWidth)
              .map((c) => c.textContent),
          );
          expect(cut).toEqual([]);
          // The pad and the whole heatmap are on the first screen.
          const pad = (await page.getByTestId('draw-canvas').boundingBox())!;
          expect(pad.y + pad.height).toBeLessThan(height);
          expect(heat.y + heat.height).toBeLessThan(height);
          await page.screenshot({ path: `${SHOTS}/layout-${tag}.png` });

          // The panels below, each in view in turn.
          for (const panel of PANELS) {
            await page.getByTestId(panel).evaluate((el) => el.closest('.card')!.scrollIntoView({ block: 'start' }));
            await page.screenshot({ path: `${SHOTS}/layout-${tag}-${panel}.png` });
          }

          // A toast sits in its own strip: it overlaps nothing on the page.
          await page.getByTestId('teach-2').click();
          await expect.poll(() => page.getByTestId('info-message').count()).toBe(1);
          const toast = (await page.getByTestId('info-message').boundingBox())!;
          const main = (await page.locator('main').boundingBox())!;
          expect(toast.y).toBeGreaterThanOrEqual(main.y + main.height - 1);
          expect(toast.y + toast.height).toBeLessThanOrEqual(height);
          await fitsSideways(page, width);
          await page.screenshot({ path: `${SHOTS}/layout-${tag}-toast.png` });
          await page.close();
        });
});
