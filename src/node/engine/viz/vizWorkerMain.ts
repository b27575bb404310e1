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
import type { VizReply, VizRequest } from './vizWorker';

let test: { dir: string; split: DataSplit } | null = null;

function handle(req: VizRequest): HiddenMap | RowImportance {
  const tracer = new Tracer(req.model);
  if (req.kind === 'importance') return rowImportance(tracer, req.pixels);
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
