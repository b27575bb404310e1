/** Start the app in web mode on a free port with a fresh user folder, and a headless Debian Chromium. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { until } from './wait';

export const SHOTS = join(process.cwd(), 'test-results', 'screenshots');

export interface App {
  url: string;
  userData: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

export async function startApp(): Promise<App> {
  const userData = mkdtempSync(join(tmpdir(), 'rnn-lens-e2e-'));
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/node/web/main.ts', '--port', '0', '--no-build', '--user-data', userData], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web mode did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /RNN Lens: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`web mode exited with ${code}:\n${out}`)));
  });
  return {
    url,
    userData,
    proc,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      rmSync(userData, { recursive: true, force: true });
    },
  };
}

export async function launch(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** Draw strokes given in canvas units (0..280) with the mouse. */
export async function drawStrokes(page: Page, strokes: [number, number][][]): Promise<void> {
  await page.getByTestId('draw-canvas').scrollIntoViewIfNeeded();
  const box = (await page.getByTestId('draw-canvas').boundingBox())!;
  const k = box.width / 280;
  for (const s of strokes) {
    await page.mouse.move(box.x + s[0][0] * k, box.y + s[0][1] * k);
    await page.mouse.down();
    for (const [x, y] of s.slice(1)) await page.mouse.move(box.x + x * k, box.y + y * k, { steps: 4 });
    await page.mouse.up();
  }
}

/** A "7": a top bar and a long diagonal. */
export const SEVEN: [number, number][][] = [
  [
    [70, 60],
    [130, 58],
    [200, 60],
  ],
  [
    [200, 60],
    [170, 120],
    [140, 180],
    [120, 235],
  ],
];

/** A "1": one vertical stroke. */
export const ONE: [number, number][][] = [
  [
    [140, 40],
    [141, 100],
    [140, 170],
    [139, 240],
  ],
];

/** A "0": an oval. */
export const ZERO: [number, number][][] = [
  Array.from({ length: 33 }, (_, i) => {
    const a = (i / 32) * Math.PI * 2;
    return [140 + 55 * Math.sin(a), 140 - 95 * Math.cos(a)] as [number, number];
  }),
];

/** Start web mode and a browser for one spec file; `open` gives a page with the shipped model loaded. */
export interface OpenOptions {
  width?: number;
  height?: number;
  dark?: boolean;
  /** The browser's locale; the app follows it unless a language was chosen before. */
  locale?: string;
  reducedMotion?: boolean;
  /** Show the first-launch offer of the tour (other specs start as someone who turned it down). */
  tourOffer?: boolean;
}

export function useApp(): { app: () => App; browser: () => Browser; open: (opts?: OpenOptions) => Promise<Page> } {
  let app: App;
  let browser: Browser;
  beforeAll(async () => {
    app = await startApp();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  return {
    app: () => app,
    browser: () => browser,
    open: async (opts = {}) => {
      // A context of its own (axe needs one made with newContext), so storage starts empty.
      const context = await browser.newContext({
        viewport: { width: opts.width ?? 1320, height: opts.height ?? 860 },
        colorScheme: opts.dark ? 'dark' : 'light',
        locale: opts.locale ?? 'en-US',
        reducedMotion: opts.reducedMotion ? 'reduce' : 'no-preference',
      });
      if (!opts.tourOffer) await context.addInitScript(() => localStorage.setItem('rnn-lens.tour', 'declined'));
      const page = await context.newPage();
      await page.goto(app.url);
      await until(
        () => page.getByTestId('status-model').textContent(),
        (t) => /builtin/.test(t ?? ''),
        'the built-in model',
      );
      return page;
    },
  };
}
