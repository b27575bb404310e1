/** Keyboard only: draw, clear, step, play and train without a pointer, with a visible focus ring and a live region. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApp } from './harness';

const ctx = useApp();

/** Press Tab until the element with `testid` has focus. */
async function tabTo(page: Page, testid: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === testid) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${testid}`);
}

const focusRing = (page: Page) => page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
const step = (page: Page) => page.getByTestId('viz-step').textContent().then(Number);

describe('keyboard only', () => {
  it('draws, clears, steps, plays and trains', async () => {
    const page = await ctx.open({ reducedMotion: true });
    await tabTo(page, 'draw-canvas');
    expect(await focusRing(page)).not.toBe('none');
    expect(await page.getByTestId('draw-canvas').getAttribute('aria-label')).toBeTruthy();

    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('7');
    await expect.poll(() => page.getByTestId('announcer').textContent()).toMatch(/reads 7/);
    // Reduced motion: the pass is shown whole, not played.
    expect(await step(page)).toBe(28);

    await page.keyboard.press('c');
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('7');

    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await step(page)).toBe(26);
    await tabTo(page, 'viz-play');
    expect(await focusRing(page)).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect.poll(() => step(page), { timeout: 10_000 }).toBe(28);

    await tabTo(page, 'tab-train', 120);
    await page.keyboard.press('Enter');
    await tabTo(page, 'train-limit');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowUp');
    expect(await page.getByTestId('train-limit').inputValue()).toBe('1000');
    await tabTo(page, 'train-epochs');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1');
    await tabTo(page, 'train-button');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('train-summary').count(), { timeout: 150_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('announcer').textContent()).toMatch(/Training finished: v\d{4}/);
    await page.close();
  });
});
