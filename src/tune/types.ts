/** The types tune() takes and returns, and the resolved form of its options. */
import type { Backend } from '../backend/contract.js';
import type { Dataset } from '../data/dataset.js';
import type { Features, Targets } from '../model/data.js';
import type { Loss, LossName } from '../model/losses.js';
import type { Sequential } from '../model/sequential.js';
import type { Callback, StopReason } from '../train/callbacks.js';
import type { SearchSpace, TrialParams } from './space.js';

/** Labelled rows: { x, y } as model.fit() takes them, or a Dataset from src/data. */
export type LabelledData = {
  /** The inputs, as model.fit() takes them. */
  readonly x: Features;
  /** The labels or targets, as model.fit() takes them. */
  readonly y: Targets;
} | Dataset;

/** What tune() ranks the trials by. */
export type TuneMetric = 'valAccuracy' | 'valLoss';
/** The metrics tune() can rank by. */
export const TUNE_METRICS: readonly TuneMetric[] = ['valAccuracy', 'valLoss'];

/** What a custom build() is given besides the trial's params. */
export interface BuildContext {
  /** The backend the model must live on. */
  readonly backend: Backend;
  /** Input features per row: the model's input size. */
  readonly inputSize: number;
  /** The model's outputs (classes for softmaxCrossEntropy). */
  readonly outputs: number;
  /** The trial's seed: pass it as the model's seed so reruns agree. */
  readonly seed: number;
}

/** Makes a trial's model (not compiled: tune() compiles it with the trial's optimizer). */
export type BuildFn = (params: TrialParams, ctx: BuildContext) => Sequential;

/** What tune() searches, on which data, and how it ranks and stops. */
export interface TuneOptions {
  /** The training rows. */
  train: LabelledData;
  /**
   * The validation rows the trials are ranked on: data of their own, or `{ split: f }` to hold out a
   * fraction f in (0, 1) of the training rows, picked by a shuffle seeded from `seed` (the rest, in
   * their original order, are trained on).
   */
  validation: LabelledData | {
    /** The fraction of the training rows to hold out, in (0, 1). */
    split: number;
  };
  /** Where every trial's model lives. Required (no hidden global backend). */
  backend: Backend;
  /**
   * Input features per row.
   * @default train.features when train is a Dataset (else required)
   */
  inputSize?: number;
  /**
   * The model's outputs (classes for softmaxCrossEntropy).
   * @default train.classes when train is a Dataset (else required)
   */
  outputs?: number;
  /**
   * The training loss (see src/model/losses.ts).
   * @default 'softmaxCrossEntropy'
   */
  loss?: LossName;
  /**
   * The named dimensions to search: lr, hidden, activation, dropout, l2, optimizer, schedule,
   * batchSize, epochs (see KNOWN_DIMENSIONS); other names only with a custom build(). Settings not in
   * the space take the defaults of mlp() (no hidden layer, relu, no dropout, no l2), 'adam' at its
   * default rate, a constant rate, batchSize 32, and `epochs` below.
   */
  space: SearchSpace;
  /**
   * Grid search: every combination of the lists (a distribution in the space is then an error).
   * @default true when trials is not given
   */
  grid?: boolean;
  /**
   * Random search: this many points drawn from the space (distinct points when every dimension is a
   * list). Not with grid: true.
   * @default undefined (grid search)
   */
  trials?: number;
  /**
   * Ranking: 'valAccuracy' (higher is better; ties go to the lower valLoss) or 'valLoss' (the
   * validation data loss, lower is better; ties go to the higher valAccuracy).
   * @default 'valAccuracy'
   */
  metric?: TuneMetric;
  /**
   * The most epochs a trial trains, when `epochs` is not a dimension of the space.
   * @default 10
   */
  epochs?: number;
  /**
   * Early stopping: a trial stops once the metric has not improved for this many epochs, and its
   * weights go back to the best epoch (earlyStopping with restoreBestWeights). null: each trial runs
   * all its epochs.
   * @default null
   */
  patience?: number | null;
  /**
   * Seeds the random search, the validation split and each trial's model (trial i gets a seed derived
   * from seed and i).
   * @default 0
   */
  seed?: number;
  /**
   * Makes each trial's model from its params; the model must have inputSize inputs and outputs
   * outputs, live on ctx.backend, and end in logits for the cross-entropy losses.
   * @default an mlp() of params.hidden, activation, dropout and l2
   */
  build?: BuildFn;
  /**
   * Called after each trial with its result, in the order the trials run (may return a promise).
   * @default undefined
   */
  onTrial?: (trial: Trial, progress: { readonly done: number; readonly total: number }) => void | Promise<void>;
  /**
   * Stops the search: the trial in progress is dropped and tune() resolves with the trials finished
   * before it (aborted: true); aborted before any finished, it rejects.
   * @default undefined
   */
  signal?: AbortSignal;
}

/** One trial: its settings and how the model they made did on the validation rows. */
export interface Trial {
  /** The order it ran in (0-based); its rank is its place in TuneResult.trials. */
  readonly index: number;
  /** The point of the space it tried (the space's dimensions only). */
  readonly params: TrialParams;
  /** The model's seed. */
  readonly seed: number;
  /** The validation data loss (without the L2 penalty, so different l2 values compare fairly); NaN if training failed. */
  readonly valLoss: number;
  /** The validation accuracy; NaN if training failed. */
  readonly valAccuracy: number;
  /** Epochs fit() ran. */
  readonly epochsRun: number;
  /** Epochs the measured weights had trained: the best epoch with patience, else epochsRun. retrain() trains this many. */
  readonly epochs: number;
  /** Why training stopped ('completed', 'earlyStopping'), or 'failed'. */
  readonly stopReason: StopReason | 'failed';
  /** Wall time of the trial (build, training, measuring), in seconds. */
  readonly seconds: number;
  /** fit()'s per-epoch logs (loss, accuracy, valLoss, valAccuracy, lr, ...). */
  readonly history: Readonly<Record<string, number[]>>;
  /** Why training failed (typically it diverged: the learning rate was too high), else null. */
  readonly error: string | null;
}

/** How TuneResult.retrain() trains the best configuration again. */
export interface RetrainOptions {
  /**
   * Epochs to train.
   * @default best.epochs (the best trial's epoch count; with more rows, each epoch has more steps)
   */
  epochs?: number;
  /**
   * Callbacks for the retraining fit() (progress, ...).
   * @default []
   */
  callbacks?: readonly Callback[];
  /** Aborts the retraining fit() (the model is returned trained so far). */
  signal?: AbortSignal;
  /**
   * Print one line per epoch.
   * @default false
   */
  verbose?: boolean;
}

/** What tune() resolves to: the ranked trials and a way to retrain the best. */
export interface TuneResult {
  /** The metric the trials were ranked by. */
  readonly metric: TuneMetric;
  /** Which search ran: every point of a grid, or random draws. */
  readonly search: 'grid' | 'random';
  /** The finished trials, best first (failed trials last). */
  readonly trials: readonly Trial[];
  /** trials[0]. */
  readonly best: Trial;
  /** True when the signal stopped the search early. */
  readonly aborted: boolean;
  /**
   * Builds the best trial's configuration afresh (same params and seed) and trains it on the training
   * and validation rows together for best.epochs epochs (no early stopping: nothing is held out).
   * Resolves to the trained model, which the caller owns (dispose() it).
   */
  retrain(options?: RetrainOptions): Promise<Sequential>;
}

/** Rows in host memory, checked: x [n, inputSize], y as labels [n] or float targets [n, outputs]. */
export interface Rows {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
  readonly n: number;
}

/** TuneOptions checked and with every default filled in (resolveTuneOptions). */
export interface ResolvedTuneOptions {
  readonly backend: Backend;
  readonly inputSize: number;
  readonly outputs: number;
  readonly loss: Loss;
  readonly points: readonly TrialParams[];
  readonly search: 'grid' | 'random';
  readonly metric: TuneMetric;
  readonly epochs: number;
  readonly patience: number | null;
  readonly seed: number;
  readonly build: BuildFn | null;
  readonly onTrial: NonNullable<TuneOptions['onTrial']> | null;
  readonly signal: AbortSignal | null;
  readonly train: Rows;
  readonly validation: Rows;
}
