/**
 * The visualisation worker thread: fits hidden-state maps, computes row importance
 * and traces large models off the main event loop. One request at a time, answered
 * by id; it holds the model of the last key it was sent.
 */
import { parentPort } from 'node:worker_threads';
import { SIDE } from '../../../shared/types';
import { errorMessage } from '../../../shared/errors';
import { loadSplit, type DataSplit } from '../data/dataset';
import { Tracer } from '../inference/trace';
import { BatchForward } from '../inference/batchForward';
import { fitHiddenMap } from './hiddenMap';
import { rowImportance } from './occlusion';
import type { VizAnswers, VizReply, VizRequest } from './vizWorker';

let test: { dir: string; split: DataSplit } | null = null;

/** The model of the last key, with its batched forward pass made on first need. */
let held: { key: string; tracer: Tracer; forward: BatchForward | null } | null = null;

function handle(req: VizRequest): VizAnswers[keyof VizAnswers] {
  if (req.model) held = { key: req.key, tracer: new Tracer(req.model), forward: null };
  if (!held || held.key !== req.key) throw new Error(`the worker does not hold model ${req.key}`);
  const { job } = req;
  switch (job.kind) {
    case 'importance':
      held.forward ??= new BatchForward(held.tracer, SIDE + 1);
      return rowImportance(held.forward, job.pixels);
    case 'trace':
      return held.tracer.trace(job.pixels);
    case 'terms':
      return held.tracer.terms(job.pixels);
    case 'map': {
      if (!test || test.dir !== job.dataDir) test = { dir: job.dataDir, split: loadSplit(job.dataDir, 't10k', job.probe) };
      const n = Math.min(job.probe, test.split.n);
      return fitHiddenMap(held.tracer, test.split.images, test.split.labels, n, job.modelId, req.key);
    }
  }
}

parentPort!.on('message', (req: VizRequest) => {
  try {
    parentPort!.postMessage({ id: req.id, ok: true, value: handle(req) } satisfies VizReply);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, ok: false, error: errorMessage(err) } satisfies VizReply);
  }
});
