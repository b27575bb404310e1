/** Keyboard only: draw, clear, step, play and train without a pointer, with a visible focus ring and a live region; the confusion matrix as one grid. */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { focusRingPixels } from './focusRing';
import { SHOTS, useApp } from './harness';

const ctx = useApp();

/** The data-testid of the focused element. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);

/** Press Tab until the element with `testid` has focus; returns the presses it took. */
async function tabTo(page: Page, testid: string, max = 80): Promise<number> {
  for (let i = 0; i < max; i++) {
    if ((await focused(page)) === testid) return i;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${testid}`);
}

const focusRing = (page: Page) => page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
const step = (page: Page) => page.getByTestId('viz-step').textContent().then(Number);
const prediction = (page: Page) => page.getByTestId('prediction').textContent();

describe('keyboard only', () => {
  it('the confusion matrix is one Tab stop with arrow keys inside, and a digit opened from the gallery takes focus to the viewer', async () => {
    const page = await ctx.open({ width: 1440, height: 900 });
    await page.getByTestId('tab-eval').click();
    await expect.poll(() => page.getByTestId('gallery-digit').count(), { timeout: 90_000 }).toBeGreaterThan(0);
    const grid = page.getByTestId('confusion');
    expect(await grid.getAttribute('role')).toBe('grid');
    expect(await grid.locator('[role="gridcell"][tabindex="0"]').count()).toBe(1);
    expect(await grid.locator('[role="gridcell"]').count()).toBe(100);

    // From the header's last control, one Tab into the grid; a few more out of it to the gallery.
    await page.getByTestId('lang-select').focus();
    expect(await tabTo(page, 'confusion-0-0')).toBe(1);
    expect(await focusRing(page)).not.toBe('none');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('confusion-1-2');
    await page.keyboard.press('End');
    expect(await focused(page)).toBe('confusion-1-9');
    await page.keyboard.press('Control+Home');
    expect(await focused(page)).toBe('confusion-0-0');
    // The most confused pair, chosen with the arrows and Enter.
    const counts = await grid.locator('[role="gridcell"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    let best = 1;
    for (let i = 0; i < 100; i++) if (Math.floor(i / 10) !== i % 10 && counts[i] > counts[best]) best = i;
    const [tr, pr] = [Math.floor(best / 10), best % 10];
    for (let i = 0; i < tr; i++) await page.keyboard.press('ArrowDown');
    for (let i = 0; i < pr; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('gallery-digit').count()).toBe(Math.min(counts[best], 60));
    expect(await grid.locator('[aria-selected="true"]').getAttribute('data-testid')).toBe(`confusion-${tr}-${pr}`);
    expect(await grid.locator('[role="gridcell"][tabindex="0"]').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/keyboard-confusion-grid.png` });

    const presses = await tabTo(page, 'gallery-digit', 5);
    expect(presses).toBeLessThanOrEqual(3);
    await page.keyboard.press('Enter');
    await expect.poll(() => prediction(page)).toBe(String(pr));
    expect(await focused(page)).toBe('viz-viewer');
    await page.close();
  });

  // Trains a model, so it runs after the tests that expect the shipped one.
  it('draws, clears, steps, plays and trains', async () => {
    const page = await ctx.open({ reducedMotion: true });
    const frame = page.getByTestId('draw-canvas').locator('..');
    const unfocused = await focusRingPixels(page, frame);
    await tabTo(page, 'draw-canvas');
    // The ring is seen around the drawing area, not clipped by its frame.
    const ring = await focusRingPixels(page, frame);
    const box = (await frame.boundingBox())!;
    expect(ring - unfocused).toBeGreaterThan(2 * (box.width + box.height));
    await page.screenshot({ path: `${SHOTS}/keyboard-focus-drawing.png` });
    expect(await page.getByTestId('draw-canvas').getAttribute('aria-label')).toBeTruthy();
    // The shortcut is shown, not only told to screen readers.
    expect(await page.locator('header [role="note"]').innerText()).toMatch(/Enter\s+sample digit/);

    // Enter draws the sample digits in turn, and the network reads each right.
    for (const k of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]) {
      await page.keyboard.press('Enter');
      await expect.poll(() => prediction(page)).toBe(String(k));
    }
    await expect.poll(() => page.getByTestId('announcer').textContent()).toMatch(/reads 0/);
    // Reduced motion: the pass is shown whole, not played.
    expect(await step(page)).toBe(28);

    await page.keyboard.press('c');
    await expect.poll(() => prediction(page)).toBe('');
    await page.keyboard.press('Enter');
    await expect.poll(() => prediction(page)).toBe('1');

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
