/**
 * Every view in Korean, as a person walks through it: drawing, teaching, training, comparing,
 * evaluating and a trainer that crashes. No English word may reach the page (its text, the
 * screen-reader text, labels, titles and toasts) except names and symbols on the allow-list,
 * and axe finds nothing serious or critical in any of these states.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { englishWords } from './english';
import { SHOTS, useApp } from './harness';

const ctx = useApp();

/** The trainer: the web-mode server's newest living child process (an earlier trainer may linger a moment as it exits). */
function trainerPid(serverPid: number): number | null {
  let best: { pid: number; start: number } | null = null;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // After "pid (name) ": state, ppid, … and the start time is the 20th field from the state.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) !== serverPid || f[0] === 'Z') continue;
      const start = Number(f[19]);
      if (!best || start > best.start) best = { pid: Number(d), start };
    } catch {
      // gone meanwhile
    }
  }
  return best?.pid ?? null;
}

describe('Korean throughout', () => {
  it('no English word reaches any view, toast or error in Korean', async () => {
    const page = await ctx.open({ locale: 'ko-KR', width: 1440, height: 900 });
    const found = new Map<string, Set<string>>();
    const axe: string[] = [];
    // Each state is also checked by axe: these are states the accessibility spec does not reach.
    const look = async (where: string) => {
      for (const w of await englishWords(page)) found.set(w, (found.get(w) ?? new Set()).add(where));
      axe.push(...(await seriousViolations(page)).map((v) => `${where}: ${v}`));
    };
    await look('draw, empty');

    // Draw from the keyboard, hover the heatmap, teach a sample.
    await page.getByTestId('draw-canvas').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('0');
    await expect.poll(() => page.getByTestId('viz-map').getAttribute('data-landmarks'), { timeout: 60_000 }).toBe('2000');
    await page.getByTestId('viz-heatmap').hover();
    await look('draw, a digit');
    await page.getByTestId('teach-0').click();
    await expect.poll(() => page.getByTestId('info-message').count()).toBeGreaterThan(0);
    await look('teach toast');

    // Train a short run; watch it go and finish.
    await page.getByTestId('tab-train').click();
    await look('train');
    await page.getByTestId('train-limit').selectOption('6000');
    await page.getByTestId('train-button').click();
    await expect.poll(() => page.getByTestId('status-path').count(), { timeout: 60_000 }).toBe(1);
    await look('train, running');
    await expect.poll(() => page.getByTestId('train-summary').count(), { timeout: 150_000 }).toBe(1);
    await look('train, finished');

    // Two models now: the comparison, and the new GRU's gates.
    await page.getByTestId('tab-draw').click();
    await expect.poll(() => page.getByTestId('compare-samples').count(), { timeout: 30_000 }).toBe(1);
    await page.getByRole('tab').nth(1).click();
    await look('draw, compare and gates');

    await page.getByTestId('tab-eval').click();
    await expect.poll(() => page.getByTestId('gallery-digit').count(), { timeout: 90_000 }).toBeGreaterThan(0);
    await page.getByTestId('confusion-6-0').click();
    await look('evaluate');

    // A trainer that dies mid-run.
    await page.getByTestId('tab-train').click();
    await page.getByTestId('preset-tutorial').click();
    await page.getByTestId('train-button').click();
    await expect.poll(() => page.getByTestId('stop-button').count(), { timeout: 60_000 }).toBe(1);
    const pid = trainerPid(ctx.app().proc.pid!);
    expect(pid).not.toBeNull();
    process.kill(pid!, 'SIGKILL');
    await expect.poll(() => page.getByTestId('error-message').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('error-message').first().textContent()).toMatch(/학습 프로세스가 예기치 않게 멈췄습니다/);
    await look('trainer crash');
    await page.screenshot({ path: `${SHOTS}/ko-trainer-crash.png` });

    expect(Object.fromEntries([...found].map(([w, where]) => [w, [...where].join('; ')]))).toEqual({});
    expect(axe).toEqual([]);
    await page.close();
  });
});
