/** Types and shape constants shared by every layer. No logic lives here. */

/** The recurrent cells the app builds, in the order it lists them. */
export const CELLS = ['rnn', 'lstm', 'gru'] as const;

/** The recurrent cell a model uses: 'rnn' is Keras's SimpleRNN (tanh). */
export type CellType = (typeof CELLS)[number];

/** Gate blocks packed side by side in a cell's kernels, in tfjs-layers order (GRU z r h, LSTM i f c o). */
export const GATES: Readonly<Record<CellType, number>> = { rnn: 1, gru: 3, lstm: 4 };

/** Side length of an MNIST image; also the number of time steps and inputs per step. */
export const SIDE = 28;

/** Time steps the network reads: one image row per step. */
export const STEPS = SIDE;

/** Pixels in one 28×28 image. */
export const PIXELS = SIDE * SIDE;

/** Number of output classes. */
export const CLASSES = 10;

/** Learning-rate schedules: the tutorial's constant rate, or one cycle (warm-up, then cosine decay) over the whole run. */
export const SCHEDULES = ['constant', 'onecycle'] as const;
export type Schedule = (typeof SCHEDULES)[number];

/** Memory experiments on a drawing: forget at a step, no memory, rows shuffled, rows read bottom-up. */
export const EXPERIMENTS = ['forget', 'nomemory', 'shuffled', 'reversed'] as const;
export type Experiment = (typeof EXPERIMENTS)[number];

/** Which tfjs backend the engine ended up using. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Hyper-parameters for one training run. */
export interface TrainConfig {
  /** Recurrent cell. */
  cell: CellType;
  /** Hidden units in the recurrent layer. */
  hidden: number;
  /** Passes over the training set. */
  epochs: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Samples per gradient step. */
  batchSize: number;
  /** Use only the first N training samples (0 = all). */
  limit: number;
  /** Seed for weight init and shuffling. */
  seed: number;
  /** How the learning rate moves over the run; `learningRate` is its peak. Default 'constant'. */
  schedule?: Schedule;
}

/** Progress after one batch. */
export interface BatchProgress {
  kind: 'batch';
  /** 1-based epoch. */
  epoch: number;
  epochs: number;
  /** 1-based batch inside the epoch. */
  batch: number;
  batches: number;
  /** Loss of this batch. */
  loss: number;
  /** Accuracy of this batch. */
  accuracy: number;
  /** Smoothed training throughput. */
  samplesPerSec: number;
  /** Estimated seconds to the end of the run. */
  etaSec: number;
  /** Seconds since the run started. */
  elapsedSec: number;
}

/** Summary after one epoch. */
export interface EpochProgress {
  kind: 'epoch';
  epoch: number;
  epochs: number;
  /** Average training cost over the epoch. */
  avgCost: number;
  /** Average training accuracy over the epoch. */
  trainAccuracy: number;
  /** Accuracy on the test set after this epoch. */
  testAccuracy: number;
  samplesPerSec: number;
  elapsedSec: number;
}

/** Either progress event. */
export type TrainProgress = BatchProgress | EpochProgress;

/** How a run's gradient steps ran: the fused WebAssembly kernels, or tfjs layers on the active backend. */
export type TrainPath = 'kernels' | 'tfjs';

/**
 * Why a run trains on its path: measured now by timing a few batches on each path, taken
 * from an earlier measurement on this machine, set by RNN_LENS_KERNELS (or the caller), the
 * only path this model can take, or the built-in rule when no measurement was asked for.
 */
export type PathReason = 'measured' | 'cached' | 'forced' | 'only' | 'default';

/** Which path trains a run, and why. */
export interface PathChoice {
  path: TrainPath;
  reason: PathReason;
  /** The tfjs backend the run uses (the tfjs path runs on it). */
  backend: BackendName;
  /** Training samples per second of each path when measured (now, or earlier for 'cached'). */
  kernelsPerSec?: number;
  tfjsPerSec?: number;
}

/** Result of a finished (or cancelled) run. */
export interface TrainSummary {
  epochs: EpochProgress[];
  testAccuracy: number;
  cancelled: boolean;
  /** Which path trained; null when the run was cancelled before it started. */
  path: TrainPath | null;
  /** How the path was chosen; null when the run was cancelled before it started. */
  choice: PathChoice | null;
  elapsedSec: number;
  samplesPerSec: number;
}

/** Checksum and size of one stored file. */
export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** What manifest.json records about a stored model version. */
export interface ModelManifest {
  format: 'rnn-lens-model/1';
  id: string;
  cell: CellType;
  hidden: number;
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Learning-rate schedule; absent in models made before schedules existed (constant). */
  schedule?: Schedule;
  dataset: string;
  backend: string;
  testAccuracy: number | null;
  createdAt: string;
  /** Command line or config that produced the model. */
  command: string;
  /** Id of the model this one was fine-tuned from, if any. */
  parent: string | null;
  /** Per-epoch metrics. */
  history: { epoch: number; avgCost: number; testAccuracy: number }[];
  files: Record<string, FileDigest>;
}

/** A version as listed by the store. */
export interface ModelVersion {
  id: string;
  manifest: ModelManifest;
  active: boolean;
  /** True for the read-only model shipped with the app. */
  builtin: boolean;
}

/** The step-by-step record of one forward pass. */
export interface TraceResult {
  cell: CellType;
  hidden: number;
  steps: number;
  /** h_t for every step, steps × hidden, row-major. */
  h: Float32Array;
  /** LSTM cell state c_t, steps × hidden. */
  c?: Float32Array;
  /** Gates, each steps × hidden: LSTM i/f/o; GRU z (update) / r (reset). */
  gates?: Partial<Record<'i' | 'f' | 'o' | 'z' | 'r', Float32Array>>;
  /** Dense head applied to every h_t, steps × 10. */
  stepProbs: Float32Array;
  /** Class probabilities after the last step. */
  probs: Float32Array;
  /** Predicted class. */
  prediction: number;
  /** The dense head's weight from each unit into the predicted class: unit j adds h_t[j] · readout[j] to that class's logit. */
  readout: Float32Array;
  /** Whether it looks like a digit at all; absent while the version's statistics are still being fitted. */
  verdict?: Verdict;
}

/** Whether an input looks like a digit, and why not. */
export interface Verdict {
  kind: 'digit' | 'not-a-digit' | 'unsure';
  /**
   * Why not a digit: `blob` — too small or round to read (a dot scaled up); `pieces` — scattered
   * specks, not one stroke; `unlike` — the network's state went where no digit's goes.
   */
  reason?: 'blob' | 'pieces' | 'unlike';
  /** Probabilities calibrated on held-out digits (temperature scaling). */
  calibrated: number[];
  /** How far the state went from where digits' go: 0 for a typical digit, 1 at the limit, more beyond it. */
  distance: number;
  /** The two most likely digits, by calibrated probability. */
  top: [number, number];
}
