/**
 * `tune({ train, validation, space, grid | trials, metric, backend })`: hyper-parameter search on a
 * validation set, in the manner of sklearn's GridSearchCV / RandomizedSearchCV (without the folds) and
 * Keras Tuner.
 *
 *     const backend = await init();
 *     const result = await tune({
 *       train: mnist.train, validation: { split: 0.1 }, backend,
 *       space: { lr: logUniform(1e-4, 1e-2), hidden: [[128], [256, 128]], dropout: [0, 0.2] },
 *       trials: 12, epochs: 5, patience: 2,
 *     });
 *     console.log(formatTrials(result));
 *     const model = await result.retrain();   // the best settings, trained on train + validation
 *
 * Each trial builds a fresh model (the mlp of its params, or a custom build()), compiles it with the
 * trial's optimizer, learning rate and schedule, trains it on the training rows, measures it on the
 * validation rows and disposes it: only the numbers are kept. Trial i's model is seeded by a seed
 * derived from (seed, i), the random search and the validation split by seeds derived from `seed`,
 * so a rerun with the same options gives the same trials and the same ranking.
 */
import type { Backend } from '../backend/contract.js';
import { Rng } from '../math/random.js';
import { OptionReader } from '../train/pieces.js';
import { optimizer as makeOptimizer } from '../train/optimizers.js';
import { scheduleFromConfig } from '../train/schedules.js';
import type { Optimizer } from '../train/types.js';
import type { Dataset } from '../data/dataset.js';
import { DeviceData, readTargets, countRows, type Features, type Targets } from '../model/data.js';
import { LOSSES, lossByName, type Loss, type LossName } from '../model/losses.js';
import { Sequential } from '../model/sequential.js';
import { mlp } from '../model/mlp.js';
import { earlyStopping } from '../train/early-stopping.js';
import type { Callback, StopReason } from '../train/callbacks.js';
import { checkSpace, fillSchedule, grid, sample, type SearchSpace, type TrialParams } from './space.js';

/** Labelled rows: { x, y } as model.fit() takes them, or a Dataset from src/data. */
export type LabelledData = { readonly x: Features; readonly y: Targets } | Dataset;

/** What tune() ranks the trials by. */
export type TuneMetric = 'valAccuracy' | 'valLoss';
export const TUNE_METRICS: readonly TuneMetric[] = ['valAccuracy', 'valLoss'];

/** What a custom build() is given besides the trial's params. */
export interface BuildContext {
  /** The backend the model must live on. */
  readonly backend: Backend;
  readonly inputSize: number;
  readonly outputs: number;
  /** The trial's seed: pass it as the model's seed so reruns agree. */
  readonly seed: number;
}

/** Makes a trial's model (not compiled: tune() compiles it with the trial's optimizer). */
export type BuildFn = (params: TrialParams, ctx: BuildContext) => Sequential;

export interface TuneOptions {
  /** The training rows. */
  train: LabelledData;
  /**
   * The validation rows the trials are ranked on: data of their own, or `{ split: f }` to hold out a
   * fraction f in (0, 1) of the training rows, picked by a shuffle seeded from `seed` (the rest, in
   * their original order, are trained on).
   */
  validation: LabelledData | { split: number };
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

export interface TuneResult {
  readonly metric: TuneMetric;
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
interface Rows {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
  readonly n: number;
}

interface ResolvedTuneOptions {
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

const TUNE_OPTIONS = ['train', 'validation', 'backend', 'inputSize', 'outputs', 'loss', 'space', 'grid', 'trials', 'metric', 'epochs', 'patience', 'seed', 'build', 'onTrial', 'signal'];

/** Independent streams from one seed: the split, the sampling, and trial i (stream 2 + i). */
function deriveSeed(seed: number, stream: number): number {
  return new Rng((seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0).fork();
}
const SPLIT_STREAM = 0;
const SAMPLE_STREAM = 1;
const trialSeed = (seed: number, i: number) => deriveSeed(seed, 2 + i);

function isDataset(v: object): v is Dataset {
  const d = v as Partial<Dataset>;
  return typeof d.features === 'number' && typeof d.classes === 'number';
}

function isBackend(b: unknown): b is Backend {
  return b !== null && typeof b === 'object' && typeof (b as Backend).f32 === 'function' && typeof (b as Backend).free === 'function';
}

/**
 * Checks rows as fit() would (shape, labels or targets, finite inputs: the model's own checks, run on
 * the backend once) and keeps them in host memory in one layout, so they can be split and joined.
 */
function readRows(where: string, data: unknown, inputSize: number, outputs: number, loss: Loss, backend: Backend): Rows {
  if (data === null || typeof data !== 'object' || !('x' in data) || !('y' in data)) {
    throw new TypeError(`simdnet tune: ${where} must be { x, y } or a Dataset, got ${String(data)}`);
  }
  const { x, y } = data as { x: Features; y: Targets };
  const label = `tune ${where}`;
  const n = countRows(label, x, inputSize);
  const targets = readTargets(label, y, n, outputs, loss);
  const set = DeviceData.create(backend, label, x, inputSize, targets, outputs);
  try {
    // A copy (not the caller's array), so retrain() trains on the rows the trials saw.
    return { x: set.x.data.slice(0, n * inputSize), y: loss.usesTargets ? targets.targets! : targets.classes, n };
  } finally {
    set.dispose();
  }
}

/** Rows `indices` of `rows`, in that order. */
function pick(rows: Rows, indices: Int32Array): Rows {
  const f = rows.x.length / rows.n, w = rows.y.length / rows.n;
  const x = new Float32Array(indices.length * f);
  const y = new (rows.y.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(indices.length * w);
  indices.forEach((r, k) => {
    x.set(rows.x.subarray(r * f, r * f + f), k * f);
    y.set(rows.y.subarray(r * w, r * w + w), k * w);
  });
  return { x, y, n: indices.length };
}

/** a's rows, then b's. */
function join(a: Rows, b: Rows): Rows {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new (a.y.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(a.y.length + b.y.length);
  y.set(a.y);
  y.set(b.y, a.y.length);
  return { x, y, n: a.n + b.n };
}

/** Holds out round(n·fraction) rows chosen by a seeded shuffle; both parts keep the original order. */
function splitRows(rows: Rows, fraction: number, seed: number): { train: Rows; validation: Rows } {
  const nVal = Math.round(rows.n * fraction);
  if (nVal < 1 || nVal > rows.n - 1) {
    throw new RangeError(`simdnet tune: validation.split ${fraction} of ${rows.n} rows leaves ${rows.n - nVal} for training and ${nVal} for validation; each needs at least one`);
  }
  const order = new Rng(seed).permutation(rows.n);
  return { validation: pick(rows, order.slice(0, nVal).sort()), train: pick(rows, order.slice(nVal).sort()) };
}

function resolveTuneOptions(options: TuneOptions): ResolvedTuneOptions {
  const r: OptionReader = new OptionReader('tune', options, TUNE_OPTIONS);
  const backend = r.raw('backend');
  if (!isBackend(backend)) r.fail('backend', 'the ReadyBackend from `await init()` or `jsBackend()` (there is no default backend)', backend);
  const train = r.raw('train');
  if (train === null || typeof train !== 'object') r.fail('train', '{ x, y } or a Dataset', train);
  const ds = isDataset(train) ? train : null;
  const inputSize = ds !== null && !r.has('inputSize') ? ds.features : r.number('inputSize', undefined, { min: 1, integer: true });
  const outputs = ds !== null && !r.has('outputs') ? ds.classes : r.number('outputs', undefined, { min: 1, integer: true });
  const loss = lossByName(r.oneOf('loss', LOSSES, 'softmaxCrossEntropy'));
  const metric = r.oneOf('metric', TUNE_METRICS, 'valAccuracy');
  const seed = r.number('seed', 0, { min: 0, below: 2 ** 32, integer: true });
  const epochs = r.number('epochs', 10, { min: 1, integer: true });
  const patience = r.optionalNumber('patience', null, { min: 1, integer: true });
  const build = r.raw('build') ?? null;
  if (build !== null && typeof build !== 'function') r.fail('build', 'a function (params, ctx) => Sequential', build);
  const onTrial = r.raw('onTrial') ?? null;
  if (onTrial !== null && typeof onTrial !== 'function') r.fail('onTrial', 'a function (trial, progress) => void', onTrial);
  const signal = r.raw('signal') ?? null;
  if (signal !== null && (typeof signal !== 'object' || typeof (signal as AbortSignal).aborted !== 'boolean')) r.fail('signal', 'an AbortSignal', signal);

  // The search: grid (the default without trials) or random, never both.
  const dims = checkSpace(r.raw('space'), build !== null);
  const wantsGrid = r.raw('grid');
  if (wantsGrid !== undefined && typeof wantsGrid !== 'boolean') r.fail('grid', 'true or false', wantsGrid);
  let points: TrialParams[];
  let search: 'grid' | 'random';
  if (r.has('trials')) {
    if (wantsGrid === true) r.fail('grid', 'left out when trials is given (grid: true searches every point; trials: n draws n random points)', true);
    search = 'random';
    points = sample(dims, r.number('trials', undefined, { min: 1, integer: true }), new Rng(deriveSeed(seed, SAMPLE_STREAM)));
  } else {
    if (wantsGrid === false) r.fail('trials', 'given when grid is false (the number of random points to try)', undefined);
    search = 'grid';
    points = grid(dims);
  }

  // Data: checked once here, so a trial fails only for reasons of its own.
  const b = backend as Backend;
  const trainRows = readRows('train', train, inputSize, outputs, loss, b);
  const v = r.raw('validation');
  if (v === null || typeof v !== 'object') r.fail('validation', '{ x, y }, a Dataset or { split: fraction }', v);
  let split: { train: Rows; validation: Rows };
  if ('split' in v) {
    const fraction = new OptionReader('tune validation', v, ['split']).number('split', undefined, { above: 0, below: 1 });
    split = splitRows(trainRows, fraction, deriveSeed(seed, SPLIT_STREAM));
  } else {
    split = { train: trainRows, validation: readRows('validation', v, inputSize, outputs, loss, b) };
  }
  return {
    backend: b, inputSize, outputs, loss, points, search, metric, epochs, patience, seed,
    build: build as BuildFn | null, onTrial: onTrial as NonNullable<TuneOptions['onTrial']> | null, signal: signal as AbortSignal | null,
    train: split.train, validation: split.validation,
  };
}

/** "trial 3 (lr 0.01, hidden [64])": names a trial in messages. */
function describeTrial(index: number, params: TrialParams): string {
  const parts = Object.entries(params).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
  return `trial ${index} (${parts.join(', ')})`;
}

/** The trial's optimizer: its name and lr, under its schedule when it has one. */
function trialOptimizer(params: TrialParams, epochs: number): Optimizer {
  const name = params.optimizer ?? 'adam';
  if (params.schedule === undefined || params.schedule === null) {
    return makeOptimizer(name, params.lr === undefined ? {} : { lr: params.lr });
  }
  // Without lr, a schedule starts from the optimizer's own default rate.
  const lr = params.lr ?? (makeOptimizer(name).config.lr as number);
  return makeOptimizer(name, { lr: scheduleFromConfig(fillSchedule(params.schedule, lr, epochs)) });
}

/** Builds and compiles the model of `params` (disposed again if compiling fails). */
function buildModel(o: ResolvedTuneOptions, params: TrialParams, seed: number, where: string): Sequential {
  const ctx: BuildContext = Object.freeze({ backend: o.backend, inputSize: o.inputSize, outputs: o.outputs, seed });
  let model: Sequential;
  try {
    model = o.build !== null
      ? o.build(params, ctx)
      : mlp({ inputSize: o.inputSize, outputs: o.outputs, hidden: params.hidden, activation: params.activation, dropout: params.dropout, l2: params.l2, backend: o.backend, seed });
  } catch (e) {
    throw withContext(e, where);
  }
  try {
    if (!(model instanceof Sequential)) throw new TypeError(`build must return a Sequential model, got ${String(model)}`);
    if (model.backend !== o.backend) throw new RangeError('build must make the model on ctx.backend');
    if (model.inputSize !== o.inputSize || model.outputSize !== o.outputs) {
      throw new RangeError(`build made a model of ${model.inputSize} inputs and ${model.outputSize} outputs; the data needs ${o.inputSize} and ${o.outputs}`);
    }
    // A schedule is sized by the trial's epochs, also when retrain() trains fewer (best.epochs).
    model.compile({ loss: o.loss.name, optimizer: trialOptimizer(params, params.epochs ?? o.epochs) });
    return model;
  } catch (e) {
    if (model instanceof Sequential) model.dispose();
    throw withContext(e, where);
  }
}

function withContext(e: unknown, where: string): Error {
  const message = e instanceof Error ? e.message.replace(/^simdnet /, '') : String(e);
  const wrapped = new (e instanceof TypeError ? TypeError : RangeError)(`simdnet tune: ${where}: ${message}`);
  (wrapped as Error & { cause?: unknown }).cause = e;
  return wrapped;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Runs one trial; resolves to null when the signal aborted it. */
async function runTrial(o: ResolvedTuneOptions, index: number, params: TrialParams): Promise<Trial | null> {
  const t0 = now();
  const seed = trialSeed(o.seed, index);
  const epochs = params.epochs ?? o.epochs;
  const where = describeTrial(index, params);
  const model = buildModel(o, params, seed, where);
  try {
    // The data loss, not the loss with the penalty: the penalty grows with l2 whatever the fit.
    const stopper = o.patience === null ? null : earlyStopping({
      monitor: o.metric === 'valLoss' ? 'valDataLoss' : 'valAccuracy', patience: o.patience, restoreBestWeights: true,
    });
    let fitted;
    try {
      fitted = await model.fit(o.train.x, o.train.y, {
        epochs, batchSize: params.batchSize ?? 32, seed, validationData: o.validation,
        callbacks: stopper === null ? [] : [stopper], signal: o.signal ?? undefined,
      });
    } catch (e) {
      // The data and the settings were checked before training, so this is the trial's own failure
      // (typically a divergence): it is kept, ranked last, rather than ending the search.
      return {
        index, params, seed, valLoss: NaN, valAccuracy: NaN, epochsRun: model.epochsTrained, epochs: model.epochsTrained,
        stopReason: 'failed', seconds: (now() - t0) / 1000, history: {}, error: e instanceof Error ? e.message : String(e),
      };
    }
    if (fitted.stopReason === 'aborted') return null;
    const v = model.evaluate(o.validation.x, o.validation.y);
    const best = stopper !== null && stopper.bestEpoch >= 0 ? stopper.bestEpoch + 1 : fitted.epochs;
    return {
      index, params, seed, valLoss: v.dataLoss, valAccuracy: v.accuracy, epochsRun: fitted.epochs, epochs: best,
      stopReason: fitted.stopReason, seconds: (now() - t0) / 1000, history: fitted.history, error: null,
    };
  } finally {
    model.dispose();
  }
}

/** Best first: by the metric, then the other value, then the run order; failed trials last. */
export function rankTrials(trials: readonly Trial[], metric: TuneMetric): Trial[] {
  const failed = (t: Trial) => t.error !== null || Number.isNaN(metric === 'valLoss' ? t.valLoss : t.valAccuracy);
  const loss = (t: Trial) => (Number.isNaN(t.valLoss) ? Infinity : t.valLoss);
  return [...trials].sort((a, b) => {
    const fa = failed(a), fb = failed(b);
    if (fa !== fb) return fa ? 1 : -1;
    if (!fa) {
      const primary = metric === 'valAccuracy' ? b.valAccuracy - a.valAccuracy : loss(a) - loss(b);
      if (primary !== 0) return primary;
      const secondary = metric === 'valAccuracy' ? loss(a) - loss(b) : b.valAccuracy - a.valAccuracy;
      if (secondary !== 0 && !Number.isNaN(secondary)) return secondary;
    }
    return a.index - b.index;
  });
}

/** Runs the search; see TuneOptions and the module comment. */
export async function tune(options: TuneOptions): Promise<TuneResult> {
  const o = resolveTuneOptions(options);
  const done: Trial[] = [];
  let aborted = false;
  for (let i = 0; i < o.points.length; i++) {
    if (o.signal?.aborted) {
      aborted = true;
      break;
    }
    const trial = await runTrial(o, i, o.points[i]);
    if (trial === null) {
      aborted = true;
      break;
    }
    Object.freeze(trial);
    done.push(trial);
    if (o.onTrial !== null) await o.onTrial(trial, { done: done.length, total: o.points.length });
  }
  if (done.length === 0) {
    throw new Error(`simdnet tune: aborted before the first trial finished (${o.points.length} trials planned)`);
  }
  if (done.every((t) => t.error !== null)) {
    throw new Error(`simdnet tune: all ${done.length} trials failed; the first: ${describeTrial(0, done[0].params)}: ${done[0].error}`);
  }
  const trials = Object.freeze(rankTrials(done, o.metric));
  const best = trials[0];
  const retrain = async (retrainOptions: RetrainOptions = {}): Promise<Sequential> => {
    const rr = new OptionReader('tune retrain', retrainOptions, ['epochs', 'callbacks', 'signal', 'verbose']);
    const epochs = rr.number('epochs', best.epochs, { min: 1, integer: true });
    const all = join(o.train, o.validation);
    const model = buildModel(o, best.params, best.seed, `retrain of ${describeTrial(best.index, best.params)}`);
    try {
      await model.fit(all.x, all.y, {
        epochs, batchSize: best.params.batchSize ?? 32, seed: best.seed,
        callbacks: (rr.raw('callbacks') ?? []) as Callback[], signal: rr.raw('signal') as AbortSignal | undefined, verbose: rr.boolean('verbose', false),
      });
      return model;
    } catch (e) {
      model.dispose();
      throw e;
    }
  };
  return Object.freeze({ metric: o.metric, search: o.search, trials, best, aborted, retrain });
}
