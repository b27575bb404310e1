import { describe, expect, it } from 'vitest';
import { drawStrokes, SEVEN, SHOTS, useApp } from './harness';
import { until } from './wait';

const ctx = useApp();

describe('errors from main', () => {
  it('a failing or garbled server reply shows a readable message and the app keeps working', async () => {
    const page = await ctx.browser().newPage({ viewport: { width: 1320, height: 860 } });
    let mode: 'pass' | 'error' | 'garbage' = 'pass';
    // Sit between the page and the server and spoil replies to model:trace on demand.
    await page.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      const traced = new Set<number>();
      ws.onMessage((m) => {
        const msg = JSON.parse(String(m));
        if (msg.channel === 'model:trace' && mode !== 'pass') traced.add(msg.id);
        server.send(m);
      });
      server.onMessage((m) => {
        const msg = JSON.parse(String(m));
        if (!traced.has(msg.id)) return ws.send(m);
        traced.delete(msg.id);
        ws.send(
          mode === 'error'
            ? JSON.stringify({ id: msg.id, result: { ok: false, error: 'model:trace: the model could not be run (simulated failure)' } })
            : JSON.stringify({ id: msg.id, result: { nonsense: true } }),
        );
      });
    });
    await page.goto(ctx.app().url);
    await until(
      () => page.getByTestId('status-model').textContent(),
      (t) => /model builtin/.test(t ?? ''),
      'the built-in model',
    );

    mode = 'error';
    await drawStrokes(page, SEVEN);
    await expect.poll(() => page.getByTestId('error-message').first().textContent()).toMatch(/model:trace: the model could not be run \(simulated failure\)/);
    await page.screenshot({ path: `${SHOTS}/error-message.png` });

    mode = 'garbage';
    await page.keyboard.press('c');
    await drawStrokes(page, SEVEN);
    await expect
      .poll(() => page.getByTestId('error-message').allTextContents())
      .toContainEqual(expect.stringMatching(/model:trace: the reply was not understood/));

    mode = 'pass';
    await page.keyboard.press('c');
    await drawStrokes(page, SEVEN);
    await expect.poll(() => page.getByTestId('prediction').textContent()).toBe('7');
    await page.close();
  });

  it('a training request main refuses is explained', async () => {
    const page = await ctx.browser().newPage({ viewport: { width: 1320, height: 860 } });
    // Corrupt the outgoing request as a buggy renderer might: main's validation must refuse it.
    await page.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const msg = JSON.parse(String(m));
        if (msg.channel === 'train:start') msg.payload.epochs = 5000;
        server.send(JSON.stringify(msg));
      });
      server.onMessage((m) => ws.send(m));
    });
    await page.goto(ctx.app().url);
    await until(
      () => page.getByTestId('status-model').textContent(),
      (t) => /model builtin/.test(t ?? ''),
      'the built-in model',
    );
    await page.getByTestId('tab-train').click();
    await page.getByTestId('train-button').click();
    await expect
      .poll(() => page.getByTestId('error-message').first().textContent())
      .toMatch(/train:start: invalid request: epochs: epochs must be at most 1000/);
    expect(await page.getByTestId('train-button').isEnabled()).toBe(true);
    await page.close();
  });
});
