/**
 * Is it a digit? A dot, a scribble and two letters are called not a digit, with the reason and the
 * bars greyed, and can still be taught; five digits drawn as a person draws them are called digits.
 * In English and in Korean.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { drawStrokes, SHOTS, useApp } from './harness';

const ctx = useApp();

/** A seeded random walk over the canvas, like the non-digit set's scribbles. */
function scribble(seed: number): [number, number][][] {
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  let p: [number, number] = [140, 140];
  let a = 0;
  const walk: [number, number][] = [p];
  for (let i = 0; i < 30; i++) {
    a += (rand() - 0.5) * 2.4;
    p = [Math.max(5, Math.min(275, p[0] + 35 * Math.cos(a))), Math.max(5, Math.min(275, p[1] + 35 * Math.sin(a)))];
    walk.push(p);
  }
  return [walk];
}

const NOT_DIGITS: Record<string, { strokes: [number, number][][]; reason: string }> = {
  dot: {
    strokes: [
      [
        [140, 140],
        [141, 141],
      ],
    ],
    reason: 'blob',
  },
  scribble: { strokes: scribble(7), reason: 'unlike' },
  A: {
    strokes: [
      [
        [50, 240],
        [140, 40],
        [230, 240],
      ],
      [
        [85, 165],
        [195, 165],
      ],
    ],
    reason: 'unlike',
  },
  H: {
    strokes: [
      [
        [70, 50],
        [70, 230],
      ],
      [
        [210, 50],
        [210, 230],
      ],
      [
        [70, 140],
        [210, 140],
      ],
    ],
    reason: 'unlike',
  },
};

/** The verdict once the page has settled: a reply to a stroke still in progress may show first. */
async function verdictOf(page: Page): Promise<{ kind: string; reason: string; digit: string; words: string }> {
  const v = page.getByTestId('prediction-verdict');
  const read = async () => ({
    kind: (await v.getAttribute('data-verdict'))!,
    reason: (await v.getAttribute('data-reason'))!,
    digit: (await page.getByTestId('prediction').textContent())!,
    words: (await v.textContent())!,
  });
  let last = '';
  let same = 0;
  await expect
    .poll(
      async () => {
        const now = JSON.stringify(await read());
        same = now === last && !now.includes('"pending"') ? same + 1 : 0;
        last = now;
        return same;
      },
      { timeout: 20_000, interval: 300 },
    )
    .toBeGreaterThanOrEqual(2);
  return JSON.parse(last) as Awaited<ReturnType<typeof read>>;
}

for (const [locale, words] of [
  ['en-US', { blob: /too small to read — draw bigger/, unlike: /doesn’t look like a digit I know/ }],
  ['ko-KR', { blob: /너무 작아서 읽을 수 없어요/, unlike: /숫자처럼 보이지 않습니다/ }],
] as const)
  describe(`the verdict, ${locale}`, () => {
    it('calls a dot, a scribble and two letters not a digit, with the reason, and still lets them be taught', async () => {
      const page = await ctx.open({ width: 1440, height: 900, locale });
      for (const [name, { strokes, reason }] of Object.entries(NOT_DIGITS)) {
        await page.getByTestId('clear-button').click();
        await drawStrokes(page, strokes);
        await expect.poll(() => page.getByTestId('prediction').textContent(), { timeout: 15_000 }).toMatch(/^\d$/);
        const v = await verdictOf(page);
        expect(v.kind, name).toBe('not-a-digit');
        expect(v.reason, name).toBe(reason);
        expect(v.words, name).toMatch(words[reason as 'blob' | 'unlike']);
        // The model's top digit stays on show, greyed, and the loop shows it in doubt.
        expect(await page.locator('.bars.doubt').count()).toBe(1);
        expect(await page.getByTestId('loop-belief').textContent()).toMatch(/^\d\?$/);
        expect(await page.getByTestId('teach-3').isEnabled()).toBe(true);
        await page
          .getByTestId('prediction')
          .locator('xpath=ancestor::div[contains(@class,"card")]')
          .screenshot({ path: `${SHOTS}/verdict-${locale}-${name}.png` });
      }
      await page.close();
    });

    it('calls five digits drawn as a person draws them digits', async () => {
      const page = await ctx.open({ width: 1440, height: 900, locale });
      await page.getByTestId('draw-canvas').focus();
      for (let k = 0; k < 5; k++) {
        await page.keyboard.press('Enter');
        await expect.poll(() => page.getByTestId('prediction').textContent(), { timeout: 15_000 }).toBe(String(k));
        const v = await verdictOf(page);
        expect(v.kind, `the ${k}`).toBe('digit');
        expect(await page.locator('.bars.doubt').count()).toBe(0);
      }
      await page.close();
    });
  });
