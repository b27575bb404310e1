/** The memory experiments on the current drawing: which one ran last, on which input, and its trace. */
import type { ExperimentResult } from '$shared/contract';
import type { Experiment } from '$shared/types';
import { STEPS } from '$shared/types';
import { api } from '../api';
import { describeError } from '../i18n/index.svelte';
import { Latest } from '../latest';

export class ExperimentsState {
  /** The last result, with the input it was run on (a result for another input is not shown). */
  result = $state.raw<{ input: Float32Array; value: ExperimentResult } | null>(null);
  running = $state<Experiment | null>(null);
  error = $state<string | null>(null);
  /** Forget everything before this step (0-based). */
  forgetAt = $state(Math.floor(STEPS / 2));
  #seed = 1;
  readonly #runs = new Latest<{ input: Float32Array; kind: Experiment }, ExperimentResult>({
    send: ({ input, kind }) => api.call('viz:experiment', { pixels: Array.from(input), kind, step: this.forgetAt, seed: this.#seed }),
    show: (value, { input }) => {
      this.result = { input, value };
      this.running = null;
      this.error = null;
    },
    fail: (err) => {
      this.error = describeError(err);
      this.running = null;
    },
  });

  /** Run one experiment on `input`; a shuffle draws a new order each time it runs. */
  run(kind: Experiment, input: Float32Array | null): void {
    if (!input) return;
    if (kind === 'shuffled') this.#seed++;
    this.running = kind;
    this.#runs.push({ input, kind });
  }

  /** The result for this input, if the last experiment ran on it. */
  for(input: Float32Array | null): ExperimentResult | null {
    return input && this.result?.input === input ? this.result.value : null;
  }
}

export const experiments = new ExperimentsState();
