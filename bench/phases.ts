/**
 * `node --import tsx bench/phases.ts [--cell rnn|gru|lstm] [--hidden 128] [--batch 64] [--reps 200] [--build relaxed|plain]`
 *
 * Where one thread's training step goes, phase by phase, on real MNIST digits (one thread's half of
 * the tutorial's batch of 128 by default), and how fast each phase computes: GFLOP/s, and FLOP a
 * cycle at 3.7 GHz (the boost clock of AMD's Zen 4 EPYCs; a virtual machine does not report the
 * clock it runs at) against the 16 of 128-bit WebAssembly SIMD's two 4-wide fused multiply-adds
 * a cycle. Each phase is one of the module's own entries run alone on the kernel's
 * own buffers: the whole step (`trainStep`), the forward pass (`forwardAll`), the recurrent GEMMs
 * of both passes and the input projection (`gemm`, `gemmSparseA` at the step's shapes), and Adam
 * (`adamStep`); the gate math and the rest of the backward pass are what is left. Medians of
 * `--reps` runs of each phase, the phases interleaved. Timings of our side only: no ratio against
 * another process, so the protocol's disturbance rules are not needed, but run it on a quiet machine.
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/node/engine/data/dataset';
import { initialWeights } from '../src/node/engine/model/initWeights';
import { namedWeights } from '../src/node/engine/model/weights';
import { KernelRuntime, type KernelBuild, type KernelExports } from '../src/node/engine/kernels/runtime';
import { CELLS, GATES, type CellType } from '../src/shared/types';
import { stat } from './stats';

/** The module's GEMM entries, exported beside the layout-driven ones (common.ts). */
interface GemmExports extends KernelExports {
  gemm(M: number, N: number, K: number, A: number, rsA: number, csA: number, B: number, ldb: number, C: number, ldc: number): void;
  gemmSparseA(M: number, N: number, K: number, A: number, rsA: number, csA: number, B: number, ldb: number, C: number, ldc: number): void;
}

const { values } = parseArgs({
  options: {
    cell: { type: 'string' },
    hidden: { type: 'string', default: '128' },
    batch: { type: 'string', default: '64' },
    reps: { type: 'string', default: '200' },
    build: { type: 'string' },
  },
});
const cells = values.cell ? [values.cell as CellType] : [...CELLS];
for (const c of cells) if (!CELLS.includes(c)) throw new Error(`--cell must be one of ${CELLS.join(', ')}, got ${c}`);
const H = Number(values.hidden),
  B = Number(values.batch),
  reps = Number(values.reps);
for (const [flag, v] of Object.entries({ hidden: H, batch: B, reps }))
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${flag} must be a positive whole number, got ${String(values[flag as 'hidden'])}`);

const ds = loadDataset(undefined, { trainLimit: B, testLimit: 1 });
const runtime = new KernelRuntime({ threads: 1, ...(values.build ? { build: values.build as KernelBuild } : {}) });
const time = (f: () => void) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

console.log(`phases of one training step, one thread, ${runtime.build} build, batch ${B}, hidden ${H}
`);
console.log('| cell | phase | ms a step (median) | share of the step | GFLOP/s | FLOP a cycle at 3.7 GHz (128-bit FMA: 16) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const cell of cells) {
  const l = runtime.layout(cell, H, B);
  const x = runtime.instantiate(l) as GemmExports;
  const f32 = (at: number, n: number) => new Float32Array(x.memory.buffer, at, n);
  const { T, I, off } = l;
  const G = GATES[cell] * H;
  const w = namedWeights({ cell, hidden: H, read: l.read }, initialWeights(cell, H, 1, I));
  f32(off.W, I * G).set(w.W);
  f32(off.U, H * G).set(w.U);
  f32(off.Wd, H * 10).set(w.Wd);
  f32(off.X, B * T * I).set(ds.train.images.subarray(0, B * T * I));
  new Uint8Array(x.memory.buffer, off.labels, B).set(ds.train.labels.subarray(0, B));
  let nonZero = 0;
  for (const v of f32(off.X, B * T * I)) nonZero += v !== 0 ? 1 : 0;
  // The phases, each on the buffers the step uses, at the step's shapes.
  const phases: Record<string, () => void> = {
    step: () => x.trainStep(l.header, B),
    forward: () => x.forwardAll(l.header, B),
    'recurrent GEMM, forward': () => {
      for (let t = 1; t < T; t++) x.gemm(B, G, H, off.Hs, H, 1, off.U, G, off.Zs || off.Hs, G);
    },
    'recurrent GEMMs, backward (dU and dh)': () => {
      for (let t = 1; t < T; t++) {
        x.gemm(H, G, B, off.Hs, 1, H, off.dZ, G, off.dU, G);
        x.gemm(B, H, G, off.dZ, G, 1, off.UT, H, off.dH, H);
      }
    },
    'input projection and its gradient (blank pixels skipped)': () => {
      for (let t = 0; t < T; t++) {
        x.gemmSparseA(B, G, I, off.X + t * I * 4, T * I, 1, off.W, G, off.Zs || off.Hs, G);
        x.gemmSparseA(I, G, B, off.X + t * I * 4, 1, T * I, off.dZ, G, off.dW, G);
      }
    },
    adam: () => x.adamStep(l.header, 0.001, 0.9, 0.999, 1e-7, 0.1, 0.001),
  };
  const ms: Record<string, number[]> = Object.fromEntries(Object.keys(phases).map((k) => [k, []]));
  for (let r = 0; r < 10; r++) for (const f of Object.values(phases)) f(); // warm up
  for (let r = 0; r < reps; r++) for (const [k, f] of Object.entries(phases)) ms[k].push(time(f));
  const med = (k: string) => stat(ms[k]).median;
  const stepMs = med('step') + med('adam');
  const flops: Record<string, number> = {
    'recurrent GEMM, forward': 2 * B * H * G * (T - 1),
    'recurrent GEMMs, backward (dU and dh)': 4 * B * H * G * (T - 1),
    // Counted as the multiply-adds of the ink actually multiplied: blank pixels cost nothing.
    'input projection and its gradient (blank pixels skipped)': 4 * nonZero * G,
  };
  const rows: [string, number][] = [
    ['recurrent GEMM, forward', med('recurrent GEMM, forward')],
    [
      'gate math and the rest of the forward pass',
      med('forward') - med('recurrent GEMM, forward') - med('input projection and its gradient (blank pixels skipped)') / 2,
    ],
    ['recurrent GEMMs, backward (dU and dh)', med('recurrent GEMMs, backward (dU and dh)')],
    ['input projection and its gradient (blank pixels skipped)', med('input projection and its gradient (blank pixels skipped)')],
    [
      'gate derivatives, head, transposes and the rest of the backward pass',
      med('step') - med('forward') - med('recurrent GEMMs, backward (dU and dh)') - med('input projection and its gradient (blank pixels skipped)') / 2,
    ],
    ['adam', med('adam')],
  ];
  for (const [name, m] of rows) {
    const gf = flops[name] ? flops[name] / (m * 1e6) : null;
    console.log(
      `| ${cell} | ${name} | ${m.toFixed(3)} | ${((100 * m) / stepMs).toFixed(0)}% | ${gf === null ? '' : gf.toFixed(1)} | ${gf === null ? '' : (gf / 3.7).toFixed(1)} |`,
    );
  }
  console.log(`| ${cell} | **the whole step with Adam** | **${stepMs.toFixed(3)}** | 100% | | |`);
}
