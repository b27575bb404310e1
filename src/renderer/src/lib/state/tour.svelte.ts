/**
 * The guided tour: which stop is open, what each stop sets up on the learner's own drawing
 * (a sample digit when the canvas is empty, the no-memory experiment, the shipped GRU for the
 * gates), and whether it was taken or turned down, remembered across launches.
 */
import { tick } from 'svelte';
import { TOUR_STOPS, type TourStop } from '../tour';
import { commands } from './commands';
import { drawing } from './drawing.svelte';
import { experiments } from './experiments.svelte';
import { models } from './models.svelte';
import { nav } from './nav.svelte';
import { playback } from './playback.svelte';
import { viz } from './viz.svelte';

const KEY = 'rnn-lens.tour';
/** The shipped GRU the gates stop reads with. */
const GATED_MODEL = 'builtin-gru';

function remembered(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export class TourState {
  /** The open stop's index, or null while the tour is closed. */
  index = $state<number | null>(null);
  /** The first-launch offer shows until the tour is taken or turned down. */
  offered = $state(remembered() === null);
  /** The model that was active before the gates stop switched to the GRU. */
  #switchedFrom: string | null = null;

  get stop(): TourStop | null {
    return this.index === null ? null : TOUR_STOPS[this.index];
  }

  get count(): number {
    return TOUR_STOPS.length;
  }

  start(): Promise<void> {
    this.offered = false;
    return this.go(0);
  }

  next(): Promise<void> {
    if (this.index === null) return Promise.resolve();
    if (this.index === TOUR_STOPS.length - 1) return this.close('done');
    return this.go(this.index + 1);
  }

  back(): Promise<void> {
    if (!this.index) return Promise.resolve();
    return this.go(this.index - 1);
  }

  /** Close the tour (finished or skipped) and remember that it was seen. */
  async close(how: 'done' | 'skipped'): Promise<void> {
    const left = this.stop;
    this.index = null;
    this.#remember(how);
    await this.#leave(left);
  }

  /** Turn the first-launch offer down; Help still opens the tour. */
  decline(): void {
    this.offered = false;
    this.#remember('declined');
  }

  async go(i: number): Promise<void> {
    const left = this.stop;
    const stop = TOUR_STOPS[i];
    this.index = i;
    nav.tab = stop.tab;
    await this.#leave(left);
    await tick();
    await this.#enter(stop);
  }

  /** Set the stage for a stop: every stop on the draw page reads the learner's drawing (or a sample). */
  async #enter(stop: TourStop): Promise<void> {
    if (stop.tab === 'draw' && !drawing.input && !drawing.strokes.length) commands.run('sample');
    if (stop.id === 'rows') playback.restart();
    if (stop.id === 'experiment') await this.#whenTraced(() => experiments.run('nomemory', drawing.input));
    if (stop.id === 'gates') {
      viz.layer = 'z';
      const current = models.active?.id ?? null;
      if (current && models.active?.cell !== 'gru' && models.versions.some((v) => v.id === GATED_MODEL)) {
        this.#switchedFrom = current;
        await models.activate(GATED_MODEL, true);
      }
    }
  }

  /** Undo what the open stop changed that the learner did not ask for. */
  async #leave(stop: TourStop | null): Promise<void> {
    if (stop?.id !== 'gates') return;
    viz.layer = 'h';
    const back = this.#switchedFrom;
    this.#switchedFrom = null;
    if (back && models.active?.id === GATED_MODEL) await models.activate(back, true);
  }

  /** Run `fn` once the drawing has its input (a sample just drawn is traced on the next frames). */
  async #whenTraced(fn: () => void): Promise<void> {
    for (let i = 0; i < 40 && !drawing.input; i++) await new Promise((r) => setTimeout(r, 50));
    fn();
  }

  #remember(how: string): void {
    try {
      localStorage.setItem(KEY, how);
    } catch {
      // Private windows may refuse storage: the tour is then offered again next time.
    }
  }
}

export const tour = new TourState();
