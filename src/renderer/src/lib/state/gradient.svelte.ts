/** The gradient through time of the current drawing under the active model: asked for once per trace (and per choice of loss), the newest reply wins. */
import type { GradientThroughTime } from '$shared/contract';
import type { TraceResult } from '$shared/types';
import { api } from '../api';
import { describeError } from '../i18n/index.svelte';
import { Latest } from '../latest';

export class GradientState {
  value = $state.raw<GradientThroughTime | null>(null);
  error = $state<string | null>(null);
  /** The loss the gradient is of: null for the predicted digit, else this digit (a label the person names). */
  label = $state<number | null>(null);
  #key: { trace: TraceResult; label: number | null } | null = null;
  readonly #asks = new Latest<{ input: Float32Array; label: number | null }, GradientThroughTime>({
    send: ({ input, label }) => api.call('viz:gradient', { pixels: Array.from(input), ...(label === null ? {} : { label }) }),
    show: (g) => {
      this.value = g;
      this.error = null;
    },
    fail: (err) => {
      this.value = null;
      this.error = describeError(err);
    },
  });

  /** Ask for the gradient of the input behind a new trace, or for another loss (null clears it). */
  update(trace: TraceResult | null, input: Float32Array | null): void {
    if (this.#key && this.#key.trace === trace && this.#key.label === this.label) return;
    this.#key = trace ? { trace, label: this.label } : null;
    if (!trace || !input) {
      this.#asks.cancel();
      this.value = null;
    } else this.#asks.push({ input, label: this.label });
  }
}

export const gradient = new GradientState();
