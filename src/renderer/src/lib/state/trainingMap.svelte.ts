/** The map through training: one frame per epoch of the current (or last) run, and which one is shown. */
import type { TrainingMapFrame } from '$shared/projection';
import { api } from '../api';

export class TrainingMapState {
  frames = $state.raw<TrainingMapFrame[]>([]);
  /** Index into frames; null follows the newest. */
  picked = $state<number | null>(null);

  constructor() {
    api.on('train:map', (f) => {
      // Epoch 1 starts a new run's sequence.
      this.frames = f.epoch === 1 ? [f] : [...this.frames, f];
      if (f.epoch === 1) this.picked = null;
    });
  }

  get shown(): TrainingMapFrame | null {
    const n = this.frames.length;
    if (!n) return null;
    return this.frames[this.picked === null ? n - 1 : Math.min(this.picked, n - 1)];
  }
}

export const trainingMap = new TrainingMapState();
