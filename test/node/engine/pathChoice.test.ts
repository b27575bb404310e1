/**
 * Choosing the training path by measurement: the faster path wins, the choice is
 * remembered per configuration, a bad cache file is ignored and rewritten,
 * RNN_LENS_KERNELS still forces a path, and probing leaves the run's weights alone.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { createModel } from '../../../src/node/engine/model/model';
import { MAX_CACHE_BYTES, pathKey as keyOf, readPathCache } from '../../../src/node/engine/training/pathCache';
import type { PathOptions } from '../../../src/node/engine/training/pathChoice';
import { trainModel } from '../../../src/node/engine/training/train';
import type { PathChoice, TrainConfig, TrainPath, TrainProgress } from '../../../src/shared/types';
import { mnistSlice, tempDir, testRuntime } from '../../helpers';

const runtime = testRuntime();
let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(256, 20, 'wasm');
});

/** The key of a configuration as this file's runs make it: the wasm backend and this runtime's threads and build. */
const pathKey = (config: Pick<TrainConfig, 'cell' | 'hidden' | 'batchSize'>, version?: string) =>
  keyOf(config, { backend: 'wasm', threads: runtime.threads, build: runtime.build }, version);

const dir = tempDir('rnn-lens-paths-');
let files = 0;
const freshFile = () => join(dir, `paths-${files++}.json`);

const base: TrainConfig = { cell: 'gru', hidden: 16, epochs: 1, learningRate: 0.01, batchSize: 32, limit: 64, seed: 3 };

/** Fake speeds for each path; records which paths were measured. */
function fakeSpeeds(speeds: Record<TrainPath, number>) {
  return vi.fn((p: TrainPath) => speeds[p]);
}

async function run(config: Partial<TrainConfig>, path?: PathOptions, kernels?: 'auto' | 'on' | 'off') {
  const cfg = { ...base, ...config };
  const model = createModel({ cell: cfg.cell, hidden: cfg.hidden, seed: cfg.seed });
  const seen: PathChoice[] = [];
  const losses: number[] = [];
  const onProgress = (p: TrainProgress) => {
    if (p.kind === 'batch') losses.push(p.loss);
  };
  const summary = await trainModel(model, {
    runtime,
    train: ds.train,
    test: ds.test,
    config: cfg,
    testLimit: 20,
    path,
    kernels,
    onPath: (c) => seen.push(c),
    onProgress,
  });
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  model.dispose();
  expect(seen).toEqual([summary.choice]);
  expect(summary.path).toBe(summary.choice?.path);
  return { summary, choice: summary.choice!, losses, weights };
}

describe('choosing the training path', () => {
  it('trains on the path that measured faster, and reports both speeds', async () => {
    const slowKernels = await run({}, { measure: fakeSpeeds({ kernels: 100, tfjs: 900 }) });
    expect(slowKernels.choice).toEqual({ path: 'tfjs', reason: 'measured', backend: 'wasm', kernelsPerSec: 100, tfjsPerSec: 900 });
    const fastKernels = await run({}, { measure: fakeSpeeds({ kernels: 5000, tfjs: 900 }) });
    expect(fastKernels.choice).toMatchObject({ path: 'kernels', reason: 'measured', kernelsPerSec: 5000, tfjsPerSec: 900 });
  });

  it('takes the only path that ran when the other one cannot run this model', async () => {
    const measure = vi.fn((p: TrainPath) => {
      if (p === 'kernels') throw new Error('the kernels cannot run this model');
      return 700;
    });
    const notes: string[] = [];
    const { choice } = await run({}, { measure, onNote: (n) => notes.push(n) });
    expect(choice).toMatchObject({ path: 'tfjs', reason: 'only', tfjsPerSec: 700 });
    expect(notes).toEqual(['the kernels training path could not be timed: the kernels cannot run this model']);
    expect(choice.kernelsPerSec).toBeUndefined();
  });

  it('times real batches on both paths on wasm: sane positive speeds, and a probe of a few seconds at most for GRU-128', async () => {
    const speeds: Partial<Record<TrainPath, number>> = {};
    const secs: Partial<Record<TrainPath, number>> = {};
    const timed = (p: TrainPath, probe: () => number) => {
      const t0 = performance.now();
      speeds[p] = probe();
      secs[p] = (performance.now() - t0) / 1000;
      return speeds[p];
    };
    const { choice } = await run({ hidden: 128, batchSize: 128, limit: 256 }, { measure: timed });
    const fmt = (p: TrainPath) => `${p} ${speeds[p]?.toFixed(0)} samples/s in ${secs[p]?.toFixed(2)} s`;
    console.log(`GRU-128 probe: ${fmt('kernels')}, ${fmt('tfjs')}`);
    // About 1.7 s on two busy shared cores; the bound only catches a probe that grew by far.
    expect(secs.kernels! + secs.tfjs!).toBeLessThan(8);
    for (const p of ['kernels', 'tfjs'] as const) {
      expect(speeds[p]).toBeGreaterThan(10);
      expect(speeds[p]).toBeLessThan(1e7);
    }
    expect(choice.reason).toBe('measured');
    expect(choice.path).toBe(speeds.kernels! >= speeds.tfjs! ? 'kernels' : 'tfjs');
  });

  it('remembers the choice: the same configuration reuses it without probing, a different one probes again', async () => {
    const cacheFile = freshFile();
    const first = fakeSpeeds({ kernels: 300, tfjs: 200 });
    expect((await run({}, { cacheFile, version: '1.2.3', measure: first })).choice.reason).toBe('measured');
    expect(first).toHaveBeenCalledTimes(2);
    expect(existsSync(cacheFile)).toBe(true);
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(saved.entries[pathKey(base, '1.2.3')]).toMatchObject({ path: 'kernels', kernelsPerSec: 300, tfjsPerSec: 200 });

    const second = fakeSpeeds({ kernels: 1, tfjs: 1000 });
    const again = await run({}, { cacheFile, version: '1.2.3', measure: second });
    expect(second).not.toHaveBeenCalled();
    expect(again.choice).toEqual({ path: 'kernels', reason: 'cached', backend: 'wasm', kernelsPerSec: 300, tfjsPerSec: 200 });

    for (const other of [{ cell: 'lstm' as const }, { hidden: 24 }, { batchSize: 16 }]) {
      const probe = fakeSpeeds({ kernels: 1, tfjs: 1000 });
      const r = await run(other, { cacheFile, version: '1.2.3', measure: probe });
      expect(probe).toHaveBeenCalledTimes(2);
      expect(r.choice).toMatchObject({ path: 'tfjs', reason: 'measured' });
    }
    const update = fakeSpeeds({ kernels: 1, tfjs: 1000 });
    await run({}, { cacheFile, version: '1.2.4', measure: update });
    expect(update).toHaveBeenCalledTimes(2);
    expect(Object.keys(JSON.parse(readFileSync(cacheFile, 'utf8')).entries)).toHaveLength(5);
  });

  const hostile: [string, () => string][] = [
    ['not JSON', () => '{"format": "rnn-lens-training-paths/1", "entries": {'],
    ['the wrong format', () => JSON.stringify({ format: 'other/1', entries: {} })],
    ['a prototype key', () => `{"format":"rnn-lens-training-paths/1","entries":{"__proto__":{"path":"tfjs","kernelsPerSec":1,"tfjsPerSec":2,"at":"x"}}}`],
    [
      'a non-path',
      () => JSON.stringify({ format: 'rnn-lens-training-paths/1', entries: { [pathKey(base)]: { path: 'gpu', kernelsPerSec: 1, tfjsPerSec: 2, at: 'x' } } }),
    ],
    [
      'a negative speed',
      () => JSON.stringify({ format: 'rnn-lens-training-paths/1', entries: { [pathKey(base)]: { path: 'tfjs', kernelsPerSec: -1, tfjsPerSec: 2, at: 'x' } } }),
    ],
    [
      'an oversized file',
      () => {
        // Well-formed entries for other sizes, but more bytes than a cache file may have.
        const entry = { path: 'tfjs', kernelsPerSec: 1, tfjsPerSec: 2, at: '2026-01-01T00:00:00.000Z' };
        const entries = Object.fromEntries(Array.from({ length: 800 }, (_, h) => [pathKey({ ...base, hidden: 1000 + h }), entry]));
        const text = JSON.stringify({ format: 'rnn-lens-training-paths/1', entries });
        expect(text.length).toBeGreaterThan(MAX_CACHE_BYTES);
        return text;
      },
    ],
    ['binary garbage', () => '\u0000\u00ff\u0001garbage'],
  ];
  it.each(hostile)('ignores a cache file with %s (with a note), measures, and rewrites it', async (_what, text) => {
    const cacheFile = freshFile();
    writeFileSync(cacheFile, text());
    const notes: string[] = [];
    const measure = fakeSpeeds({ kernels: 1, tfjs: 1000 });
    const { choice } = await run({}, { cacheFile, measure, onNote: (n) => notes.push(n) });
    expect(measure).toHaveBeenCalledTimes(2);
    expect(choice).toMatchObject({ path: 'tfjs', reason: 'measured' });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/ignoring the training-path cache/);
    expect(({} as Record<string, unknown>).path).toBeUndefined();
    const rewritten = readPathCache(cacheFile, (n) => notes.push(n));
    expect(notes).toHaveLength(1);
    expect(rewritten.get(pathKey(base))).toMatchObject({ path: 'tfjs', tfjsPerSec: 1000 });
  });

  it('lets the caller (RNN_LENS_KERNELS at the entry points) force a path without probing, and says so', async () => {
    const cacheFile = freshFile();
    for (const [force, path] of [
      ['off', 'tfjs'],
      ['on', 'kernels'],
    ] as const) {
      const measure = fakeSpeeds({ kernels: path === 'kernels' ? 1 : 1000, tfjs: path === 'tfjs' ? 1 : 1000 });
      const { choice } = await run({}, { cacheFile, measure }, force);
      expect(measure).not.toHaveBeenCalled();
      expect(choice).toEqual({ path, reason: 'forced', backend: 'wasm' });
    }
    expect(existsSync(cacheFile)).toBe(false);
  });

  it('keeps the built-in rule when no measurement is asked for', async () => {
    expect((await run({})).choice).toEqual({ path: 'kernels', reason: 'default', backend: 'wasm' });
  });

  it.each(['kernels', 'tfjs'] as const)('probing both paths leaves the %s run starting from the same weights and a fresh optimizer', async (winner) => {
    const tensors = tf.memory().numTensors;
    // Real probes on both paths (training throwaway copies), then the injected speeds pick `winner`.
    const probed = await run({}, { measure: (p, probe) => probe() * (p === winner ? 1e6 : 1) });
    expect(probed.choice).toMatchObject({ path: winner, reason: 'measured' });
    const plain = await run({}, undefined, winner === 'tfjs' ? 'off' : undefined);
    expect(plain.choice.path).toBe(winner);
    expect(probed.losses).toHaveLength(2);
    expect(probed.losses).toEqual(plain.losses);
    expect(probed.weights).toEqual(plain.weights);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
