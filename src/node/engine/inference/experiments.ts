/**
 * Memory experiments on one drawing: the trace again with one thing about the recurrence
 * changed, so a learner sees what the state carries from step to step.
 *   forget    the state is reset to h₀ before one step: what came before is forgotten
 *   nomemory  the state is reset before every step: each step sees its own row only (for a
 *             SimpleRNN the same as zero recurrent weights; a gated cell also carries memory
 *             through its update gate or cell, which this removes too)
 *   shuffled  the rows are read in a (seeded) random order
 *   reversed  the rows are read bottom-up
 */
import type { ExperimentResult, ExperimentSpec } from '../../../shared/contract';
import { PIXELS, SIDE, STEPS } from '../../../shared/types';
import { mulberry32, permutation } from '../data/random';
import type { Tracer } from './trace';

/** The row read at each step: order[t] is the image row step t reads. */
export function rowOrder(spec: ExperimentSpec): number[] {
  const identity = Array.from({ length: STEPS }, (_, t) => t);
  if (spec.kind === 'reversed') return identity.reverse();
  if (spec.kind !== 'shuffled') return identity;
  const rand = mulberry32(spec.seed ?? 1);
  // A shuffle that happens to keep every row in place teaches nothing: draw again.
  for (;;) {
    const order = Array.from(permutation(STEPS, rand));
    if (order.some((r, t) => r !== t)) return order;
  }
}

/** The image with its rows in `order`: row t of the result is row order[t] of `pixels`. */
export function permuteRows(pixels: ArrayLike<number>, order: readonly number[]): Float32Array {
  if (pixels.length !== PIXELS) throw new Error(`an experiment needs ${PIXELS} pixels, got ${pixels.length}`);
  const out = new Float32Array(PIXELS);
  for (let t = 0; t < SIDE; t++) for (let i = 0; i < SIDE; i++) out[t * SIDE + i] = pixels[order[t] * SIDE + i];
  return out;
}

/** Run one experiment on a drawing. */
export function runExperiment(tracer: Tracer, pixels: ArrayLike<number>, spec: ExperimentSpec): ExperimentResult {
  const order = rowOrder(spec);
  const input = spec.kind === 'shuffled' || spec.kind === 'reversed' ? permuteRows(pixels, order) : pixels;
  const resetAt = spec.kind === 'forget' ? (spec.step ?? Math.floor(STEPS / 2)) : null;
  const trace = tracer.trace(input, undefined, { resetAt: resetAt ?? undefined, noMemory: spec.kind === 'nomemory' });
  return { kind: spec.kind, trace, order, resetAt };
}
