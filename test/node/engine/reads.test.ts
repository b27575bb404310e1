/**
 * Reading orders end to end in the engine: the orders themselves, the reference trace against
 * tfjs and the fused kernels at every read, and the read in the model files (written, checked,
 * refused by name when unknown, absent in old files and then rows).
 */
import * as tf from '@tensorflow/tfjs';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageAt, type Dataset } from '../../../src/node/engine/data/dataset';
import { Sequencer } from '../../../src/node/engine/data/sequence';
import { BatchForward } from '../../../src/node/engine/inference/batchForward';
import { runExperiment } from '../../../src/node/engine/inference/experiments';
import { Tracer } from '../../../src/node/engine/inference/trace';
import { MANIFEST_FILE, MODEL_FILE, modelToBytes } from '../../../src/node/engine/model/artifacts';
import { readModelFolder } from '../../../src/node/engine/model/folder';
import { parseModelJson } from '../../../src/node/engine/model/format';
import { createModel, describeModel } from '../../../src/node/engine/model/model';
import { ModelStore } from '../../../src/node/engine/model/store';
import { weightsOf } from '../../../src/node/engine/model/weights';
import { parseRead, READS, readOrder, readShape, stepOfPixel, stepPixels, toSequence, type Read } from '../../../src/shared/reads';
import { CELLS, PIXELS, SIDE } from '../../../src/shared/types';
import { mnistSlice, tempDir, testRuntime } from '../../helpers';

const runtime = testRuntime();
let ds: Dataset;
beforeAll(async () => {
  ds = await mnistSlice(10, 12, 'wasm');
});

/** A model with every weight perturbed, so each term of the cell matters. */
function jittered(cell: (typeof CELLS)[number], hidden: number, read: Read) {
  const m = createModel({ cell, hidden, seed: 11, read });
  const noisy = m.getWeights().map((w, i) => tf.tidy(() => w.add(tf.randomNormal(w.shape, 0, 0.15, 'float32', 100 + i))));
  m.setWeights(noisy);
  noisy.forEach((t) => t.dispose());
  return m;
}

describe('reading orders', () => {
  it('take every pixel once, in the order each names', () => {
    const x = Float32Array.from({ length: PIXELS }, (_, i) => i);
    for (const read of READS) {
      const { steps, inputs } = readShape(read);
      expect(steps * inputs).toBe(PIXELS);
      expect([...readOrder(read)].sort((a, b) => a - b)).toEqual(Array.from(x));
      const seq = toSequence(read, x, new Float32Array(PIXELS));
      // Each step's pixels are the ones stepPixels names, and stepOfPixel sends each back to its step.
      const of = stepOfPixel(read);
      for (const t of [0, 1, steps - 1]) {
        expect(Array.from(seq.subarray(t * inputs, (t + 1) * inputs))).toEqual(Array.from(stepPixels(read, t)));
        for (const p of stepPixels(read, t)) expect(of[p]).toBe(t);
      }
    }
    const seq = (read: Read) => toSequence(read, x, new Float32Array(PIXELS));
    // cols: step 1 is column 1 top to bottom; rows-reversed: step 0 is the bottom row; pixels:4: four pixels a step in image order.
    expect(Array.from(seq('cols').subarray(SIDE, SIDE + 3))).toEqual([1, 1 + SIDE, 1 + 2 * SIDE]);
    expect(Array.from(seq('rows-reversed').subarray(0, 3))).toEqual([27 * SIDE, 27 * SIDE + 1, 27 * SIDE + 2]);
    expect(Array.from(seq('pixels:4'))).toEqual(Array.from(x));
    expect(readShape('pixels:4')).toEqual({ steps: 196, inputs: 4 });
    expect(readShape('pixels:1')).toEqual({ steps: 784, inputs: 1 });
  });

  it('refuses an unknown order by name', () => {
    expect(() => parseRead('diagonal')).toThrow(
      '"diagonal" is not a reading order: expected one of rows, cols, rows-reversed, pixels:14, pixels:7, pixels:4, pixels:2, pixels:1',
    );
    expect(() => createModel({ cell: 'gru', hidden: 8, read: 'pixels:3' as Read })).toThrow(/"pixels:3" is not a reading order/);
  });

  it.each(CELLS.flatMap((cell) => READS.filter((r) => r !== 'rows').map((read) => [cell, read] as const)))(
    '%s reading %s: the reference trace equals tfjs and the fused kernels',
    (cell, read) => {
      const { steps, inputs } = readShape(read);
      const m = jittered(cell, 24, read);
      const tracer = new Tracer(m);
      const n = 12;
      const seqImages = new Sequencer(read).fromSplit(ds.test, 0, n, new Float32Array(n * PIXELS));
      const predicted = tf.tidy(() => (m.predict(tf.tensor3d(seqImages, [n, steps, inputs])) as tf.Tensor).dataSync());
      const fwd = new BatchForward(runtime, weightsOf(m), n);
      const kernelProbs = fwd.probs(ds.test.images.subarray(0, n * PIXELS), n);
      const states = fwd.states(ds.test.images.subarray(0, n * PIXELS), n);
      let worst = 0,
        worstKernel = 0,
        worstState = 0;
      for (let i = 0; i < n; i++) {
        const r = tracer.trace(imageAt(ds.test, i));
        expect(r).toMatchObject({ read, steps, inputs });
        expect(r.h.length).toBe(steps * 24);
        expect(r.stepProbs.length).toBe(steps * 10);
        for (let k = 0; k < 10; k++) {
          worst = Math.max(worst, Math.abs(r.probs[k] - predicted[i * 10 + k]));
          worstKernel = Math.max(worstKernel, Math.abs(r.probs[k] - kernelProbs[i * 10 + k]));
        }
        for (const t of [0, steps >> 1, steps - 1])
          for (let j = 0; j < 24; j++) worstState = Math.max(worstState, Math.abs(r.h[t * 24 + j] - states[(t * n + i) * 24 + j]));
      }
      expect(worst).toBeLessThan(1e-5);
      expect(worstKernel).toBeLessThan(1e-4);
      expect(worstState).toBeLessThan(1e-4);
      m.dispose();
    },
  );

  it('runs the memory experiments over the read’s own steps', () => {
    const m = jittered('gru', 16, 'pixels:4');
    const tracer = new Tracer(m);
    const x = imageAt(ds.test, 1);
    const reversed = runExperiment(tracer, x, { kind: 'reversed' });
    expect(reversed.order).toEqual(Array.from({ length: 196 }, (_, t) => 195 - t));
    // Reversing the steps is reading the image's four-pixel pieces last to first.
    const pieces = new Float32Array(PIXELS);
    for (let t = 0; t < 196; t++) pieces.set(x.subarray((195 - t) * 4, (196 - t) * 4), t * 4);
    expect(Array.from(reversed.trace.probs)).toEqual(Array.from(tracer.trace(pieces).probs));
    expect(runExperiment(tracer, x, { kind: 'forget' }).resetAt).toBe(98);
    expect(() => runExperiment(tracer, x, { kind: 'forget', step: 196 })).toThrow(/step 196 is outside this model's read: it takes steps 0 to 195/);
    m.dispose();
  });
});

describe('the read in the model files', () => {
  it('is written to model.json and the manifest, and a stored model loads reading as it was trained', async () => {
    const store = new ModelStore(join(tempDir(), 'store'));
    const m = jittered('lstm', 8, 'cols');
    const saved = await store.save(m, {
      cell: 'lstm',
      hidden: 8,
      epochs: 1,
      learningRate: 0.001,
      batchSize: 32,
      dataset: 'mnist',
      backend: 'wasm',
      testAccuracy: null,
      command: 'test',
      parent: null,
      history: [],
    });
    expect(saved.manifest.read).toBe('cols');
    const dir = join(store.versionsDir, saved.id);
    expect(JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')).userDefinedMetadata).toEqual({ read: 'cols' });
    const loaded = await store.load();
    expect(describeModel(loaded.model)).toEqual({ cell: 'lstm', hidden: 8, read: 'cols' });
    const x = imageAt(ds.test, 2);
    expect(Array.from(new Tracer(loaded.model).trace(x).probs)).toEqual(Array.from(new Tracer(m).trace(x).probs));
    m.dispose();
    loaded.model.dispose();
  });

  it('reads files made before reads existed as rows', async () => {
    const shipped = join(process.cwd(), 'resources', 'model');
    expect(JSON.parse(readFileSync(join(shipped, MODEL_FILE), 'utf8')).userDefinedMetadata).toBeUndefined();
    expect(JSON.parse(readFileSync(join(shipped, MANIFEST_FILE), 'utf8')).read).toBeUndefined();
    const f = readModelFolder(shipped);
    expect(f.describe.read).toBe('rows');
  });

  it('refuses an unknown read, a read the shape does not fit, and a manifest that disagrees, naming each', async () => {
    const m = createModel({ cell: 'gru', hidden: 8, read: 'pixels:4' });
    const bytes = await modelToBytes(m);
    const json = JSON.parse(new TextDecoder().decode(bytes.modelJson));
    expect(parseModelJson(bytes.modelJson)).toEqual({ cell: 'gru', hidden: 8, read: 'pixels:4' });
    const edited = (change: (j: typeof json) => void) => {
      const j = structuredClone(json);
      change(j);
      return new TextEncoder().encode(JSON.stringify(j));
    };
    expect(() => parseModelJson(edited((j) => (j.userDefinedMetadata.read = 'spiral')))).toThrow(
      /model\.json: userDefinedMetadata\.read "spiral" is not a reading order: expected one of rows, cols/,
    );
    expect(() => parseModelJson(edited((j) => (j.userDefinedMetadata.read = 'pixels:2')))).toThrow(
      /batch_input_shape is \[null,196,4\], expected \[null,392,2\] for the read pixels:2/,
    );
    expect(() => parseModelJson(edited((j) => delete j.userDefinedMetadata))).toThrow(/expected \[null,28,28\] for the read rows/);
    expect(() => parseModelJson(edited((j) => (j.userDefinedMetadata.seed = 1)))).toThrow(/userDefinedMetadata\.seed is not allowed/);
    // A folder whose manifest names another read, or one this app does not know.
    const dir = tempDir();
    const store = new ModelStore(join(dir, 'store'));
    const v = await store.save(m, {
      cell: 'gru',
      hidden: 8,
      epochs: 1,
      learningRate: 0.001,
      batchSize: 32,
      dataset: 'mnist',
      backend: 'wasm',
      testAccuracy: null,
      command: 'test',
      parent: null,
      history: [],
    });
    const folder = join(dir, 'copy');
    cpSync(join(store.versionsDir, v.id), folder, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(folder, MANIFEST_FILE), 'utf8'));
    writeFileSync(join(folder, MANIFEST_FILE), JSON.stringify({ ...manifest, read: 'pixels:7' }));
    expect(() => readModelFolder(folder)).toThrow(/model\.json: holds a gru-8 reading pixels:4 model, manifest\.json says gru-8 reading pixels:7/);
    writeFileSync(join(folder, MANIFEST_FILE), JSON.stringify({ ...manifest, read: 'zigzag' }));
    expect(() => readModelFolder(folder)).toThrow(/manifest\.json: read: "zigzag" is not a reading order/);
    m.dispose();
  });
});
