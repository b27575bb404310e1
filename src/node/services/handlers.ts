/** The handler table: each channel of the contract mapped to one service method. No logic lives here. */
import type { AppStatus, Requests, Responses } from '../../shared/contract';
import type { ActiveModelService } from './activeModel';
import type { DatasetService } from './evaluation';
import type { ModelFilesService } from './modelFiles';
import type { SampleStore } from './samples';
import type { TrainingService } from './training';
import type { VizService } from './viz';

/** The services the table routes to. */
export interface Services {
  status(): AppStatus;
  active: ActiveModelService;
  training: TrainingService;
  files: ModelFilesService;
  dataset: DatasetService;
  samples: SampleStore;
  viz: VizService;
}

/** What a transport knows about a request besides its payload. */
export interface RequestContext {
  /** Aborted when the client that asked is gone: work still queued for it is dropped. */
  signal?: AbortSignal;
}

/** One handler per channel; requests arrive already validated. */
export type Handlers = { [C in keyof Requests]: (req: Requests[C], ctx: RequestContext) => Promise<Responses[C]> | Responses[C] };

export function createHandlers(s: Services): Handlers {
  return {
    'app:status': () => s.status(),
    'model:predict': ({ pixels }, { signal }) => s.active.predict(pixels, signal),
    'model:trace': ({ pixels }, { signal }) => s.active.trace(pixels, signal),
    'train:start': (req) => s.training.start(req),
    'train:cancel': () => s.training.cancel(),
    'train:stop': () => s.training.stop(),
    'models:list': () => s.files.list(),
    'models:activate': ({ id }) => s.active.activate(id),
    'models:delete': ({ id }) => s.files.delete(id),
    'models:export': ({ id }) => s.files.export(id),
    'models:import': () => s.files.import(),
    'models:upload': ({ files }) => s.files.upload(files),
    'dataset:info': () => s.dataset.info(),
    'dataset:digits': ({ indices }) => s.dataset.digits(indices),
    'eval:run': (_req, { signal }) => s.dataset.evaluate(signal),
    'eval:cancel': () => s.dataset.cancel(),
    'samples:add': ({ pixels, label }) => s.samples.add(pixels, label),
    'samples:list': ({ offset, limit }) => s.samples.page(offset, limit),
    'samples:delete': ({ id }) => s.samples.delete(id),
    'viz:map': ({ id }) => s.viz.map(id),
    'viz:importance': ({ pixels }, { signal }) => s.viz.importance(pixels, signal),
    'viz:trace': ({ id, pixels }, { signal }) => s.viz.trace(id, pixels, signal),
    'viz:terms': ({ pixels }, { signal }) => s.viz.terms(pixels, signal),
    'viz:experiment': ({ pixels, ...spec }, { signal }) => s.viz.experiment(pixels, spec, signal),
  };
}
