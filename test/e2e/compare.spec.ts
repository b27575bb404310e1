/** Two models on one drawing: nothing to compare on a fresh install; after a fine-tune, before → after, coloured by right and wrong. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { seriousViolations } from './axe';
import { drawStrokes, ONE, SEVEN, SHOTS, useApp } from './harness';

const ctx = useApp();
let page: Page;
beforeAll(async () => {
  page = await ctx.open({ width: 1440, height: 900 });
});

/** Each sample row as the page shows it: its label, and each model's answer with whether it is marked right. */
const rows = () =>
  page
    .getByTestId('compare-samples')
    .locator('li')
    .evaluateAll((lis) =>
      lis.map((li) => {
        const [a, b] = Array.from(li.querySelectorAll('b')).map((el) => ({
          k: Number(el.textContent!.match(/\d/)![0]),
          right: el.getAttribute('data-right'),
          color: getComputedStyle(el).color,
        }));
        return { label: Number(li.getAttribute('data-label')), a, b };
      }),
    );

describe('comparing two models', () => {
  it('on a fresh install compares the two shipped models, the SimpleRNN and the GRU, never one with itself', async () => {
    await drawStrokes(page, SEVEN);
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('7');
    const view = page.getByTestId('compare-view');
    expect(await view.getByTestId('compare-single').count()).toBe(0);
    await expect.poll(() => view.getByTestId('compare-a').locator('select').inputValue()).toBe('builtin-gru');
    expect(await view.getByTestId('compare-b').locator('select').inputValue()).toBe('builtin');
    expect(await view.getByTestId('compare-hint').textContent()).toMatch(/two models that come with RNN Lens/);
    await expect.poll(() => view.getByTestId('compare-beliefs').count()).toBe(2);
  });

  it('after a fine-tune shows the parent as A (before) and the new model as B (after), each answer coloured by right or wrong', async () => {
    // A 7 labelled 1 (the shipped model reads it wrong) and a 1 labelled 1 (it reads it right).
    await page.getByTestId('teach-1').click();
    await expect.poll(() => page.getByTestId('sample-count').textContent()).toBe('1 sample saved');
    await page.keyboard.press('c');
    await drawStrokes(page, ONE);
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('1');
    await page.getByTestId('teach-1').click();
    await expect.poll(() => page.getByTestId('sample-count').textContent()).toBe('2 samples saved');

    await page.getByTestId('tab-train').click();
    await page.getByTestId('mode-finetune').check();
    await page.getByTestId('train-button').click();
    await expect.poll(() => page.getByTestId('train-summary').count(), { timeout: 150_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('status-model').textContent()).toMatch(/model v0001/);

    await page.getByTestId('tab-draw').click();
    const view = page.getByTestId('compare-view');
    await expect.poll(() => view.getByTestId('compare-a').locator('select').inputValue()).toBe('builtin');
    expect(await view.getByTestId('compare-b').locator('select').inputValue()).toBe('v0001');
    // Two belief strips, each model's reading of the drawing on the pad (the 1).
    await expect.poll(() => view.getByTestId('compare-beliefs').count()).toBe(2);
    await expect.poll(() => view.getByTestId('compare-prediction-a').getAttribute('data-prediction')).toBe('1');
    await expect.poll(() => view.getByTestId('compare-prediction-b').getAttribute('data-prediction')).toBe('1');
    await expect.poll(() => rows().then((r) => r.length)).toBe(2);
    const shown = await rows();
    const [right, wrong] = [shown[0].a.color, shown[1].a.color];
    // Newest first: the 1 read right, then the 7 labelled 1 that the shipped model (A) reads wrong. Which wrong digit
    // depends on the exact stroke the pointer events drew (a 7 locally, a 2 on a busier machine), so only that is held.
    expect(shown.map((r) => r.label)).toEqual([1, 1]);
    expect(shown[0].a).toMatchObject({ k: 1, right: 'yes' });
    expect(shown[1].a.right).toBe('no');
    expect(shown[1].a.k).not.toBe(1);
    expect(right).not.toBe(wrong);
    // Every answer, on either side, is coloured by whether it matches the label, not by its side.
    for (const r of shown)
      for (const side of [r.a, r.b]) {
        expect(side.right).toBe(side.k === r.label ? 'yes' : 'no');
        expect(side.color).toBe(side.k === r.label ? right : wrong);
      }
    await view.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/compare-after-finetune-1440x900.png` });
    // Both themes pass axe with the comparison filled in.
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await seriousViolations(page)).toEqual([]);
    }
  });
});
