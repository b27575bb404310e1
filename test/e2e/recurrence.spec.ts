/**
 * Teaching the recurrence on the learner's own drawing: the loop's two pushes (memory alone on a
 * blank row), each memory experiment changing what the network believes, the units that matter
 * pointing into the heatmap and the equations, the explanations behind "mattered" and ‖Δh‖, and
 * the "decides" marker appearing only once playback reaches it.
 */
import { describe, expect, it } from 'vitest';
import { drawStrokes, SEVEN, SHOTS, useApp } from './harness';

const ctx = useApp();

describe('teaching the recurrence', () => {
  it('shows the loop, runs every memory experiment, and points from the units into the heatmap', async () => {
    const page = await ctx.open({ width: 1440, height: 900 });
    await drawStrokes(page, SEVEN);
    await expect.poll(() => page.getByTestId('prediction').textContent(), { timeout: 15_000 }).toBe('7');
    await expect.poll(() => page.getByTestId('viz-step').textContent(), { timeout: 10_000 }).toBe('28');

    // The loop: on a blank row (after the first step) the row adds nothing and memory alone moves
    // the state; on a row with ink both push.
    const loop = page.getByTestId('viz-loop');
    await expect.poll(() => loop.getByTestId('loop-input').getAttribute('data-size'), { timeout: 15_000 }).not.toBe('');
    const sizes: { step: number; input: number; recurrent: number; story: string }[] = [];
    for (let step = 1; step < 28; step++) {
      await page.getByTestId('viz-scrub').fill(String(step));
      await expect.poll(() => loop.getAttribute('data-step')).toBe(String(step));
      sizes.push({
        step,
        input: Number(await loop.getByTestId('loop-input').getAttribute('data-size')),
        recurrent: Number(await loop.getByTestId('loop-recurrent').getAttribute('data-size')),
        story: (await loop.getByTestId('loop-story').textContent())!,
      });
    }
    const blank = sizes.filter((s) => s.input === 0);
    const inked = sizes.filter((s) => s.input > 0.5);
    expect(blank.length, JSON.stringify(sizes)).toBeGreaterThanOrEqual(2);
    expect(inked.length, JSON.stringify(sizes)).toBeGreaterThanOrEqual(10);
    for (const s of blank) {
      expect(s.recurrent, `step ${s.step}`).toBeGreaterThan(0.5);
      expect(s.story, `step ${s.step}`).toMatch(/blank row/);
    }
    for (const s of inked) expect(s.recurrent, `step ${s.step}`).toBeGreaterThan(0.5);
    await page.getByTestId('viz-scrub').fill(String(inked[inked.length >> 1].step));
    await loop.screenshot({ path: `${SHOTS}/recurrence-loop.png` });

    // "decides" shows only once playback has reached the step it marks.
    await page.getByTestId('viz-scrub').fill('0');
    await expect.poll(() => page.getByTestId('viz-viewer').locator('.decide').count()).toBe(0);
    await page.getByTestId('viz-scrub').fill('27');
    await expect.poll(() => page.getByTestId('viz-viewer').locator('.decide').count()).toBe(1);

    // Each experiment re-reads the 7 with one thing about memory changed, and the belief moves.
    const panel = page.getByTestId('viz-experiments');
    const result = panel.getByTestId('experiment-result');
    const outcome = async (kind: string, note: string) => {
      await expect.poll(() => result.getAttribute('data-kind'), { timeout: 20_000 }).toBe(kind);
      await expect.poll(() => panel.getByTestId('experiment-story').textContent()).toContain(note);
      expect(await result.getAttribute('data-before')).toBe('7');
      const before = Number(await result.getAttribute('data-before-p'));
      const after = Number(await result.getAttribute('data-after-p'));
      return { before, after, moved: (await result.getAttribute('data-changed')) === 'true' || Math.abs(before - after) > 0.05 };
    };
    // Forgetting at step t leaves only rows t…28; at the last step, only the last row, and the 7 is gone.
    const forgets: string[] = [];
    for (const step of [16, 24, 28]) {
      await panel.getByTestId('experiment-step').fill(String(step));
      await panel.getByTestId('experiment-step').dispatchEvent('change');
      await panel.getByTestId('experiment-forget').click();
      const o = await outcome('forget', String(step));
      forgets.push(`${step}: ${o.before} → ${o.after}${o.moved ? ' moved' : ''}`);
      if (step === 28) expect(o.moved, forgets.join('; ')).toBe(true);
    }
    await panel.screenshot({ path: `${SHOTS}/recurrence-experiment-forget.png` });
    for (const kind of ['nomemory', 'shuffled', 'reversed']) {
      await panel.getByTestId(`experiment-${kind}`).click();
      const o = await outcome(kind, '');
      // Without memory or read bottom-up the 7 is lost; a shuffle may keep enough of it (its story says which).
      if (kind !== 'shuffled') expect(o.moved, `${kind}: ${o.before} → ${o.after}`).toBe(true);
      expect(await panel.getByTestId('experiment-beliefs').count()).toBe(1);
      expect((await panel.getByTestId('experiment-story').textContent())!.length).toBeGreaterThan(40);
      await panel.screenshot({ path: `${SHOTS}/recurrence-experiment-${kind}.png` });
    }

    // Pointing at a unit that matters outlines its column and puts it in the equations.
    const units = page.getByTestId('viz-units');
    const first = units.locator('button[data-testid^="unit-"]').first();
    const unit = Number((await first.getAttribute('data-testid'))!.slice(5));
    await first.hover();
    await expect.poll(() => page.getByTestId('viz-heatmap-mark').count()).toBe(1);
    expect(await page.getByTestId('viz-equations-unit').inputValue()).toBe(String(unit));
    await units.screenshot({ path: `${SHOTS}/recurrence-units.png` });

    // The explanations open on hover, whole and inside the window.
    for (const id of ['explain-mattered', 'explain-norm', 'explain-layer']) {
      await page.getByTestId(id).hover();
      const tip = page.getByTestId(id).locator('xpath=following-sibling::*[@role="tooltip"]');
      await expect.poll(() => tip.isVisible()).toBe(true);
      const box = (await tip.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(1440);
      expect((await tip.textContent())!.length).toBeGreaterThan(40);
    }
    await page.screenshot({ path: `${SHOTS}/recurrence-explain.png` });
    await page.close();
  });
});
