import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { drawStrokes, ONE, SHOTS, useApp } from './harness';

const ctx = useApp();
let page: Page;
beforeAll(async () => {
  page = await ctx.open();
});

describe('correct and teach', () => {
  it('labelling a drawing adds a persisted sample that can be browsed and deleted', async () => {
    expect(await page.getByTestId('sample-count').textContent()).toBe('0 samples saved');
    await drawStrokes(page, ONE);
    await expect.poll(() => page.getByTestId('prediction').textContent()).not.toBe('');
    await page.getByTestId('teach-7').click();
    await expect.poll(() => page.getByTestId('sample-count').textContent()).toBe('1 sample saved');
    await page.keyboard.press('c');
    await drawStrokes(page, ONE);
    await page.getByTestId('teach-1').click();
    await expect.poll(() => page.getByTestId('sample-count').textContent()).toBe('2 samples saved');

    // It survives a reload: the samples live in the main process's user folder.
    await page.reload();
    await expect.poll(() => page.getByTestId('sample-count').textContent()).toBe('2 samples saved');
    await page.getByTestId('tab-train').click();
    const list = page.getByTestId('sample-list');
    expect(await list.locator('figure').count()).toBe(2);
    expect(await list.locator('figcaption').allTextContents()).toEqual(['1', '7']);
    await page.getByTestId('mode-finetune').check();
    await expect.poll(() => page.getByTestId('train-button').textContent()).toMatch(/Fine-tune/);
    await page.screenshot({ path: `${SHOTS}/train-finetune-samples.png` });
    await list.locator('figure').first().hover();
    await list.getByRole('button', { name: 'Delete sample labelled 1' }).click();
    await expect.poll(() => list.locator('figure').count()).toBe(1);
  });
});
