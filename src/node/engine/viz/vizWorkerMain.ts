/**
 * The visualisation worker thread: fits hidden-state maps, computes row importance,
 * traces large models (on the kernel's forward pass) and measures the gradient through time off the main event loop. One request at a time, answered
 * by id; it holds the model of the last key it was sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SIDE } from '../../../shared/types';
import { errorMessage } from '../../../shared/errors';
import { loadSplit, type DataSplit } from '../data/dataset';
import { Tracer } from '../inference/trace';
import { BatchForward } from '../inference/batchForward';
import { KernelTracer } from '../inference/kernelTrace';
import { runExperiment } from '../inference/experiments';
import { GradientProbe } from '../inference/gradient';
import { fitInkOn, fitVerdictOn, VERDICT_DIGITS } from '../inference/verdict';
import type { InkStats } from '../inference/inkStats';
import { KernelRuntime } from '../kernels/runtime';
import type { Weights } from '../model/weights';
import { fitHiddenMap } from './hiddenMap';
import { rowImportance } from './occlusion';
import type { VizAnswers, VizReply, VizRequest } from './vizWorker';

/** The thread's state: its kernel runtime, the test and training digits once read, the ink's statistics once fitted (the same for every model), and the model of the last key. */
interface Held {
  runtime: KernelRuntime;
  test: { dir: string; split: DataSplit } | null;
  train: { dir: string; split: DataSplit; ink: InkStats | null } | null;
  model: {
    key: string;
    weights: Weights;
    tracer: Tracer;
    fast: KernelTracer | null;
    forward: BatchForward | null;
    gradient: GradientProbe | null;
  } | null;
}

function handle(state: Held, req: VizRequest): VizAnswers[keyof VizAnswers] {
  if (req.model) state.model = { key: req.key, weights: req.model, tracer: new Tracer(req.model), fast: null, forward: null, gradient: null };
  const held = state.model;
  if (!held || held.key !== req.key) throw new Error(`the worker does not hold model ${req.key}`);
  const { job } = req;
  switch (job.kind) {
    case 'importance':
      held.forward ??= new BatchForward(state.runtime, held.weights, SIDE + 1);
      return rowImportance(held.forward, job.pixels);
    case 'trace':
      // A prediction: the kernel's forward pass, several times the reference's speed on a large model.
      held.fast ??= new KernelTracer(state.runtime, held.weights);
      return held.fast.trace(job.pixels);
    case 'terms':
      return held.tracer.terms(job.pixels);
    case 'experiment':
      return runExperiment(held.tracer, job.pixels, job.spec);
    case 'gradient':
      held.gradient ??= new GradientProbe(state.runtime, held.weights);
      return held.gradient.measure(job.pixels, job.label);
    case 'ink':
    case 'verdict': {
      const need = VERDICT_DIGITS.fit + VERDICT_DIGITS.held;
      if (!state.train || state.train.dir !== job.dataDir) state.train = { dir: job.dataDir, split: loadSplit(job.dataDir, 'train', need), ink: null };
      const { split } = state.train;
      // The ink's statistics: sent (read from the cache), kept from an earlier job, or fitted now.
      if (job.kind === 'verdict' && job.ink) state.train.ink = job.ink;
      state.train.ink ??= fitInkOn(split.images, split.labels);
      if (job.kind === 'ink') return state.train.ink;
      return fitVerdictOn(state.runtime, held.weights, split.images, split.labels, {}, state.train.ink);
    }
    case 'map': {
      if (!state.test || state.test.dir !== job.dataDir) state.test = { dir: job.dataDir, split: loadSplit(job.dataDir, 't10k', job.probe) };
      const { split } = state.test;
      const n = Math.min(job.probe, split.n);
      return fitHiddenMap(state.runtime, held.weights, split.images, split.labels, n, job.modelId, req.key);
    }
  }
}

function serve(port: NonNullable<typeof parentPort>, build: KernelRuntime['build'] | undefined): void {
  const state: Held = { runtime: new KernelRuntime({ build, threads: 1 }), test: null, train: null, model: null };
  port.on('message', (req: VizRequest) => {
    try {
      port.postMessage({ id: req.id, ok: true, value: handle(state, req) } satisfies VizReply);
    } catch (err) {
      port.postMessage({ id: req.id, ok: false, error: errorMessage(err) } satisfies VizReply);
    }
  });
}

if (parentPort) serve(parentPort, (workerData as { build?: KernelRuntime['build'] } | null)?.build);
