/**
 * The visualisation worker thread: fits hidden-state maps and computes row
 * importance off the main event loop. One request at a time, answered by id.
 */
import { parentPort } from 'node:worker_threads';
import type { RowImportance } from '../../../shared/contract';
import type { HiddenMap } from '../../../shared/projection';
import { loadSplit, type DataSplit } from '../dataset';
import { Tracer } from '../trace';
import { fitHiddenMap } from './hiddenMap';
import { rowImportance } from './occlusion';
import { BatchForward } from './batchForward';
import { SIDE } from '../../../shared/types';
import type { VizReply, VizRequest } from './vizWorker';

let test: { dir: string; split: DataSplit } | null = null;

/** The last model asked for row importance, by key, so a stroke does not rebuild its kernel. */
let occluder: { key: string; forward: BatchForward } | null = null;

function handle(req: VizRequest): HiddenMap | RowImportance {
  if (req.kind === 'importance') {
    if (occluder?.key !== req.key) occluder = { key: req.key, forward: new BatchForward(new Tracer(req.model), SIDE + 1) };
    return rowImportance(occluder.forward, req.pixels);
  }
  const tracer = new Tracer(req.model);
  if (!test || test.dir !== req.dataDir) test = { dir: req.dataDir, split: loadSplit(req.dataDir, 't10k', req.probe) };
  const n = Math.min(req.probe, test.split.n);
  return fitHiddenMap(tracer, test.split.images, test.split.labels, n, req.modelId, req.key);
}

parentPort!.on('message', (req: VizRequest) => {
  try {
    parentPort!.postMessage({ id: req.id, ok: true, value: handle(req) } satisfies VizReply);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
