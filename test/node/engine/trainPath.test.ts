/**
 * Which path a training run takes when no measurement is asked for (the built-in rule;
 * the app and the CLI measure, see pathChoice.test.ts), as its summary reports it: the
 * fused kernels on the wasm and cpu backends at any hidden size, and tfjs layers otherwise,
 * including on native TensorFlow (tfjs-node), where the rule switches the kernels off. That
 * last case is why every kernel test pins the wasm backend and checks `path`.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as backend from '../../../src/node/engine/backend';
import type { Dataset } from '../../../src/node/engine/data/dataset';
import { createModel } from '../../../src/node/engine/model/model';
import { trainModel } from '../../../src/node/engine/training/train';
import type { TrainConfig } from '../../../src/shared/types';
import { mnistSlice, testRuntime } from '../../helpers';

const runtime = testRuntime();

/** Set to pretend the process settled on another backend (tfjs-node is not installed here). */
const pretend = vi.hoisted(() => ({ backend: null as null | 'tensorflow' }));
vi.mock('../../../src/node/engine/backend', async (importOriginal) => {
  const actual = await importOriginal<typeof backend>();
  return { ...actual, currentBackend: () => (pretend.backend ? { name: pretend.backend, skipped: [] } : actual.currentBackend()) };
});

let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(128, 20, 'wasm');
});
afterEach(() => {
  pretend.backend = null;
});

async function pathOf(hidden: number, opts: { kernels?: 'auto' | 'off' } = {}) {
  const config: TrainConfig = { cell: 'gru', hidden, epochs: 1, learningRate: 0.001, batchSize: 32, limit: 64, seed: 1 };
  const m = createModel({ cell: 'gru', hidden });
  const s = await trainModel(m, { runtime, train: ds.train, test: ds.test, config, testLimit: 20, ...opts });
  m.dispose();
  expect(s.epochs).toHaveLength(1);
  return s.path;
}

describe('training path', () => {
  it('is the fused kernels on wasm for a hidden size that is a multiple of 8', async () => {
    expect(await pathOf(16)).toBe('kernels');
  });

  it('is the fused kernels for a hidden size that is not a multiple of 8 too (padded with inert units)', async () => {
    expect(await pathOf(12)).toBe('kernels');
  });

  it('is tfjs layers when the caller (RNN_LENS_KERNELS=off at the entry points) asks for it', async () => {
    expect(await pathOf(16, { kernels: 'off' })).toBe('tfjs');
  });

  it('is tfjs layers on native TensorFlow, where tfjs-node loads', async () => {
    pretend.backend = 'tensorflow';
    expect(await pathOf(16)).toBe('tfjs');
  });
});
