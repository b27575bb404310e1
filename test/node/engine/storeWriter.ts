/**
 * A process that saves model versions into a store as fast as it can, for the crash
 * test (storeCrash.test.ts), which SIGKILLs it at random moments. Forked with
 * `ROOT MODELS`: MODELS is a folder of serialized models (N.json, N.bin, N.cell) that
 * are saved in turn, so neighbouring versions never share bytes. It reports 'ready'
 * once the store is open, then each version id as its save returns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../../src/node/engine/backend';
import { ModelStore } from '../../../src/node/engine/model/store';
import type { CellType } from '../../../src/shared/types';

const [root, modelsDir] = process.argv.slice(2);
if (!root || !modelsDir || !process.send) throw new Error('usage: fork storeWriter ROOT MODELS (with an IPC channel)');
await initBackend('cpu');
const models = readdirSync(modelsDir)
  .filter((n) => n.endsWith('.json'))
  .sort()
  .map((n) => {
    const base = join(modelsDir, n.slice(0, -'.json'.length));
    const [cell, hidden] = readFileSync(`${base}.cell`, 'utf8').split('-');
    return { cell: cell as CellType, hidden: Number(hidden), modelJson: readFileSync(`${base}.json`), weights: readFileSync(`${base}.bin`) };
  });
const store = new ModelStore(root);
process.send({ ready: true });
for (let k = 0; ; k++) {
  const { cell, hidden, modelJson, weights } = models[k % models.length];
  const v = await store.saveBytes(modelJson, weights, {
    cell,
    hidden,
    epochs: 1,
    learningRate: 0.001,
    batchSize: 32,
    dataset: 'mnist',
    backend: 'cpu',
    testAccuracy: 0.5,
    command: `storeWriter ${k}`,
    parent: null,
    history: [],
  });
  process.send({ saved: v.id });
}
