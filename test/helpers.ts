import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { initBackend } from '../src/node/engine/backend';
import { loadDataset, type Dataset } from '../src/node/engine/data/dataset';
import type { BackendName } from '../src/shared/types';
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
