import { describe, expect, it } from 'vitest';
import { SHOTS, useApp } from './harness';

const { open } = useApp();

describe('evaluate', () => {
  it('shows test accuracy, a clickable confusion matrix and misclassified digits that open in the step viewer', async () => {
    const page = await open({ width: 1320, height: 860 });
    await page.getByTestId('tab-eval').click();
    // The shipped model's own figure, testAccuracy 0.9763 in resources/model/manifest.json, as the panel shows it.
    await expect.poll(() => page.getByTestId('eval-accuracy').textContent(), { timeout: 60_000 }).toMatch(/^\d\d\.\d\d%$/);
    expect(await page.getByTestId('eval-accuracy').textContent()).toBe('97.63%');
    const acc = parseFloat((await page.getByTestId('eval-accuracy').textContent())!);
    // The diagonal holds the correct answers: their sum matches the accuracy.
    let diag = 0;
    for (let d = 0; d < 10; d++) diag += Number(await page.getByTestId(`confusion-${d}-${d}`).getAttribute('data-count'));
    expect(diag / 100).toBeCloseTo(acc, 1);
    await expect.poll(() => page.getByTestId('gallery-digit').count()).toBeGreaterThan(10);
    await page.screenshot({ path: `${SHOTS}/eval.png` });

    // Click the most populated off-diagonal cell.
    let best = [0, 1, -1];
    for (let t = 0; t < 10; t++)
      for (let p = 0; p < 10; p++) {
        if (t === p) continue;
        const n = Number(await page.getByTestId(`confusion-${t}-${p}`).getAttribute('data-count'));
        if (n > best[2]) best = [t, p, n];
      }
    await page.getByTestId(`confusion-${best[0]}-${best[1]}`).click();
    await expect.poll(() => page.getByTestId('gallery-digit').count()).toBe(Math.min(best[2], 50));
    const first = page.getByTestId('gallery-digit').first();
    expect(await first.textContent()).toContain(`${best[0]}→${best[1]}`);
    await first.click();
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe(String(best[1]));
    await expect.poll(() => page.getByTestId('viz-step').textContent(), { timeout: 10_000 }).toBe('28');
    await page.screenshot({ path: `${SHOTS}/draw-from-eval.png` });
    await page.close();
  });

  it('fits 1024×700 and follows a dark OS theme', async () => {
    const page = await open({ width: 1024, height: 700, dark: true });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor || getComputedStyle(document.documentElement).backgroundColor);
    expect(bg).not.toBe('rgb(244, 245, 248)');
    // Nothing spills sideways at the smallest supported size.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    const canvas = (await page.getByTestId('draw-canvas').boundingBox())!;
    const heat = (await page.getByTestId('viz-heatmap').boundingBox())!;
    expect(canvas.y + canvas.height).toBeLessThan(700);
    expect(heat.x + heat.width).toBeLessThan(1024);
    await page.screenshot({ path: `${SHOTS}/draw-1024x700-dark.png` });
    await page.getByTestId('tab-train').click();
    await page.screenshot({ path: `${SHOTS}/train-1024x700-dark.png` });
    await page.close();
  });
});
