/**
 * `node --import tsx bench/ttaSweep.ts [--seeds 1,2,3] [--only NAME]`
 * The search behind the Quick preset: for each recipe (cell, size, batch, peak learning rate,
 * schedule, length), train on the fused kernels in this process and measure the test accuracy
 * on all 10,000 digits at the end of the schedule and the seconds spent training. Samples to
 * the target do not depend on the machine; seconds do, so the winner is confirmed end to end
 * by `npm run bench -- --tta`. Prints a markdown table.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/node/engine/backend';
import { loadTrainingData, pixelsOf, type TrainSplit } from '../src/node/engine/data/dataset';
import { KernelStepper } from '../src/node/engine/training/kernelStepper';
import { KernelRuntime } from '../src/node/engine/kernels/runtime';
import { settingsFromEnv } from '../src/node/engine/settings';
import { createModel } from '../src/node/engine/model/model';
import { mulberry32, permutation } from '../src/node/engine/data/random';
import { learningRateAt } from '../src/shared/training';
import { PIXELS, type CellType, type Schedule } from '../src/shared/types';

interface Recipe {
  cell: CellType;
  hidden: number;
  batch: number;
  lr: number;
  schedule: Schedule;
  /** Training digits seen in total. */
  samples: number;
}

const { values } = parseArgs({ options: { seeds: { type: 'string' }, only: { type: 'string' }, grid: { type: 'string' } }, strict: true });
const seeds = (values.seeds ?? '1').split(',').map(Number);

const name = (r: Recipe) => `${r.cell}-${r.hidden} b${r.batch} lr${r.lr} ${r.schedule} ${r.samples / 1000}k`;

function grid(which: string): Recipe[] {
  const out: Recipe[] = [];
  if (which === 'coarse') {
    for (const schedule of ['constant', 'onecycle'] as Schedule[])
      for (const lr of [0.003, 0.006, 0.01]) for (const batch of [64, 128]) out.push({ cell: 'gru', hidden: 128, batch, lr, schedule, samples: 45_000 });
    for (const cell of ['lstm', 'rnn'] as CellType[]) out.push({ cell, hidden: 128, batch: 128, lr: 0.006, schedule: 'onecycle', samples: 45_000 });
    out.push({ cell: 'gru', hidden: 96, batch: 64, lr: 0.006, schedule: 'onecycle', samples: 45_000 });
    out.push({ cell: 'gru', hidden: 64, batch: 64, lr: 0.01, schedule: 'onecycle', samples: 45_000 });
  } else if (which === 'length') {
    for (const samples of [20_000, 30_000, 40_000])
      for (const lr of [0.006, 0.01]) out.push({ cell: 'gru', hidden: 128, batch: 64, lr, schedule: 'onecycle', samples });
  } else {
    out.push(...(JSON.parse(which) as Recipe[]));
  }
  return out;
}

function fill(split: TrainSplit, order: Uint32Array, from: number, size: number, xs: Float32Array, ys: Int32Array): void {
  for (let k = 0; k < size; k++) {
    const i = order[from + k];
    xs.set(pixelsOf(split, i, 1), k * PIXELS);
    ys[k] = split.labels[i];
  }
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const ds = loadTrainingData();
  const recipes = grid(values.grid ?? 'coarse').filter((r) => !values.only || name(r).includes(values.only));
  console.log('| recipe | seed | test acc | train s | eval s | samples/s |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const settings = settingsFromEnv();
  const runtime = new KernelRuntime(settings, settings.cores);
  for (const r of recipes) {
    for (const seed of seeds) {
      const model = createModel({ cell: r.cell, hidden: r.hidden, seed });
      const trainer = new KernelStepper(runtime, model, { batchSize: r.batch, learningRate: r.lr });
      const rand = mulberry32(seed);
      const xs = new Float32Array(r.batch * PIXELS);
      const ys = new Int32Array(r.batch);
      const steps = Math.ceil(r.samples / r.batch);
      let order = permutation(ds.train.n, rand);
      let at = 0;
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) {
        if (at + r.batch > order.length) {
          order = permutation(ds.train.n, rand);
          at = 0;
        }
        trainer.setLearningRate(learningRateAt(r.schedule, r.lr, s, steps));
        fill(ds.train, order, at, r.batch, xs, ys);
        trainer.step(xs, ys, r.batch);
        at += r.batch;
      }
      const trainSec = (performance.now() - t0) / 1000;
      const e0 = performance.now();
      const acc = trainer.evaluate(ds.test);
      const evalSec = (performance.now() - e0) / 1000;
      trainer.discard();
      model.dispose();
      console.log(
        `| ${name(r)} | ${seed} | ${acc.toFixed(4)} | ${trainSec.toFixed(1)} | ${evalSec.toFixed(2)} | ${Math.round((steps * r.batch) / trainSec)} |`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
