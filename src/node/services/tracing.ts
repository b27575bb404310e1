/**
 * Traces on the thread that answers requests only while they are cheap: a model whose
 * trace costs more than INLINE_TRACE_COST multiply-adds is traced on a worker thread
 * of its own (a queue bounded like the visualisation's), so a large model never holds
 * the event loop that serves every page.
 */
import type { CellTerms, ExperimentResult, ExperimentSpec } from '../../shared/contract';
import { runExperiment } from '../engine/inference/experiments';
import type { TraceResult } from '../../shared/types';
import { INLINE_TRACE_COST, traceCost, type Tracer } from '../engine/inference/trace';
import { VizWorker } from '../engine/viz/vizWorker';

export class Tracing {
  constructor(readonly worker = new VizWorker('trace')) {}

  /** True when this model is traced right here. */
  static inline(tracer: Tracer): boolean {
    return traceCost(tracer.cell, tracer.hidden) <= INLINE_TRACE_COST;
  }

  trace(tracer: Tracer, key: string, pixels: ArrayLike<number>, signal?: AbortSignal): TraceResult | Promise<TraceResult> {
    if (Tracing.inline(tracer)) return tracer.trace(pixels);
    return this.worker.run(tracer, key, { kind: 'trace', pixels: Float32Array.from(pixels) }, signal);
  }

  terms(tracer: Tracer, key: string, pixels: ArrayLike<number>, signal?: AbortSignal): CellTerms | Promise<CellTerms> {
    if (Tracing.inline(tracer)) return tracer.terms(pixels);
    return this.worker.run(tracer, key, { kind: 'terms', pixels: Float32Array.from(pixels) }, signal);
  }

  experiment(tracer: Tracer, key: string, pixels: ArrayLike<number>, spec: ExperimentSpec, signal?: AbortSignal): ExperimentResult | Promise<ExperimentResult> {
    if (Tracing.inline(tracer)) return runExperiment(tracer, pixels, spec);
    return this.worker.run(tracer, key, { kind: 'experiment', pixels: Float32Array.from(pixels), spec }, signal);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
