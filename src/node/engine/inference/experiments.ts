/**
 * Memory experiments on one drawing: the trace again with one thing about the recurrence
 * changed, so a learner sees what the state carries from step to step. A step is whatever the
 * model's read takes at once (an image row for the tutorial's read, a few pixels for the long
 * reads: see shared/reads.ts).
 *   forget    the state is reset to h₀ before one step: what came before is forgotten
 *   nomemory  the state is reset before every step: each step sees its own input only (for a
 *             SimpleRNN the same as zero recurrent weights; a gated cell also carries memory
 *             through its update gate or cell, which this removes too)
 *   shuffled  the steps are read in a (seeded) random order
 *   reversed  the steps are read last to first (for the tutorial's read: the rows bottom-up)
 */
import type { ExperimentResult, ExperimentSpec } from '../../../shared/contract';
import { mulberry32, permutation } from '../data/random';
import type { Tracer } from './trace';

/** The step of the read taken at each step: order[t] is the step (for rows: the image row) step t reads. */
export function stepOrder(spec: ExperimentSpec, steps: number): number[] {
  const identity = Array.from({ length: steps }, (_, t) => t);
  if (spec.kind === 'reversed') return identity.reverse();
  if (spec.kind !== 'shuffled') return identity;
  const rand = mulberry32(spec.seed ?? 1);
  // A shuffle that happens to keep every step in place teaches nothing: draw again.
  for (;;) {
    const order = Array.from(permutation(steps, rand));
    if (order.some((r, t) => r !== t)) return order;
  }
}

/** Run one experiment on a drawing. */
export function runExperiment(tracer: Tracer, pixels: ArrayLike<number>, spec: ExperimentSpec): ExperimentResult {
  const T = tracer.steps;
  if (spec.step !== undefined && (spec.step < 0 || spec.step >= T))
    throw new Error(`step ${spec.step} is outside this model's read: it takes steps 0 to ${T - 1}`);
  const order = stepOrder(spec, T);
  const permuted = spec.kind === 'shuffled' || spec.kind === 'reversed';
  const resetAt = spec.kind === 'forget' ? (spec.step ?? Math.floor(T / 2)) : null;
  const trace = tracer.trace(pixels, undefined, { resetAt: resetAt ?? undefined, noMemory: spec.kind === 'nomemory', order: permuted ? order : undefined });
  return { kind: spec.kind, trace, order, resetAt };
}
