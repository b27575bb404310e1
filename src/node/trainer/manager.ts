/**
 * Runs training jobs in a separate process, one at a time. Progress is throttled
 * to at most 10 events per second: while a run goes on, epoch summaries are
 * queued and never dropped, and the done event carries every epoch's summary,
 * so ones still queued when a run ends are not sent again. Cancel kills the
 * process; a crash or out-of-memory surfaces as an error.
 */
import type { PathChoice, TrainProgress } from '../../shared/types';
import type { TrainingMapFrame } from '../../shared/projection';
import { parseTrainerMessage, type DoneMessage, type StartMessage, type ToTrainer, type TrainerMessage } from './protocol';
import { CodedError, errorMessage, type CodedMessage } from '../../shared/errors';

/** The minimum the manager needs from a child process, whatever created it. */
export interface TrainerChild {
  readonly pid: number | undefined;
  postMessage(msg: ToTrainer): void;
  /** Messages arrive unchecked; the manager validates them. */
  onMessage(cb: (msg: unknown) => void): void;
  /** `detail` holds the tail of stderr where available. */
  onExit(cb: (code: number | null, signal: string | null, detail: string) => void): void;
  kill(): void;
}

/** Creates a fresh trainer process. */
export type SpawnTrainer = () => TrainerChild;

/** What the manager reports back. */
export interface TrainerEvents {
  progress(p: TrainProgress): void;
  done(msg: DoneMessage, job: StartMessage): void | Promise<void>;
  /** The run was cancelled after `elapsedSec`; nothing is saved. */
  cancelled(job: StartMessage, elapsedSec: number): void;
  error(err: CodedMessage, job: StartMessage): void;
  /** The probe set on the map after an epoch. */
  map?(frame: TrainingMapFrame): void;
  /** Which path trains the run and why, before its first batch. */
  path?(choice: PathChoice): void;
}

/** Minimum gap between two progress events. */
export const PROGRESS_INTERVAL_MS = 100;

/** How long a stopped run may take to send its last finished epoch before it is cancelled instead. */
export const STOP_GRACE_MS = 60_000;

export class TrainerManager {
  #child: TrainerChild | null = null;
  #job: StartMessage | null = null;
  #startedAt = 0;
  #finished = false;
  #queue: TrainProgress[] = [];
  #latestBatch: TrainProgress | null = null;
  #lastSent = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly spawn: SpawnTrainer,
    private readonly events: TrainerEvents,
  ) {}

  /** The job being run, or null. */
  get job(): StartMessage | null {
    return this.#job;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Throws the message a person sees when a run is already going. */
  assertIdle(): void {
    if (this.#job) {
      const secs = Math.round((Date.now() - this.#startedAt) / 1000);
      throw new CodedError('trainingRunning', `a training run is already in progress (started ${secs} s ago); cancel it or wait for it to finish`, { secs });
    }
  }

  /** Start a job; refused while another runs. */
  start(job: StartMessage): void {
    this.assertIdle();
    const child = this.spawn();
    this.#child = child;
    this.#job = job;
    this.#startedAt = Date.now();
    this.#finished = false;
    child.onMessage((data) => void this.#onMessage(child, data));
    child.onExit((code, signal, detail) => this.#onExit(child, code, signal, detail));
    child.postMessage(job);
  }

  /** Stop the running job by killing its process. Returns false when nothing was running. */
  cancel(): boolean {
    if (!this.#job || !this.#child) return false;
    const job = this.#job;
    this.#finished = true;
    this.#child.kill();
    this.#reset();
    this.events.cancelled(job, (Date.now() - this.#startedAt) / 1000);
    return true;
  }

  /**
   * Ask the running job to stop after its current batch and send the last epoch it finished,
   * which is then saved like a finished run. Returns false when nothing was running.
   */
  stop(): boolean {
    if (!this.#job || !this.#child) return false;
    if (!this.#stopTimer) {
      this.#child.postMessage({ type: 'stop' });
      this.#stopTimer = setTimeout(() => this.cancel(), STOP_GRACE_MS);
    }
    return true;
  }

  async #onMessage(child: TrainerChild, data: unknown): Promise<void> {
    if (child !== this.#child || !this.#job) return;
    const job = this.#job;
    const parsed = parseTrainerMessage(data);
    if (!parsed.ok)
      return this.#fail(child, job, {
        error: `training failed: the trainer sent a malformed message (${parsed.error})`,
        code: 'trainerMalformed',
        params: { detail: parsed.error },
      });
    const msg: TrainerMessage = parsed.msg;
    if (msg.type === 'progress') this.#push(msg.progress);
    else if (msg.type === 'path') this.events.path?.(msg.choice);
    else if (msg.type === 'map') {
      if (msg.frame.landmarks.length === 2 * msg.frame.labels.length) this.events.map?.(msg.frame);
    } else if (msg.type === 'error') {
      this.#fail(child, job, { error: `training failed: ${msg.error}`, code: 'trainerFailed', params: { detail: msg.error } });
    } else if (msg.type === 'done') {
      this.#finished = true;
      child.kill();
      this.#reset();
      try {
        await this.events.done(msg, job);
      } catch (err) {
        const detail = errorMessage(err);
        this.events.error({ error: `training finished but the model could not be saved: ${detail}`, code: 'trainerSaveFailed', params: { detail } }, job);
      }
    }
  }

  #onExit(child: TrainerChild, code: number | null, signal: string | null, detail: string): void {
    if (child !== this.#child || this.#finished || !this.#job) return;
    const job = this.#job;
    this.#reset();
    const oom = /heap out of memory|Allocation failed|out of memory/i.test(detail);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.events.error(
      oom
        ? { error: 'the trainer process ran out of memory; try a smaller hidden size or batch', code: 'trainerOutOfMemory' }
        : {
            error: `the trainer process stopped unexpectedly (it ${how}); the active model is unchanged`,
            ...(signal ? { code: 'trainerKilled', params: { signal } } : { code: 'trainerExited', params: { code: String(code) } }),
          },
      job,
    );
  }

  /** End the run on a failure the trainer reported (or a message it garbled). */
  #fail(child: TrainerChild, job: StartMessage, err: CodedMessage): void {
    this.#finished = true;
    child.kill();
    this.#reset();
    this.events.error(err, job);
  }

  #reset(): void {
    this.#child = null;
    this.#job = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#stopTimer) clearTimeout(this.#stopTimer);
    this.#stopTimer = null;
    this.#queue = [];
    this.#latestBatch = null;
  }

  #push(p: TrainProgress): void {
    if (p.kind === 'epoch') this.#queue.push(p);
    else this.#latestBatch = p;
    this.#pump();
  }

  #pump(): void {
    if (this.#timer) return;
    const wait = this.#lastSent + PROGRESS_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, wait);
      return;
    }
    const next = this.#queue.shift() ?? this.#latestBatch;
    if (!next) return;
    if (next === this.#latestBatch) this.#latestBatch = null;
    this.#lastSent = Date.now();
    this.events.progress(next);
    if (this.#queue.length || this.#latestBatch) this.#pump();
  }
}
