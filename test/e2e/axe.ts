/** Run axe-core in a page against WCAG 2.0 and 2.1 levels A and AA; report serious and critical violations. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG rule sets axe runs. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The installed axe-core's version, as the page reports it. */
export async function axeVersion(page: Page): Promise<string> {
  await inject(page);
  return page.evaluate(() => (window as unknown as { axe: { version: string } }).axe.version);
}

async function inject(page: Page): Promise<void> {
  // Evaluated rather than added as a script tag, which the page's Content-Security-Policy refuses.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
}

/** Serious and critical violations, one line each with up to four of the elements. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await inject(page);
  // Colours are measured once running transitions (a theme switch, a pressed button) have ended.
  await page.waitForFunction(() => document.getAnimations().every((a) => !(a instanceof CSSTransition)));
  const r = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run(ctx: Document, o: object): Promise<AxeResults> } }).axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    WCAG_TAGS,
  );
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}, ${v.nodes.length}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 4)
          .join(', ')}`,
    );
}
