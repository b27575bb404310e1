import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { initBackend } from '../src/node/engine/backend';
import { loadDataset, type Dataset } from '../src/node/engine/dataset';

/** A fresh temp folder removed after the file's tests. */
export function tempDir(prefix = 'rnn-lens-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Real MNIST, first `train` training and `test` test samples, with the backend ready. */
export async function mnistSlice(train: number, test: number): Promise<Dataset> {
  await initBackend();
  return loadDataset(undefined, { trainLimit: train, testLimit: test });
}
