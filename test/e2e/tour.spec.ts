/**
 * The guided tour, walked as a first-time learner would: offered on first launch, nine stops in
 * the teaching order, each pointing at a real panel that is on screen, the card inside the window,
 * the no-memory experiment run on the learner's drawing, the GRU's update gate shown and the
 * model switched back afterwards; closed, it is remembered, and Help opens it again. In English
 * with the mouse and in Korean with the keyboard, with a screenshot at every stop.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { englishWords } from './english';
import { SHOTS, useApp } from './harness';

const ctx = useApp();
const STOPS = ['rows', 'equation', 'loop', 'experiment', 'units', 'map', 'gates', 'train', 'evaluate'];

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The stop's panel and card: the panel is at least partly on screen and the card wholly inside the window. */
async function checkPlacement(page: Page, where: string): Promise<void> {
  const view = page.viewportSize()!;
  const stop = page.getByTestId('tour-step');
  const target = (await stop.getAttribute('data-target'))!;
  const panel = page.getByTestId(target).first();
  await expect
    .poll(
      async () => {
        const b = (await panel.boundingBox()) as Rect | null;
        return !!b && b.y < view.height - 40 && b.y + b.height > 40;
      },
      { message: `${where}: ${target} on screen` },
    )
    .toBe(true);
  // The ring sits around the panel (the card that holds the target), once scrolling settles.
  await expect
    .poll(
      async () => {
        const ring = await page.getByTestId('tour-ring').boundingBox();
        const box = await panel.evaluate((el) => {
          const r = (el.closest('.card') ?? el).getBoundingClientRect();
          return { x: r.left, y: r.top, width: r.width, height: r.height };
        });
        return !!ring && Math.abs(ring.x + 6 - box.x) < 2 && Math.abs(ring.y + 6 - box.y) < 2 && Math.abs(ring.width - 12 - box.width) < 2;
      },
      { message: `${where}: the ring around ${target}` },
    )
    .toBe(true);
  const card = (await page.getByTestId('tour').boundingBox())!;
  expect(card.x, where).toBeGreaterThanOrEqual(0);
  expect(card.y, where).toBeGreaterThanOrEqual(0);
  expect(card.x + card.width, where).toBeLessThanOrEqual(view.width);
  expect(card.y + card.height, where).toBeLessThanOrEqual(view.height);
  // Nothing in the card is cut off: its text fits its box.
  const clipped = await page
    .getByTestId('tour')
    .evaluate((el) => [...el.querySelectorAll('*')].some((c) => c.scrollWidth > c.clientWidth + 1 && getComputedStyle(c).overflow !== 'visible'));
  expect(clipped, where).toBe(false);
}

/** What each stop set up on the page. */
async function checkStage(page: Page, stop: string): Promise<void> {
  if (stop === 'rows') await expect.poll(() => page.getByTestId('prediction').textContent()).toMatch(/^\d$/);
  if (stop === 'experiment') {
    const result = page.getByTestId('experiment-result');
    await expect.poll(() => result.getAttribute('data-kind'), { timeout: 20_000 }).toBe('nomemory');
    // Without memory the network no longer holds the sample's answer with the same certainty.
    const [before, after] = [Number(await result.getAttribute('data-before-p')), Number(await result.getAttribute('data-after-p'))];
    expect((await result.getAttribute('data-changed')) === 'true' || Math.abs(before - after) > 0.2).toBe(true);
  }
  if (stop === 'gates') {
    await expect.poll(() => page.getByTestId('status-model').textContent(), { timeout: 20_000 }).toMatch(/builtin-gru/);
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toMatch(/z/);
  }
  if (stop === 'train') await expect.poll(() => page.getByTestId('status-model').textContent(), { timeout: 20_000 }).not.toMatch(/builtin-gru/);
}

describe('the guided tour', () => {
  it('is offered on first launch and walks nine stops with the mouse, then stays closed', async () => {
    const page = await ctx.open({ width: 1440, height: 900, tourOffer: true });
    await expect.poll(() => page.getByTestId('tour-offer').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/tour-offer-en-1440.png` });
    await page.getByTestId('tour-offer-start').click();
    expect(await page.getByTestId('tour-offer').count()).toBe(0);
    const seen: string[] = [];
    for (let i = 0; i < STOPS.length; i++) {
      const stop = (await page.getByTestId('tour-step').getAttribute('data-stop'))!;
      seen.push(stop);
      expect(await page.getByTestId('tour-step').textContent()).toContain(`Stop ${i + 1} of ${STOPS.length}`);
      await checkStage(page, stop);
      await checkPlacement(page, stop);
      await page.screenshot({ path: `${SHOTS}/tour-en-1440-${i + 1}-${stop}.png` });
      await page.getByTestId('tour-next').click();
      if (i < STOPS.length - 1) await expect.poll(() => page.getByTestId('tour-step').getAttribute('data-stop')).toBe(STOPS[i + 1]);
    }
    expect(seen).toEqual(STOPS);
    expect(await page.getByTestId('tour').count()).toBe(0);
    // Focus returns to Help, and the tour is remembered across a reload.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('help-button');
    await page.reload();
    await expect.poll(() => page.getByTestId('status-model').textContent()).toMatch(/builtin/);
    expect(await page.getByTestId('tour-offer').count()).toBe(0);
    // Help opens it again; Escape closes it.
    await page.getByTestId('help-button').click();
    await expect.poll(() => page.getByTestId('tour-step').getAttribute('data-stop')).toBe('rows');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('tour').count()).toBe(0);
    await page.close();
  });

  it('walks in Korean with the keyboard alone at 1024×700, in dark mode, on an empty canvas', async () => {
    const page = await ctx.open({ width: 1024, height: 700, locale: 'ko-KR', dark: true, tourOffer: true });
    await page.screenshot({ path: `${SHOTS}/tour-offer-ko-1024.png` });
    await page.getByTestId('help-button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('tour-step').getAttribute('data-stop')).toBe('rows');
    // The canvas was empty: the tour drew a digit to read.
    await expect.poll(() => page.getByTestId('prediction').textContent(), { timeout: 20_000 }).toMatch(/^\d$/);
    const english = new Set<string>();
    for (let i = 0; i < STOPS.length; i++) {
      const stop = (await page.getByTestId('tour-step').getAttribute('data-stop'))!;
      expect(stop).toBe(STOPS[i]);
      expect(await page.getByTestId('tour-step').textContent()).toContain(`${STOPS.length}단계 중 ${i + 1}단계`);
      await checkStage(page, stop);
      await checkPlacement(page, `ko ${stop}`);
      for (const w of await englishWords(page)) english.add(`${stop}: ${w}`);
      await page.screenshot({ path: `${SHOTS}/tour-ko-1024-${i + 1}-${stop}.png` });
      // Back and forth with the arrows, then on; the last stop closes with Enter on its focused button.
      if (i === 2) {
        await page.keyboard.press('ArrowLeft');
        await expect.poll(() => page.getByTestId('tour-step').getAttribute('data-stop')).toBe(STOPS[1]);
        await page.keyboard.press('ArrowRight');
        await expect.poll(() => page.getByTestId('tour-step').getAttribute('data-stop')).toBe(STOPS[2]);
      }
      if (i < STOPS.length - 1) {
        await page.keyboard.press('ArrowRight');
        await expect.poll(() => page.getByTestId('tour-step').getAttribute('data-stop')).toBe(STOPS[i + 1]);
      } else {
        await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tour-next');
        await page.keyboard.press('Enter');
      }
    }
    await expect.poll(() => page.getByTestId('tour').count()).toBe(0);
    expect([...english]).toEqual([]);
    await page.close();
  });
});
