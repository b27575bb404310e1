/**
 * The "Why gates?" experiment as it runs: the two runs of shared/whyGates.ts started one after the
 * other through the ordinary train:start (so the trainer process, the progress panel and the
 * version history serve them as any run), each run's test accuracy after every epoch, and at the
 * end both versions' gradient through time on one test digit. What it holds is kept in the
 * tab's session storage, so a reload of the page picks the experiment up where it was (see resume).
 */
import type { Events, GradientThroughTime, TrainStartRequest } from '$shared/contract';
import type { CellType, EpochProgress, ModelVersion } from '$shared/types';
import { decode, encode } from '$shared/wire';
import { WHY_GATES, WHY_GATES_CELLS, whyGatesRequest, type WhyGatesBudget } from '$shared/whyGates';
import { api } from '../api';
import { describeError } from '../i18n/index.svelte';
import { training } from './training.svelte';

/** One of the experiment's two networks. */
export interface GatesRun {
  cell: CellType;
  request: TrainStartRequest;
  /** Each finished epoch, with its test accuracy. */
  epochs: EpochProgress[];
  /** The version it was saved as; null until it is. */
  versionId: string | null;
  /** Seconds from its train:start to its train:done. */
  seconds: number | null;
  gradient: GradientThroughTime | null;
  /** When its train:start was sent (ms since the epoch): its version is the first saved after. */
  startedAt?: number;
}

/** Where the experiment stands. */
export type GatesPhase = 'idle' | 'training' | 'gradients' | 'done' | 'stopped' | 'failed';

/** The test digit the gradients are of. */
export interface GatesDigit {
  index: number;
  label: number;
  pixels: number[];
}

/** Where the experiment is kept between reloads of the page. */
const STORE_KEY = 'rnn-lens.why-gates';

export class WhyGatesState {
  budget = $state<WhyGatesBudget>('full');
  phase = $state<GatesPhase>('idle');
  runs = $state.raw<GatesRun[]>([]);
  /** The run now training (an index into runs), or null. */
  current = $state<number | null>(null);
  digit = $state.raw<GatesDigit | null>(null);
  error = $state<string | null>(null);

  constructor() {
    this.#restore();
    $effect.root(() => {
      $effect(() => this.#save({ budget: this.budget, phase: this.phase, runs: this.runs, current: this.current, digit: this.digit, error: this.error }));
    });
    api.on('train:progress', (p) => {
      if (this.current === null || p.kind !== 'epoch') return;
      this.#update(this.current, { epochs: [...this.runs[this.current].epochs, p] });
    });
    api.on('train:done', (d) => void this.#finished(d));
    api.on('train:error', (e) => {
      if (this.current === null) return;
      this.current = null;
      this.phase = 'failed';
      this.error = describeError(e);
    });
  }

  get running(): boolean {
    return this.phase === 'training' || this.phase === 'gradients';
  }

  /** Train both networks, the SimpleRNN first; nothing happens while another run trains. */
  async start(): Promise<void> {
    if (this.running || training.running || training.starting) return;
    this.error = null;
    this.runs = WHY_GATES_CELLS.map((cell) => ({
      cell,
      request: whyGatesRequest(cell, this.budget),
      epochs: [],
      versionId: null,
      seconds: null,
      gradient: null,
    }));
    this.phase = 'training';
    try {
      const { digits } = await api.call('dataset:digits', { indices: [WHY_GATES.digit] });
      this.digit = digits[0];
    } catch (err) {
      this.#fail(err);
      return;
    }
    await this.#train(0);
  }

  /**
   * After a reload: take up the experiment the page held. A run still training goes on
   * (`running`: the job the app reports); one that ended while the page was away is found by its
   * saved version, and the experiment carries on from there.
   */
  async resume(running: TrainStartRequest | null, versions: readonly ModelVersion[]): Promise<void> {
    if (this.phase === 'gradients') return this.#gradients();
    if (this.phase !== 'training' || this.current === null) return;
    const i = this.current;
    const run = this.runs[i];
    if (running && running.cell === run.cell && running.read === run.request.read && running.hidden === run.request.hidden) return;
    const saved = versions
      .filter((v) => v.manifest.cell === run.cell && v.manifest.read === run.request.read && Date.parse(v.manifest.createdAt) >= (run.startedAt ?? Infinity))
      .sort((a, b) => Date.parse(a.manifest.createdAt) - Date.parse(b.manifest.createdAt))[0];
    if (!saved) {
      this.current = null;
      this.phase = 'stopped';
      return;
    }
    const epochs = saved.manifest.history.map((h): EpochProgress => ({
      kind: 'epoch',
      epoch: h.epoch,
      epochs: saved.manifest.epochs,
      avgCost: h.avgCost,
      trainAccuracy: NaN,
      testAccuracy: h.testAccuracy,
      samplesPerSec: 0,
      elapsedSec: 0,
    }));
    this.#update(i, { epochs, versionId: saved.id });
    if (i + 1 < this.runs.length) return this.#train(i + 1);
    this.current = null;
    return this.#gradients();
  }

  async #train(i: number): Promise<void> {
    this.current = i;
    this.#update(i, { startedAt: Date.now() });
    // No estimate to hold the run to: the form's, made for 28 rows, is too hopeful at 196 steps (see WHY_GATES.measuredSec).
    const ok = await training.startRun(this.runs[i].request);
    if (!ok) {
      this.current = null;
      this.phase = 'failed';
      this.error = training.error;
    }
  }

  async #finished(d: Events['train:done']): Promise<void> {
    const i = this.current;
    if (i === null) return;
    this.current = null;
    this.#update(i, { epochs: d.summary.epochs, versionId: d.version?.id ?? null, seconds: d.waitedSec });
    if (!d.version || d.summary.cancelled) {
      this.phase = 'stopped';
      return;
    }
    if (i + 1 < this.runs.length) {
      await this.#train(i + 1);
      return;
    }
    await this.#gradients();
  }

  async #gradients(): Promise<void> {
    this.phase = 'gradients';
    try {
      for (let k = 0; k < this.runs.length; k++) {
        const id = this.runs[k].versionId!;
        const g = await api.call('viz:gradient', { pixels: this.digit!.pixels, id, label: this.digit!.label });
        this.#update(k, { gradient: g });
      }
      this.phase = 'done';
    } catch (err) {
      this.#fail(err);
    }
  }

  #update(i: number, patch: Partial<GatesRun>): void {
    this.runs = this.runs.map((r, k) => (k === i ? { ...r, ...patch } : r));
  }

  #save(state: object): void {
    try {
      sessionStorage.setItem(STORE_KEY, encode(state));
    } catch {
      // Without storage, a reload starts the experiment afresh.
    }
  }

  #restore(): void {
    try {
      const text = sessionStorage.getItem(STORE_KEY);
      if (!text) return;
      const s = decode(text) as Pick<WhyGatesState, 'budget' | 'phase' | 'runs' | 'current' | 'digit' | 'error'>;
      if (!Array.isArray(s.runs) || s.runs.length !== WHY_GATES_CELLS.length) return;
      ({ budget: this.budget, phase: this.phase, runs: this.runs, current: this.current, digit: this.digit, error: this.error } = s);
    } catch {
      // A damaged entry is ignored.
    }
  }

  #fail(err: unknown): void {
    this.current = null;
    this.phase = 'failed';
    this.error = describeError(err);
  }
}

export const whyGates = new WhyGatesState();
