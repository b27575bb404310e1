/**
 * `node --import tsx bench/readsTta.ts [--grid NAME | --grid '[{…recipe}]'] [--seeds 1,2] [--target 0.95] [--budget 90]`
 * Accuracy and time at a reading order: for each recipe (read, cell, size, batch, peak rate,
 * schedule, epochs × digits), train through runJob on the fused kernels, as the trainer does, with
 * a test evaluation on all 10,000 digits after every epoch, and report the first epoch at or above
 * the target with the trainer's elapsed seconds at that point (evaluations included), the accuracy
 * at the end, and ‖∂L/∂hₜ‖ of the final model on test digit 0 (the "Why gates?" digit): how many
 * orders of magnitude it falls from the last step to the first. Prints a markdown table; the
 * machine's load is the reader's to state.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/node/engine/backend';
import { imageAt, loadDataset, loadTrainingData } from '../src/node/engine/data/dataset';
import { GradientProbe } from '../src/node/engine/inference/gradient';
import { KernelRuntime } from '../src/node/engine/kernels/runtime';
import { weightsOf } from '../src/node/engine/model/weights';
import { settingsFromEnv } from '../src/node/engine/settings';
import { runJob } from '../src/node/engine/training/job';
import { gradientFade } from '../src/shared/gradient';
import { parseRead, type Read } from '../src/shared/reads';
import type { CellType, Schedule } from '../src/shared/types';
import { WHY_GATES, WHY_GATES_BUDGETS, whyGatesRequest } from '../src/shared/whyGates';

interface Recipe {
  read: Read;
  cell: CellType;
  hidden: number;
  batch: number;
  lr: number;
  schedule: Schedule;
  epochs: number;
  /** Training digits per epoch. */
  limit: number;
}

const { values } = parseArgs({
  options: { grid: { type: 'string' }, seeds: { type: 'string' }, target: { type: 'string' }, budget: { type: 'string' } },
  strict: true,
});
const seeds = (values.seeds ?? '1').split(',').map(Number);
const target = Number(values.target ?? 0.95);
const budget = Number(values.budget ?? 90);

const name = (r: Recipe) => `${r.cell}-${r.hidden} ${r.read} b${r.batch} lr${r.lr} ${r.schedule} ${r.epochs}×${r.limit / 1000}k`;

function grid(which: string): Recipe[] {
  if (which === 'whygates')
    return WHY_GATES_BUDGETS.flatMap((b) =>
      (['rnn', 'gru'] as const).map((cell) => {
        const q = whyGatesRequest(cell, b);
        return {
          read: q.read!,
          cell,
          hidden: q.hidden,
          batch: q.batchSize,
          lr: q.learningRate,
          schedule: q.schedule ?? 'constant',
          epochs: q.epochs,
          limit: q.limit,
        };
      }),
    );
  if (which.startsWith('[')) return (JSON.parse(which) as Recipe[]).map((r) => ({ ...r, read: parseRead(r.read) }));
  throw new Error(`--grid ${JSON.stringify(which)}: expected whygates or a JSON list of recipes`);
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const ds = loadTrainingData();
  const digit = loadDataset(undefined, { trainLimit: 1, testLimit: WHY_GATES.digit + 1 }).test;
  const settings = settingsFromEnv();
  const runtime = new KernelRuntime(settings, settings.cores);
  console.log(
    `| recipe | seed | epochs: test acc at s | first ≥ ${target} | within ${budget} s | final acc | train s | ‖∂L/∂h‖ decades, digit ${WHY_GATES.digit} |`,
  );
  console.log('| --- | ---: | --- | ---: | --- | ---: | ---: | ---: |');
  for (const r of grid(values.grid ?? 'whygates')) {
    for (const seed of seeds) {
      const config = {
        cell: r.cell,
        hidden: r.hidden,
        epochs: r.epochs,
        learningRate: r.lr,
        batchSize: r.batch,
        limit: r.limit,
        seed,
        schedule: r.schedule,
        read: r.read,
      };
      const { model, summary } = await runJob({ config }, ds, { runtime, kernels: 'on' });
      const hit = summary.epochs.find((e) => e.testAccuracy >= target);
      const probe = new GradientProbe(runtime, weightsOf(model));
      const g = probe.measure(imageAt(digit, WHY_GATES.digit), digit.labels[WHY_GATES.digit]);
      model.dispose();
      const curve = summary.epochs.map((e) => `${e.testAccuracy.toFixed(3)}@${e.elapsedSec.toFixed(0)}`).join(' ');
      console.log(
        `| ${name(r)} | ${seed} | ${curve} | ${hit ? `${hit.elapsedSec.toFixed(1)} s` : 'not reached'} | ${hit && hit.elapsedSec <= budget ? 'yes' : 'no'} | ${summary.testAccuracy.toFixed(4)} | ${summary.elapsedSec.toFixed(1)} | ${gradientFade(g.norms).decades.toFixed(1)} |`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
