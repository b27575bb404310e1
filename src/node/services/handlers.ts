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

/** One handler per channel; requests arrive already validated. */
export type Handlers = { [C in keyof Requests]: (req: Requests[C]) => Promise<Responses[C]> | Responses[C] };

export function createHandlers(s: Services): Handlers {
  return {
    'app:status': () => s.status(),
    'model:predict': ({ pixels }) => s.active.predict(pixels),
    'model:trace': ({ pixels }) => s.active.trace(pixels),
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
    'eval:run': () => s.dataset.evaluate(),
    'samples:add': ({ pixels, label }) => s.samples.add(pixels, label),
    'samples:list': () => s.samples.list(),
    'samples:delete': ({ id }) => s.samples.delete(id),
    'viz:map': ({ id }) => s.viz.map(id),
    'viz:importance': ({ pixels }) => s.viz.importance(pixels),
    'viz:trace': ({ id, pixels }) => s.viz.trace(id, pixels),
    'viz:terms': ({ pixels }) => s.viz.terms(pixels),
  };
}
