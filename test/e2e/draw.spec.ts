import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { drawStrokes, ONE, SEVEN, SHOTS, useApp, ZERO } from './harness';

const ctx = useApp();
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  page = await ctx.open();
  page.on('pageerror', (e) => errors.push(e.message));
});

const prediction = () =>
  page
    .getByTestId('prediction')
    .textContent()
    .then((t) => (t ?? '').trim());

describe('draw and predict', () => {
  it('starts empty with a hint instead of a prediction, and no step chosen yet', async () => {
    expect(await prediction()).toBe('');
    // Nothing read yet: no "28/28", no step marked among the rows.
    expect(await page.getByTestId('viz-step').textContent()).toBe('–');
    expect(await page.getByTestId('viz-scrub').inputValue()).toBe('0');
    expect(await page.getByTestId('viz-importance').locator('.now').count()).toBe(0);
    await expect.poll(() => page.getByText('Draw a digit to see what the network thinks.').count()).toBe(1);
  });

  it('drawing strokes with the mouse gives a live prediction of the right digit', async () => {
    await drawStrokes(page, SEVEN);
    await expect.poll(prediction).toBe('7');
    await page.waitForTimeout(2500); // let the 28-step animation finish
    await page.screenshot({ path: `${SHOTS}/draw-seven.png` });
  });

  it('clear empties the prediction and the preview', async () => {
    await page.getByTestId('clear-button').click();
    await expect.poll(prediction).toBe('');
    await drawStrokes(page, ONE);
    await expect.poll(prediction).toBe('1');
    await page.keyboard.press('c');
    await expect.poll(prediction).toBe('');
  });

  it('undo removes the last stroke and predicts again', async () => {
    const seen = () => page.getByTestId('model-input').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    await drawStrokes(page, ZERO);
    await expect.poll(prediction).toBe('0');
    // The preview of the whole stroke: a reply to the stroke still in progress may show first.
    let zero = await seen();
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(400);
      const now = await seen();
      if (now === zero) break;
      zero = now;
    }
    await drawStrokes(page, [
      [
        [60, 250],
        [230, 250],
      ],
    ]);
    await expect.poll(seen).not.toBe(zero);
    await page.getByTestId('undo-button').click();
    await expect.poll(seen).toBe(zero);
    await expect.poll(prediction).toBe('0');
  });

  it('updates while the pointer is still down', async () => {
    await page.keyboard.press('c');
    const box = (await page.getByTestId('draw-canvas').boundingBox())!;
    await page.mouse.move(box.x + 140, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 141, box.y + 240, { steps: 20 });
    await expect.poll(prediction).toBe('1');
    await page.mouse.up();
  });
});

describe('watch the 28 steps', () => {
  const step = () => page.getByTestId('viz-step').textContent().then(Number);

  it('animates after a stroke and ends on the last row', async () => {
    await page.keyboard.press('c');
    await drawStrokes(page, SEVEN);
    await expect.poll(step, { timeout: 10_000 }).toBe(28);
  });

  it('scrubbing, arrow keys and play change the step', async () => {
    await page.getByTestId('viz-scrub').fill('9');
    expect(await step()).toBe(10);
    await page.keyboard.press('ArrowLeft');
    expect(await step()).toBe(9);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await step()).toBe(11);
    await page.screenshot({ path: `${SHOTS}/draw-step-11.png` });
    await page.getByTestId('viz-play').click();
    await expect.poll(step).toBeGreaterThan(11);
    await expect.poll(step, { timeout: 10_000 }).toBe(28);
  });

  it('hovering a cell shows its value; hovering a row shows the pixels it read', async () => {
    const heat = (await page.getByTestId('viz-heatmap').boundingBox())!;
    await page.mouse.move(heat.x + heat.width * 0.3, heat.y + heat.height * 0.5);
    await expect.poll(() => page.getByTestId('viz-tooltip').textContent()).toMatch(/step 15 · hidden state hₜ · unit \d+: -?\d\.\d{3}/);
    const digit = (await page.getByTestId('viz-digit').boundingBox())!;
    await page.mouse.move(digit.x + digit.width / 2, digit.y + digit.height * 0.3);
    await expect.poll(() => page.getByTestId('viz-tooltip').textContent()).toMatch(/step 9 reads row 9.*the 28 pixels this step reads/);
    await page.screenshot({ path: `${SHOTS}/draw-hover-row.png` });
    await page.mouse.move(0, 0);
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
