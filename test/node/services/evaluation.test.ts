/**
 * Evaluation runs on a worker thread with the fused kernels: it gives exactly
 * the predictions of tfjs's model.predict for the shipped model, and the main
 * thread answers predictions while it runs.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../../src/node/engine/backend';
import { defaultMnistDir, loadSplit } from '../../../src/node/engine/data/dataset';
import { EvalPool } from '../../../src/node/engine/inference/evalPool';
import { classifyOffThread, predictClasses } from '../../../src/node/engine/inference/evaluate';
import { loadModelFolder } from '../../../src/node/engine/model/folder';
import { createDispatch } from '../../../src/node/services/dispatch';
import type { Evaluation } from '../../../src/shared/contract';
import { makeServices } from '../fixtures';

describe('evaluation off the main thread', () => {
  const pool = new EvalPool({ dataDir: defaultMnistDir() });
  afterAll(() => pool.close());

  it('classifies all 10,000 test digits as model.predict does (shipped SimpleRNN-128: 0.9763)', async () => {
    await initBackend('wasm');
    const { model } = await loadModelFolder(join(process.cwd(), 'resources', 'model'));
    const { predicted, labels } = await classifyOffThread(model, pool);
    const reference = predictClasses(model, loadSplit(defaultMnistDir(), 't10k'));
    expect(predicted.length).toBe(10_000);
    expect(Array.from(predicted)).toEqual(Array.from(reference));
    let correct = 0;
    predicted.forEach((p, i) => (correct += p === labels[i] ? 1 : 0));
    expect(correct / 10_000).toBeCloseTo(0.9763, 4);
    model.dispose();
  });

  it('keeps answering predictions while an evaluation runs', async () => {
    const { services } = await makeServices({ hidden: 64 });
    const dispatch = createDispatch(services);
    const order: string[] = [];
    const evaluation = dispatch('eval:run', {}).then((r) => (order.push('evaluation'), r));
    const predictions = Promise.all(
      Array.from({ length: 5 }, () => dispatch('model:predict', { pixels: new Array(784).fill(0.1) }).then((r) => (order.push('predict'), r))),
    );
    const [e, p] = await Promise.all([evaluation, predictions]);
    expect(e.ok).toBe(true);
    expect(p.every((r) => r.ok)).toBe(true);
    expect(order).toEqual(['predict', 'predict', 'predict', 'predict', 'predict', 'evaluation']);
    services.shutdown();
  });

  it('answers two eval:run requests for the same version with one evaluation, and shutdown stops its threads', async () => {
    const { services } = await makeServices({ hidden: 64 });
    const dispatch = createDispatch(services);
    const pool = services.dataset.pool;
    const classify = vi.spyOn(pool, 'classify');
    const [a, b] = await Promise.all([dispatch('eval:run', {}), dispatch('eval:run', {})]);
    expect(a.ok && b.ok).toBe(true);
    expect(a).toEqual(b);
    expect(classify).toHaveBeenCalledTimes(1);
    // The reply's matrix counts confusion[true][predicted] over its own predictions and the test labels.
    if (!a.ok) throw new Error(a.error);
    const e = a.value as Evaluation;
    const labels = loadSplit(defaultMnistDir(), 't10k').labels;
    const count = (t: number, p: number) => e.predictions.filter((q, i) => labels[i] === t && q === p).length;
    e.confusion.forEach((row, t) => row.forEach((c, p) => expect(c, `true ${t}, predicted ${p}`).toBe(count(t, p))));
    expect(e.confusion.some((row, t) => row.some((c, p) => c !== e.confusion[p][t]))).toBe(true);
    for (const [pair, indices] of Object.entries(e.examples)) for (const i of indices) expect(`${labels[i]}-${e.predictions[i]}`).toBe(pair);
    expect(pool.started).toBe(pool.threads);
    expect(pool.running).toBe(pool.threads);
    // A later request reuses the threads.
    expect(await dispatch('eval:run', {})).toEqual(a);
    expect(pool.started).toBe(pool.threads);
    services.shutdown();
    expect(pool.running).toBe(0);
    const after = await dispatch('eval:run', {});
    expect(after).toMatchObject({ ok: false, code: 'evalStopped' });
  });
});
