/**
 * The input projection and its gradient skip the zeros of the input (blank pixels):
 * gemmSparseA must give exactly what the register-tiled gemm gives, on real digits
 * (mostly blank), on dense inputs (where it hands over to gemm), across its chunks of
 * 256 non-zeros, on column counts that are not a multiple of 32, and with A read
 * transposed as the weight gradient reads it.
 */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/node/engine/data/dataset';
import { KernelRuntime, type KernelBuild } from '../../../src/node/engine/kernels/runtime';

type Gemm = (M: number, N: number, K: number, A: number, rsA: number, csA: number, B: number, ldb: number, C: number, ldc: number) => void;
interface GemmExports {
  memory: WebAssembly.Memory;
  gemm: Gemm;
  gemmSparseA: Gemm;
}

const ds = loadDataset(undefined, { trainLimit: 600, testLimit: 1 });

function instance(build: KernelBuild): GemmExports {
  const x = new WebAssembly.Instance(new KernelRuntime({ build }).module, { env: { abort: () => {} } }).exports as unknown as GemmExports;
  x.memory.grow(200);
  return x;
}

/** C0 + A·B by both kernels; A is M×K read as A[m*rsA + k*csA] from `a`. */
function both(x: GemmExports, a: Float32Array, M: number, N: number, K: number, rsA: number, csA: number) {
  const f = new Float32Array(x.memory.buffer);
  const A = 65536,
    B = A + a.length * 4,
    C = B + K * N * 4;
  f.set(a, A / 4);
  for (let i = 0; i < K * N; i++) f[B / 4 + i] = Math.sin(i * 0.37) * 0.5;
  const c0 = Float32Array.from({ length: M * N }, (_, i) => Math.cos(i * 0.11));
  const run = (fn: Gemm) => {
    f.set(c0, C / 4);
    fn(M, N, K, A, rsA, csA, B, N, C, N);
    return f.slice(C / 4, C / 4 + M * N);
  };
  return { dense: run(x.gemm), sparse: run(x.gemmSparseA) };
}

const mismatches = (p: Float32Array, q: Float32Array) => p.reduce((n, v, i) => n + (v === q[i] ? 0 : 1), 0);

describe.each(['plain', 'relaxed'] as const)('gemmSparseA (%s build)', (variant) => {
  const x = instance(variant);
  const pixels = ds.train.images; // rows of 28 pixels, about four in five exactly 0

  it('equals gemm on real digits read row by row (the input projection), 512 and 40 columns', () => {
    const zeros = pixels.subarray(0, 64 * 784).reduce((n, v) => n + (v === 0 ? 1 : 0), 0) / (64 * 784);
    expect(zeros).toBeGreaterThan(0.7);
    for (const N of [512, 40]) {
      const { dense, sparse } = both(x, pixels.subarray(0, 64 * 784), 64 * 28, N, 28, 28, 1);
      expect(mismatches(dense, sparse), `N=${N}`).toBe(0);
      expect(
        mismatches(
          dense,
          Float32Array.from(dense, () => 0),
        ),
      ).toBeGreaterThan(0);
    }
  });

  it('equals gemm on digits read transposed (the weight gradient), over more than 256 non-zeros per row', () => {
    // A(m=i, k=b) = X[b*28 + i]: 28 rows of K=600 digit rows; the middle columns have hundreds of non-zeros.
    const a = pixels.subarray(0, 600 * 28 * 28).filter((_, j) => Math.floor(j / 28) % 28 === 14);
    const { dense, sparse } = both(x, a, 28, 96, 600, 1, 28);
    expect(a.reduce((n, v, j) => n + (j % 28 === 14 && v !== 0 ? 1 : 0), 0)).toBeGreaterThan(256);
    expect(mismatches(dense, sparse)).toBe(0);
  });

  it('equals gemm on dense inputs and on an all-blank input', () => {
    const dense = Float32Array.from({ length: 37 * 28 }, (_, i) => 0.1 + Math.abs(Math.sin(i)));
    const r = both(x, dense, 37, 64, 28, 28, 1);
    expect(mismatches(r.dense, r.sparse)).toBe(0);
    const blank = both(x, new Float32Array(37 * 28), 37, 64, 28, 28, 1);
    expect(mismatches(blank.dense, blank.sparse)).toBe(0);
  });
});
