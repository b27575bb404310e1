/** The training panel: the form, the live run and its history of points for the charts. */
import type { Events, TrainStartRequest } from '$shared/contract';
import type { BatchProgress, EpochProgress, PathChoice } from '$shared/types';
import { api } from '../api';
import { FINETUNE_REQUEST, PRESETS, QUICK_RETRAIN, type Preset } from '$shared/presets';
import { notices } from './notices.svelte';
import { describeError, fmt, t } from '../i18n/index.svelte';
import { announcer } from './announcer.svelte';
import { busierThanAssumed } from './estimate';
import { DEFAULT_READ } from '$shared/reads';

export class TrainingState {
  form = $state<TrainStartRequest>({ ...QUICK_RETRAIN });
  running = $state(false);
  starting = $state(false);
  /** Asked to stop and keep; the run ends after its current batch. */
  stopping = $state(false);
  batch = $state.raw<BatchProgress | null>(null);
  epochs = $state.raw<EpochProgress[]>([]);
  /** Per-batch points: x in fractional epochs. */
  loss = $state.raw<{ xs: number[]; ys: number[] }>({ xs: [], ys: [] });
  acc = $state.raw<{ xs: number[]; ys: number[] }>({ xs: [], ys: [] });
  last = $state.raw<Events['train:done'] | null>(null);
  error = $state<string | null>(null);
  /** Which path trains the current (or last) run and why; null until the trainer has chosen. */
  path = $state.raw<PathChoice | null>(null);
  /** Set while the running job heads for more than 25% past the estimate made before it (see busierThanAssumed). */
  busier = $state.raw<{ estimateSec: number; projectedSec: number } | null>(null);
  /** The estimate shown when Train was clicked and when that was (performance.now()); null for a run adopted after a reload. */
  #clicked: { estimateSec: number; at: number } | null = null;

  constructor() {
    api.on('train:progress', (p) => {
      this.running = true;
      if (p.kind === 'batch') {
        this.batch = p;
        const x = p.epoch - 1 + p.batch / p.batches;
        this.loss = { xs: [...this.loss.xs, x], ys: [...this.loss.ys, p.loss] };
        this.acc = { xs: [...this.acc.xs, x], ys: [...this.acc.ys, p.accuracy] };
        this.#checkPace(p);
      } else this.epochs = [...this.epochs, p];
    });
    api.on('train:path', (c) => {
      this.path = c;
    });
    api.on('train:done', (d) => {
      this.running = false;
      this.busier = null;
      this.stopping = false;
      this.last = d;
      if (d.summary.choice) this.path = d.summary.choice;
      if (d.summary.epochs.length || d.summary.cancelled) this.epochs = d.summary.epochs;
      const v = d.version;
      const words = { id: v?.id, count: d.summary.epochs.length, acc: fmt.pct(v?.manifest.testAccuracy, 2) };
      notices.info(!v ? t('notice.cancelled') : d.summary.cancelled ? t('notice.stopped', words) : t('notice.trained', words));
      announcer.say(!v ? t('train.cancelAnnounce') : d.summary.cancelled ? t('train.stopAnnounce', words) : t('train.doneAnnounce', words), 0);
    });
    api.on('train:error', (e) => {
      this.running = false;
      this.busier = null;
      this.stopping = false;
      this.error = describeError(e);
      notices.push('error', this.error);
    });
  }

  /**
   * Adopt a run already going (after a page reload). Its settings fill the form, unless the run is
   * one an experiment started with settings of its own (`ownSettings`): the form keeps the next run's.
   */
  resume(req: TrainStartRequest | null, path: PathChoice | null = null, ownSettings = false): void {
    if (req) {
      this.running = true;
      if (!ownSettings) this.form = { ...req };
      this.path = path;
    }
  }

  setMode(mode: TrainStartRequest['mode']): void {
    this.form = mode === 'finetune' ? { ...this.form, ...FINETUNE_REQUEST, mode } : { ...QUICK_RETRAIN, mode };
  }

  applyPreset(id: Preset['id']): void {
    const p = PRESETS.find((x) => x.id === id);
    if (p) this.form = { ...p.request };
  }

  /** The preset the form currently matches, if any. */
  get preset(): Preset['id'] | null {
    const f = this.form;
    const sameRead = (x: Preset) => (x.request.read ?? DEFAULT_READ) === (f.read ?? DEFAULT_READ);
    const p = PRESETS.find((x) => sameRead(x) && (Object.keys(x.request) as (keyof TrainStartRequest)[]).every((k) => x.request[k] === f[k]));
    return p?.id ?? null;
  }

  /** Start a run with the form's settings; `estimateSec` is the estimate the form showed. */
  async start(estimateSec?: number): Promise<void> {
    await this.startRun({ ...this.form }, estimateSec);
  }

  /** Start a run with these settings (the form's, or an experiment's); true when the trainer took it. */
  async startRun(request: TrainStartRequest, estimateSec?: number): Promise<boolean> {
    this.#clicked = estimateSec ? { estimateSec, at: performance.now() } : null;
    this.busier = null;
    this.starting = true;
    this.error = null;
    this.last = null;
    this.path = null;
    this.batch = null;
    this.epochs = [];
    this.loss = { xs: [], ys: [] };
    this.acc = { xs: [], ys: [] };
    try {
      await api.call('train:start', request);
      this.running = true;
      return true;
    } catch (err) {
      this.error = describeError(err);
      notices.error(err);
      return false;
    } finally {
      this.starting = false;
    }
  }

  /** Compare the live ETA with the estimate shown at the click. */
  #checkPace(p: BatchProgress): void {
    if (!this.#clicked) return;
    const since = (performance.now() - this.#clicked.at) / 1000;
    const busy = busierThanAssumed(this.#clicked.estimateSec, since, p.etaSec);
    if (busy) this.busier = { estimateSec: this.#clicked.estimateSec, projectedSec: since + p.etaSec };
    else if (this.busier) this.busier = null;
  }

  /** Stop after the current batch and keep the last finished epoch as a version. */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      const r = await api.call('train:stop', {});
      if (!r.stopping) this.stopping = false;
    } catch (err) {
      this.stopping = false;
      notices.error(err);
    }
  }

  async cancel(): Promise<void> {
    try {
      await api.call('train:cancel', {});
    } catch (err) {
      notices.error(err);
    }
  }

  /** 0..1 through the whole run. */
  get fraction(): number {
    const b = this.batch;
    if (!b) return 0;
    return (b.epoch - 1 + b.batch / b.batches) / b.epochs;
  }
}

export const training = new TrainingState();
