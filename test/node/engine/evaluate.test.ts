/**
 * The confusion matrix, accuracy and examples of an evaluation, checked cell by cell against
 * predictions counted by hand and against the shipped model's real predictions.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accuracy, confusionReport, EXAMPLES_PER_CELL, predictClasses } from '../../../src/node/engine/inference/evaluate';
import { loadModelFolder } from '../../../src/node/engine/model/folder';
import { CLASSES } from '../../../src/shared/types';
import { mnistSlice } from '../../helpers';

describe('confusionReport', () => {
  it('counts confusion[true][predicted]: off the diagonal a mistake lands in its own cell, not its mirror', () => {
    const labels = [3, 3, 5, 7, 7, 7, 0];
    const predicted = [3, 8, 5, 1, 1, 7, 0];
    const r = confusionReport(predicted, labels);
    const want = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
    want[3][3] = 1;
    want[3][8] = 1; // a 3 read as an 8
    want[5][5] = 1;
    want[7][1] = 2; // two 7s read as 1s
    want[7][7] = 1;
    want[0][0] = 1;
    expect(r.confusion).toEqual(want);
    expect(r.confusion[8][3]).toBe(0);
    expect(r.confusion[1][7]).toBe(0);
    expect(r.accuracy).toBe(4 / 7);
    expect(r.examples).toEqual({ '3-3': [0], '3-8': [1], '5-5': [2], '7-1': [3, 4], '7-7': [5], '0-0': [6] });
  });

  it(`keeps the first ${EXAMPLES_PER_CELL} indices of each pair and counts them all`, () => {
    const labels = [...new Array<number>(120).fill(2), 6];
    const predicted = [...new Array<number>(120).fill(4), 6];
    const r = confusionReport(predicted, labels);
    expect(r.confusion[2][4]).toBe(120);
    expect(r.examples['2-4']).toEqual(Array.from({ length: EXAMPLES_PER_CELL }, (_, i) => i));
    expect(r.examples['6-6']).toEqual([120]);
    expect(r.accuracy).toBe(1 / 121);
  });

  it('reports nothing, and an accuracy of 0, for no digits', () => {
    const r = confusionReport([], []);
    expect(r).toEqual({ accuracy: 0, confusion: Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0)), examples: {} });
  });

  it('matches the shipped model’s predictions on 1,200 test digits, cell by cell', async () => {
    const ds = await mnistSlice(0, 1200);
    const { model } = await loadModelFolder(join(process.cwd(), 'resources', 'model'));
    const n = 1200; // two chunks of the forward pass, the second one short
    const predicted = predictClasses(model, ds.test);
    expect(predicted.length).toBe(n);
    // A limit takes the first digits, and never more than the split holds.
    // Seven digits ending with the first one the model gets wrong.
    const s = Math.max(0, Array.from(predicted).findIndex((q, i) => q !== ds.test.labels[i]) - 6);
    const few = { n: 7, images: ds.test.images.subarray(s * 784, (s + 7) * 784), labels: ds.test.labels.subarray(s, s + 7) };
    expect(Array.from(predictClasses(model, few, 1_000_000))).toEqual(Array.from(predicted.subarray(s, s + 7)));
    expect(Array.from(predictClasses(model, few, 3))).toEqual(Array.from(predicted.subarray(s, s + 3)));
    const correctOfFew = Array.from(predicted.subarray(s, s + 7)).filter((q, i) => q === few.labels[i]).length;
    expect(correctOfFew).toBeLessThan(7);
    expect(accuracy(model, few)).toBe(correctOfFew / 7);
    expect(accuracy(model, few, 2)).toBe(Array.from(predicted.subarray(s, s + 2)).filter((q, i) => q === few.labels[i]).length / 2);
    const labels = ds.test.labels;
    const r = confusionReport(predicted, labels.subarray(0, n));
    let correct = 0;
    for (let t = 0; t < CLASSES; t++) {
      for (let p = 0; p < CLASSES; p++) {
        const count = Array.from(predicted).filter((q, i) => labels[i] === t && q === p).length;
        expect(r.confusion[t][p], `true ${t}, predicted ${p}`).toBe(count);
        if (t === p) correct += count;
      }
    }
    // The real mistakes are not symmetric, so a transposed matrix cannot pass.
    const asymmetric = r.confusion.flatMap((row, t) => row.map((c, p) => c !== r.confusion[p][t])).filter(Boolean).length;
    expect(asymmetric).toBeGreaterThan(0);
    expect(r.accuracy).toBe(correct / n);
    expect(r.accuracy).toBeGreaterThan(0.95);
    for (const [pair, indices] of Object.entries(r.examples)) {
      const [t, p] = pair.split('-').map(Number);
      for (const i of indices) expect([labels[i], predicted[i]], pair).toEqual([t, p]);
    }
    model.dispose();
  });
});
