import { join } from 'node:path';
import { createModel } from '../../src/node/engine/model/model';
import { ModelStore } from '../../src/node/engine/model/store';
import { AppServices } from '../../src/node/services/index';
import { forkTrainer } from '../../src/node/trainer/forkTrainer';
import type { SpawnTrainer } from '../../src/node/trainer/manager';
import type { Events } from '../../src/shared/contract';
import type { PickFolder } from '../../src/node/services/modelFiles';
import { mnistSlice, tempDir } from '../helpers';

export type Emitted = { [E in keyof Events]: { event: E; payload: Events[E]; at: number } }[keyof Events];

/** Services over a temp user folder holding one small saved model (v0001). */
export async function makeServices(opts: { spawn?: SpawnTrainer; hidden?: number; pickFolder?: PickFolder } = {}) {
  await mnistSlice(1, 1);
  const userData = tempDir('rnn-lens-services-');
  const store = new ModelStore(join(userData, 'models'));
  const hidden = opts.hidden ?? 16;
  await store.save(createModel({ cell: 'rnn', hidden }), {
    cell: 'rnn',
    hidden,
    epochs: 0,
    learningRate: 0.001,
    batchSize: 128,
    dataset: 'mnist',
    backend: 'wasm',
    testAccuracy: null,
    command: 'fixture',
    parent: null,
    history: [],
  });
  const events: Emitted[] = [];
  const services = new AppServices({
    userData,
    builtinModelDir: join(userData, 'no-builtin'),
    spawnTrainer: opts.spawn ?? (() => forkTrainer()),
    emit: (event, payload) => events.push({ event, payload, at: Date.now() } as Emitted),
    appVersion: '0.0.0-test',
    runtime: 'test',
    pickFolder: opts.pickFolder,
  });
  await services.init();
  return { services, events, userData };
}

/** Resolve when `pred` holds for an emitted event. */
export function waitFor<E extends keyof Events>(
  events: Emitted[],
  event: E,
  pred: (p: Events[E]) => boolean = () => true,
  timeoutMs = 60_000,
): Promise<Events[E]> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const hit = events.find((e) => e.event === event && pred(e.payload as Events[E]));
      if (hit) return resolve(hit.payload as Events[E]);
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`timed out waiting for ${event}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}
