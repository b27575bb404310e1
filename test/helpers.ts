import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { initBackend } from '../src/node/engine/backend';
import { loadDataset, type Dataset } from '../src/node/engine/data/dataset';
import { CLASSES, GATES, type BackendName, type CellType, type Read, type TraceResult } from '../src/shared/types';
import { readShape } from '../src/shared/reads';
import { mulberry32 } from '../src/node/engine/data/random';
import { Tracer } from '../src/node/engine/inference/trace';
import { KernelRuntime, type KernelRuntimeOptions } from '../src/node/engine/kernels/runtime';

/** A fresh temp folder removed after the file's tests. */
export function tempDir(prefix = 'rnn-lens-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Real MNIST, first `train` training and `test` test samples, with the backend ready.
 * `backend` pins the tfjs backend instead of taking the fastest one installed; it must
 * be the first backend this test file asks for (a process keeps the backend it started).
 */
export async function mnistSlice(train: number, test: number, backend?: BackendName): Promise<Dataset> {
  if (backend) await pinBackend(backend);
  else await initBackend();
  return loadDataset(undefined, { trainLimit: train, testLimit: test });
}

/**
 * Run this file's tests on one named backend, whatever else is installed. Tests of the
 * fused kernels pin 'wasm': where tfjs-node loads, the engine would pick it and switch
 * the kernels off, and a kernel-versus-tfjs comparison would silently compare tfjs with tfjs.
 */
export async function pinBackend(name: BackendName): Promise<void> {
  const report = await initBackend(name);
  if (report.name !== name) throw new Error(`this test needs the ${name} backend, but the process already runs on ${report.name}`);
}

/**
 * A kernel runtime for tests: the checked build (the kernels' invariants asserted) unless a
 * build is named, splitting batches over `threads` (default 1).
 */
export function testRuntime(opts: KernelRuntimeOptions = {}): KernelRuntime {
  const r = new KernelRuntime({ build: 'checked', threads: 1, ...opts });
  afterAll(() => r.close());
  return r;
}

/**
 * Two traces of one model and image agree: the same shape, read, prediction and gates named,
 * and every array within `tol` (the fused kernels run in float32 with their own tanh and σ).
 */
export function expectTraceNear(a: TraceResult, b: TraceResult, tol = 2e-4): void {
  const arrays = ['h', 'c', 'stepProbs', 'probs', 'readout'] as const;
  const rest = (t: TraceResult) => ({ ...t, h: 0, c: 0, gates: Object.keys(t.gates ?? {}).sort(), stepProbs: 0, probs: 0, readout: 0 });
  expect(rest(a)).toEqual(rest(b));
  const near = (x: Float32Array | undefined, y: Float32Array | undefined, what: string) => {
    expect(x?.length, what).toBe(y?.length);
    let worst = 0;
    for (let i = 0; i < (x?.length ?? 0); i++) worst = Math.max(worst, Math.abs(x![i] - y![i]));
    expect(worst, what).toBeLessThan(tol);
  };
  for (const k of arrays) near(a[k], b[k], k);
  for (const g of Object.keys(b.gates ?? {}) as (keyof NonNullable<TraceResult['gates']>)[]) near(a.gates![g], b.gates![g], `gate ${g}`);
}

/** A Tracer of the given cell, size and read with seeded random weights, uniform in ±scale. */
export function randomTracer(cell: CellType, hidden: number, opts: { read?: Read; seed?: number; scale?: number } = {}): Tracer {
  const { read = 'rows', seed = 1, scale = 0.3 } = opts;
  const rand = mulberry32(seed);
  const G = GATES[cell] * hidden;
  const r = (n: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  return new Tracer({ cell, hidden, read, W: r(readShape(read).inputs * G), U: r(hidden * G), b: r(G), Wd: r(hidden * CLASSES), bd: r(CLASSES) });
}
