import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../../../src/node/engine/model/folder';
import { accuracy as evaluate } from '../../../src/node/engine/inference/evaluate';
import { mnistSlice } from '../../helpers';

describe('the model shipped in resources/model', () => {
  it('verifies, records the command that made it, and reaches at least 0.97 on the full MNIST test set', async () => {
    const ds = await mnistSlice(1, 10000);
    const { model, manifest } = await loadModelFolder(join(process.cwd(), 'resources', 'model'));
    expect(manifest).toMatchObject({ cell: 'rnn', hidden: 128, epochs: 30, learningRate: 0.001, batchSize: 128, dataset: 'mnist' });
    expect(manifest!.command).toMatch(/^npm run train -- --cell rnn --epochs 30 --hidden 128 --lr 0.001 --batch 128/);
    const acc = evaluate(model, ds.test);
    expect(acc).toBeGreaterThanOrEqual(0.97);
    expect(acc).toBeCloseTo(manifest!.testAccuracy!, 3);
    model.dispose();
  });
});
