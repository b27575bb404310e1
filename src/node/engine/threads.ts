/**
 * Worker threads of the engine, each a module of its own: in a build, `<name>.js`
 * beside the bundle (this code may sit in a chunk one folder down) and outside any
 * asar archive; from source, the TypeScript module through tsx.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type Transferable } from 'node:worker_threads';

const here = dirname(fileURLToPath(import.meta.url));

/** Each worker's built name and its source, relative to src/node/engine. */
export const WORKERS = {
  'kernel-worker': 'kernels/workerMain.ts',
  'eval-worker': 'inference/evalWorker.ts',
  'viz-worker': 'viz/vizWorkerMain.ts',
} as const;
export type WorkerName = keyof typeof WORKERS;

/** Where a worker starts: the built file, or the boot script and the source it runs. */
export function workerEntry(name: WorkerName, dir = here): { file: string; argv: string[] } {
  for (const d of [dir, join(dir, '..')]) {
    const built = join(d, `${name}.js`);
    if (existsSync(built)) return { file: built.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'), argv: [] };
  }
  return { file: join(dir, 'workerBoot.mjs'), argv: [join(dir, WORKERS[name])] };
}

export function startWorker(name: WorkerName, workerData: unknown, transferList: readonly Transferable[] = []): Worker {
  const { file, argv } = workerEntry(name);
  return new Worker(file, { argv, workerData, transferList: [...transferList] });
}
