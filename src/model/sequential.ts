/**
 * `sequential([...layers], { inputSize, backend })`: a stack of layers trained as one model.
 *
 *     const backend = await init();
 *     const model = sequential([
 *       dense({ units: 128, activation: 'relu' }),
 *       dropout({ rate: 0.2 }),
 *       dense({ units: 10 }),                      // logits: the loss applies softmax
 *     ], { inputSize: 784, backend });
 *     model.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 1e-3 }) });
 *     const { history } = await model.fit(x, labels, { epochs: 5, batchSize: 64, validationSplit: 0.1 });
 *     const probs = model.predict(xTest);          // Float32Array [n, 10] of softmax probabilities
 *     model.dispose();                             // frees every buffer the model made
 *
 * A single neuron with a sigmoid of slope a (the classic formal neuron trained on the squared error):
 *
 *     const neuron = sequential([dense({ units: 1, activation: 'sigmoid', activationAlpha: a })], { inputSize: 2, backend });
 *     neuron.compile({ loss: 'meanSquaredError', optimizer: sgd({ lr: 0.5 }) });
 *
 * Softmax (multinomial logistic) regression: one dense layer of logits and the softmax loss:
 *
 *     const logreg = sequential([dense({ units: classes })], { inputSize: features, backend });
 *     logreg.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }) });
 *
 * Memory: the model owns its parameters (one flat buffer), their gradients, its optimizer's state
 * and a scratch arena sized for the largest batch it has seen; none of it is allocated per step.
 * Users never free intermediates: `dispose()` frees everything at once.
 *
 * The backend is explicit (no hidden global): pass the ReadyBackend of `await init()` (wasm) or
 * `jsBackend()` (pure JS). A model and its buffers live on that one backend.
 */
import type { ActivationName, Backend, F32Buffer } from '../backend/contract.js';
import { defaultKernelInitializer } from '../backend/activations.js';
import type { Initializer, Optimizer } from '../train/types.js';
import { OptionReader } from '../train/pieces.js';
import { l2 as l2Penalty } from '../train/regularizers.js';
import { Layer, type LayerConfig } from './layers.js';
import { Dense, dense } from './dense.js';
import { ActivationLayer } from './activation-layer.js';
import { dropout } from './dropout.js';
import { Network, type ParamEntry } from './network.js';
import { lossByName, type BatchTargets, type Loss, type LossName } from './losses.js';
import { confusionMatrix, countCorrect, predictedClasses, resolveMetrics, type MetricName } from './metrics.js';
import { DataSet, countRows, readTargets, type Features, type Targets } from './data.js';
import { resolveOptimizer, type PieceSpec } from './resolve.js';
import { fitModel, type FitOptions, type History } from './fit.js';
import { modelToBytes, saveModel, type ModelSink } from './serialize.js';

export interface SequentialOptions {
  /**
   * The number of input features per row. Give this or inputShape (the input size is given once; every
   * layer's input width follows from the layer before).
   */
  inputSize?: number;
  /**
   * The shape of one input row (without the batch axis), e.g. [28, 28]. Rows are passed flattened in
   * row-major order, so this is the same as inputSize = the product of the shape.
   */
  inputShape?: readonly number[];
  /**
   * Where the model's memory lives and its kernels run: the ReadyBackend from `await init()` or
   * `jsBackend()`. Required: there is no hidden global backend.
   */
  backend: Backend;
  /**
   * Seeds the weight initialisation and the dropout masks (and fit()'s shuffling unless fit is given
   * its own seed): the same seed gives the same weights, bit for bit.
   * @default 0
   */
  seed?: number;
}

export interface CompileOptions {
  /**
   * The loss: 'softmaxCrossEntropy' (multi-class, from logits), 'sigmoidCrossEntropy' (binary or
   * multi-label, from logits) or 'meanSquaredError'. See src/model/losses.ts.
   */
  loss: LossName;
  /**
   * The optimizer: one made by a factory of src/train/optimizers (`adam({ lr: 1e-3 })`), a name
   * ('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', with their defaults) or a config. The model takes
   * ownership: dispose() frees its state.
   * @default 'adam'
   */
  optimizer?: PieceSpec<Optimizer>;
  /**
   * The metrics fit() reports each epoch (and on validation data): 'accuracy', 'zeroOneLoss'.
   * @default ['accuracy']
   */
  metrics?: readonly MetricName[];
}

/** What compile() fixed. */
export interface Compiled {
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly metrics: readonly MetricName[];
}

export interface PredictOptions {
  /**
   * Rows per forward pass (bounds the scratch memory; the result does not depend on it).
   * @default 256, or the arena's size if larger
   */
  batchSize?: number;
}

/** The model's loss and metrics on a data set. */
export interface Evaluation {
  /** dataLoss + penalty. */
  readonly loss: number;
  /** The mean loss over the data (see the loss table in losses.ts for what the mean is over). */
  readonly dataLoss: number;
  /** The regularizers' penalty at the current weights (0 without regularizers). */
  readonly penalty: number;
  /** The fraction of rows whose predicted class is the true class. */
  readonly accuracy: number;
  /** 1 − accuracy. */
  readonly zeroOneLoss: number;
}

/** One parameter tensor, in Keras order: per dense layer its kernel [in, out], then its bias [out]. */
export interface WeightTensor {
  /** 'dense_1/kernel', 'dense_1/bias', ... */
  readonly name: string;
  readonly shape: readonly number[];
  /** Row-major values (a copy). */
  readonly values: Float32Array;
}

export interface GradientOptions {
  /**
   * Run as in training (dropout on, drawing the next masks).
   * @default false
   */
  training?: boolean;
  /**
   * Also return ∂loss/∂x.
   * @default false
   */
  inputGradients?: boolean;
}

/** The loss and its gradient at the current weights (computeGradients()). */
export interface Gradients {
  readonly loss: number;
  readonly dataLoss: number;
  readonly penalty: number;
  /** ∂loss/∂params, flat, in the layout of getFlatWeights(). */
  readonly gradients: Float32Array;
  /** ∂loss/∂x [n, inputSize] when asked for, else null. */
  readonly inputGradients: Float32Array | null;
}

/** A plain-data description of a model's architecture (what a saved file's topology holds). */
export interface SequentialConfig {
  readonly inputSize: number;
  readonly seed: number;
  readonly layers: readonly LayerConfig[];
}

/** The result of one forward and backward pass (Sequential.gradientStep), as means over the batch. */
export interface StepResult {
  readonly dataLoss: number;
  readonly penalty: number;
  /** Rows whose predicted class was right (before the update). */
  readonly correct: number;
}

const DEFAULT_EVAL_BATCH = 256;

function isBackend(b: unknown): b is Backend {
  return b !== null && typeof b === 'object' && typeof (b as Backend).f32 === 'function' && typeof (b as Backend).matmul === 'function';
}

function resolveInputSize(r: OptionReader): number {
  const shape = r.raw('inputShape');
  const size = r.has('inputSize') ? r.number('inputSize', undefined, { min: 1, integer: true }) : null;
  if (shape === undefined) {
    if (size === null) r.fail('inputSize', 'given (or inputShape): the number of input features', undefined);
    return size;
  }
  const dims = r.numbers('inputShape', { min: 1, integer: true });
  const product = dims.reduce((a, b) => a * b, 1);
  if (size !== null && size !== product) r.fail('inputSize', `equal to the product of inputShape [${dims.join(', ')}] = ${product}`, size);
  return product;
}

/** The activation the model's outputs come out of (dropout and identity layers pass it through). */
function finalActivation(layers: readonly Layer[]): { layer: string; activation: ActivationName } {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (l instanceof Dense) return { layer: l.name ?? 'dense', activation: l.activation.name };
    if (l instanceof ActivationLayer && l.activation.name !== 'identity') return { layer: l.name ?? 'activation', activation: l.activation.name };
  }
  return { layer: 'input', activation: 'identity' };
}

export class Sequential {
  readonly backend: Backend;
  readonly inputSize: number;
  readonly seed: number;
  readonly layers: readonly Layer[];
  /** @internal The numeric core (fit() drives it). */
  readonly net: Network;
  private compiledWith: Compiled | null = null;
  /** Epochs and batches completed by fit() since the model was made (saved with it). */
  private progress = { epochs: 0, batches: 0 };
  private stop: string | null = null;
  /** @internal True while a fit() runs (a second concurrent fit() would interleave its steps). */
  training = false;

  constructor(layers: readonly Layer[], options: SequentialOptions) {
    const r = new OptionReader('sequential', options, ['inputSize', 'inputShape', 'backend', 'seed']);
    if (!isBackend(r.raw('backend'))) {
      r.fail('backend', 'the ReadyBackend from `await init()` or `jsBackend()` (there is no default backend)', r.raw('backend'));
    }
    this.backend = options.backend;
    this.inputSize = resolveInputSize(r);
    this.seed = r.number('seed', 0, { min: 0, below: 2 ** 32, integer: true });
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new RangeError(`simdnet sequential: layers must be a non-empty array of layers (dense(), activation(), dropout()), got ${String(layers)}`);
    }
    layers.forEach((l, i) => {
      if (!(l instanceof Layer)) throw new TypeError(`simdnet sequential: layers[${i}] is not a layer (make one with dense(), activation() or dropout()), got ${String(l)}`);
      // Checked for all layers before any is built, so a refused model leaves its layers usable.
      if (l.isBuilt) throw new Error(`simdnet sequential: layers[${i}] ('${l.name}') is already part of a model; create a new layer for each model`);
    });
    this.layers = [...layers];
    this.nameLayers();
    this.net = new Network(this.backend, this.inputSize, this.layers, this.seed);
  }

  /** Names unnamed layers 'dense_1', 'dropout_1', ... (counting per model, per type) and checks names are unique. */
  private nameLayers(): void {
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    for (const layer of this.layers) {
      const k = (counts.get(layer.type) ?? 0) + 1;
      counts.set(layer.type, k);
      layer.name ??= `${layer.type}_${k}`;
      if (seen.has(layer.name)) throw new RangeError(`simdnet sequential: two layers are named '${layer.name}'; layer names must be unique`);
      seen.add(layer.name);
    }
  }

  /** The number of outputs per row (the last layer's width). */
  get outputSize(): number {
    return this.net.outputSize;
  }

  /** The number of trainable parameters (floats in the flat parameter buffer). */
  get parameterCount(): number {
    return this.net.size;
  }

  /** Epochs fit() has completed on this model (continues across fit() calls and save/load). */
  get epochsTrained(): number {
    return this.progress.epochs;
  }

  /** Optimizer steps (batches) fit() has completed on this model. */
  get batchesTrained(): number {
    return this.progress.batches;
  }

  /** The loss, optimizer and metrics compile() fixed, or null before compile(). */
  get compiled(): Compiled | null {
    return this.compiledWith;
  }

  /**
   * Fixes the loss, optimizer and metrics. The cross-entropy losses take logits, so the model's last
   * activation must be 'identity' with them. Calling compile() again replaces the optimizer (its state
   * is freed) and keeps the weights.
   */
  compile(options: CompileOptions): this {
    this.net.checkAlive();
    if (this.training) throw new Error('simdnet compile: the model is training; compile() before or after fit(), not during it');
    const r = new OptionReader('compile', options, ['loss', 'optimizer', 'metrics']);
    if (!r.has('loss')) r.fail('loss', `given: one of 'softmaxCrossEntropy', 'sigmoidCrossEntropy', 'meanSquaredError'`, undefined);
    const loss = lossByName(r.raw('loss'));
    if (this.outputSize < loss.minOutputs) {
      throw new RangeError(`simdnet compile: loss '${loss.name}' needs at least ${loss.minOutputs} outputs but the model has ${this.outputSize}` +
        (loss.name === 'softmaxCrossEntropy' ? "; for two classes with one output use 'sigmoidCrossEntropy'" : ''));
    }
    if (loss.fromLogits) {
      const last = finalActivation(this.layers);
      if (last.activation !== 'identity') {
        throw new RangeError(`simdnet compile: loss '${loss.name}' takes logits, but layer '${last.layer}' applies '${last.activation}'; ` +
          `give the last layer activation 'identity' (the loss applies ${loss.name === 'softmaxCrossEntropy' ? 'softmax' : 'the sigmoid'} itself)`);
      }
    }
    const optimizer = resolveOptimizer('compile', 'optimizer', r.raw('optimizer') ?? 'adam');
    const metrics = resolveMetrics(r.raw('metrics') ?? ['accuracy']);
    if (this.compiledWith !== null && this.compiledWith.optimizer !== optimizer) this.compiledWith.optimizer.dispose();
    this.compiledWith = { loss, optimizer, metrics };
    return this;
  }

  /** @internal compile()'s result, or an error naming `where`. */
  requireCompiled(where: string): Compiled {
    this.net.checkAlive();
    if (this.compiledWith === null) throw new Error(`simdnet ${where}: call model.compile({ loss, optimizer }) first`);
    return this.compiledWith;
  }

  /** Trains the model; see FitOptions and fit.ts. Resolves to the history once training stops. */
  fit(x: Features, y: Targets, options: FitOptions = {}): Promise<History> {
    return fitModel(this, x, y, options);
  }

  /**
   * The model's predictions for x: probabilities for the cross-entropy losses (softmax rows for
   * softmaxCrossEntropy, σ of each output for sigmoidCrossEntropy), the raw outputs for
   * meanSquaredError or before compile(). A Float32Array [n, outputs], row-major. Dropout is off.
   */
  predict(x: Features, options: PredictOptions = {}): Float32Array {
    const n = this.outputSize;
    const loss = this.compiledWith?.loss ?? null;
    const data = this.inputData('predict', x, null);
    try {
      const out = new Float32Array(data.n * n);
      this.inChunks(data, this.chunkSize('predict', options), (chunk, start, m, arena) => {
        const o = this.net.forward(arena, chunk.x, m, false);
        const p = loss === null ? o : loss.predictions(this.backend, o, arena.predictions, m, n);
        out.set(p.data.subarray(0, m * n), start * n);
      });
      return out;
    } finally {
      data.dispose();
    }
  }

  /**
   * The predicted class of each row of x: the argmax of the outputs, or for a one-output model
   * 1 when the output is at or above the loss's threshold (probability ½), else 0.
   */
  predictClasses(x: Features, options: PredictOptions = {}): Int32Array {
    const n = this.outputSize;
    const threshold = this.compiledWith?.loss.threshold ?? 0.5;
    const data = this.inputData('predictClasses', x, null);
    try {
      const out = new Int32Array(data.n);
      this.inChunks(data, this.chunkSize('predictClasses', options), (chunk, start, m, arena) => {
        const o = this.net.forward(arena, chunk.x, m, false);
        predictedClasses(this.backend, o, arena.classes, m, n, threshold);
        out.set(arena.classes.data.subarray(0, m), start);
      });
      return out;
    } finally {
      data.dispose();
    }
  }

  /** The loss (data loss + penalty), accuracy and 0/1 loss on (x, y), with dropout off. */
  evaluate(x: Features, y: Targets, options: PredictOptions = {}): Evaluation {
    const { loss } = this.requireCompiled('evaluate');
    const data = this.inputData('evaluate', x, y, loss);
    try {
      return this.evaluateData(data, this.chunkSize('evaluate', options));
    } finally {
      data.dispose();
    }
  }

  /**
   * The confusion matrix on (x, y): counts[t][p] = rows of true class t predicted as p (rows are the
   * truth, columns the prediction). A one-output model has two classes, 0 and 1.
   */
  confusionMatrix(x: Features, y: Targets): number[][] {
    const { loss } = this.requireCompiled('confusionMatrix');
    const n = countRows('confusionMatrix', x, this.inputSize);
    const truth = readTargets('confusionMatrix', y, n, this.outputSize, loss).classes;
    return confusionMatrix(truth, this.predictClasses(x), Math.max(2, this.outputSize));
  }

  /**
   * The loss and its gradient with respect to every parameter (and optionally the inputs) at the
   * current weights, over all of (x, y) as one batch, without changing the weights. What fit() does
   * before each optimizer step; useful for gradient checks.
   */
  computeGradients(x: Features, y: Targets, options: GradientOptions = {}): Gradients {
    const { loss } = this.requireCompiled('computeGradients');
    const r = new OptionReader('computeGradients', options, ['training', 'inputGradients']);
    const training = r.boolean('training', false);
    const inputGradients = r.boolean('inputGradients', false);
    const data = this.inputData('computeGradients', x, y, loss);
    try {
      const step = this.gradientStep(data.x, data.y!, data.n, training, inputGradients);
      return {
        loss: step.dataLoss + step.penalty,
        dataLoss: step.dataLoss,
        penalty: step.penalty,
        gradients: this.net.grads.data.slice(0, this.net.size),
        inputGradients: step.inputGradient === null ? null : step.inputGradient.data.slice(0, data.n * this.inputSize),
      };
    } finally {
      data.dispose();
    }
  }

  /** The weights in Keras order (per dense layer: kernel [in, out], then bias [out]); copies. */
  getWeights(): WeightTensor[] {
    this.net.checkAlive();
    const values = this.net.params.data;
    return this.net.entries.map((e) => ({ name: e.name, shape: [...e.shape], values: values.slice(e.offset, e.offset + e.length) }));
  }

  /**
   * Sets every weight, in getWeights()' order; each tensor's shape (when given) and value count must
   * match, and values must be finite. Names are not checked, so weights move between models of the
   * same architecture.
   */
  setWeights(weights: ReadonlyArray<{ readonly name?: string; readonly shape?: readonly number[]; readonly values: ArrayLike<number> }>): void {
    this.net.checkAlive();
    const entries = this.net.entries;
    if (!Array.isArray(weights) || weights.length !== entries.length) {
      throw new RangeError(`simdnet setWeights: expected ${entries.length} tensors (${entries.map((e) => e.name).join(', ')}), got ${Array.isArray(weights) ? weights.length : String(weights)}`);
    }
    weights.forEach((w, i) => checkTensor(entries[i], w, i));
    const values = this.net.params.data;
    weights.forEach((w, i) => values.set(w.values, entries[i].offset));
  }

  /** All weights as one Float32Array: the flat parameter buffer's layout (getWeights() concatenated). */
  getFlatWeights(): Float32Array {
    this.net.checkAlive();
    return this.net.params.data.slice(0, this.net.size);
  }

  /** Sets all weights from one array in getFlatWeights()' layout. */
  setFlatWeights(values: ArrayLike<number>): void {
    this.net.checkAlive();
    if (values === null || typeof values !== 'object' || values.length !== this.net.size) {
      throw new RangeError(`simdnet setFlatWeights: expected ${this.net.size} values (the model's parameter count), got ${values?.length ?? String(values)}`);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new RangeError(`simdnet setFlatWeights: values[${i}] is ${values[i]}; weights must be finite`);
    }
    this.net.params.data.set(values);
  }

  /**
   * The dropout stream counter: the next dropout mask is drawn from (the model's dropout seed, this
   * stream). fit() advances it; it is saved with the model so resumed training draws the same masks.
   */
  get dropoutStream(): number {
    return this.net.dropoutStream;
  }

  set dropoutStream(value: number) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`simdnet: dropoutStream must be an integer ≥ 0, got ${value}`);
    this.net.dropoutStream = value;
  }

  /**
   * Asks a running fit() to stop after the current epoch (callbacks call this; earlyStopping does).
   * The history's stopReason is `reason`.
   */
  requestStop(reason = 'callback'): void {
    this.stop = reason;
  }

  /** @internal Reads and clears a stop request. */
  takeStopRequest(): string | null {
    const s = this.stop;
    this.stop = null;
    return s;
  }

  /** @internal fit() records finished work here. */
  advance(epochs: number, batches: number): void {
    this.progress.epochs += epochs;
    this.progress.batches += batches;
  }

  /** @internal Restores counters from a saved model. */
  restoreProgress(epochs: number, batches: number, dropoutStream: number): void {
    this.progress = { epochs, batches };
    this.dropoutStream = dropoutStream;
  }

  /** The architecture as plain data. */
  toConfig(): SequentialConfig {
    return { inputSize: this.inputSize, seed: this.seed, layers: this.layers.map((l) => l.toConfig()) };
  }

  /** A table of the layers, their output widths and parameter counts. */
  summary(): string {
    const rows = [['layer', 'type', 'output', 'params']];
    for (const l of this.layers) {
      const params = l.params().reduce((s, p) => s + p.length, 0);
      const what = l instanceof Dense || l instanceof ActivationLayer ? `${l.type} (${l.activation.name})` : l.type;
      rows.push([l.name ?? '', what, `[n, ${l.outputSize}]`, String(params)]);
    }
    rows.push(['', '', 'total', String(this.parameterCount)]);
    const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
    return rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd()).join('\n');
  }

  /** The model as bytes (topology, weights, optimizer state): see serialize.ts. For browsers and workers. */
  toBytes(): Uint8Array {
    this.net.checkAlive();
    return modelToBytes(this);
  }

  /**
   * Saves the model: to a file path (Node; written to a temporary file, then renamed over the path,
   * so a crash never leaves a half-written model), or to a sink function that receives the bytes.
   */
  save(target: string | ModelSink): Promise<void> {
    this.net.checkAlive();
    return saveModel(this, target);
  }

  /** True once dispose() has run. */
  get disposed(): boolean {
    return this.net.isDisposed;
  }

  /** Frees every buffer the model owns: parameters, gradients, arena and optimizer state. Idempotent. */
  dispose(): void {
    if (this.net.isDisposed) return;
    this.compiledWith?.optimizer.dispose();
    this.net.dispose();
  }

  // ---- internals shared with fit() ----

  /** @internal x (and y) validated and copied into backend memory. */
  inputData(where: string, x: Features, y: Targets | null, loss?: Loss): DataSet {
    this.net.checkAlive();
    const n = countRows(where, x, this.inputSize);
    const targets = y === null ? null : readTargets(where, y, n, this.outputSize, loss ?? this.requireCompiled(where).loss);
    return DataSet.create(this.backend, where, x, this.inputSize, targets, this.outputSize);
  }

  private chunkSize(where: string, options: PredictOptions): number {
    const r = new OptionReader(where, options, ['batchSize']);
    return r.number('batchSize', Math.max(DEFAULT_EVAL_BATCH, this.net.arenaCapacity), { min: 1, integer: true });
  }

  private inChunks(data: DataSet, size: number, run: (chunk: DataSet, start: number, m: number, arena: ReturnType<Network['arenaFor']>) => void): void {
    const arena = this.net.arenaFor(Math.min(size, data.n));
    for (let start = 0; start < data.n; start += size) {
      const m = Math.min(size, data.n - start);
      run(data.slice(start, m), start, m, arena);
    }
  }

  /** @internal The loss and metrics on data already in backend memory (dropout off). */
  evaluateData(data: DataSet, chunk: number): Evaluation {
    const { loss } = this.requireCompiled('evaluate');
    const n = this.outputSize;
    let sum = 0;
    let correct = 0;
    this.inChunks(data, chunk, (part, _start, m, arena) => {
      const o = this.net.forward(arena, part.x, m, false);
      sum += loss.sum(this.backend, o, part.y!, null, m, n);
      correct += countCorrect(this.backend, o, part.y!.labels, m, n, loss.threshold);
    });
    const dataLoss = sum / loss.terms(data.n, n);
    const penalty = this.net.penalty();
    const accuracy = correct / data.n;
    return { loss: dataLoss + penalty, dataLoss, penalty, accuracy, zeroOneLoss: 1 - accuracy };
  }

  /**
   * @internal One forward and backward pass over a batch of m rows: fills the flat gradient buffer
   * with ∂(dataLoss + penalty)/∂params. Does not update the weights.
   */
  gradientStep(x: F32Buffer, y: BatchTargets, m: number, training: boolean, inputGradient = false): StepResult & { inputGradient: F32Buffer | null } {
    const { loss } = this.requireCompiled('fit');
    const n = this.outputSize;
    const arena = this.net.arenaFor(m, inputGradient);
    const out = this.net.forward(arena, x, m, training);
    const sum = loss.sum(this.backend, out, y, arena.lossGrad, m, n);
    const correct = countCorrect(this.backend, out, y.labels, m, n, loss.threshold);
    const dx = this.net.backward(arena, arena.lossGrad, m, training, inputGradient);
    const penalty = this.net.penalty();
    this.net.addPenaltyGradient();
    return { dataLoss: sum / loss.terms(m, n), penalty, correct, inputGradient: dx };
  }
}

function checkTensor(entry: ParamEntry, w: { readonly shape?: readonly number[]; readonly values: ArrayLike<number> }, i: number): void {
  const where = `simdnet setWeights: weights[${i}] (${entry.name}, shape [${entry.shape.join(', ')}])`;
  if (w === null || typeof w !== 'object' || w.values === null || typeof w.values !== 'object') {
    throw new TypeError(`${where} must be { shape?, values }, got ${String(w)}`);
  }
  if (w.shape !== undefined && (w.shape.length !== entry.shape.length || w.shape.some((d, j) => d !== entry.shape[j]))) {
    throw new RangeError(`${where} has shape [${w.shape.join(', ')}]`);
  }
  if (w.values.length !== entry.length) throw new RangeError(`${where} has ${w.values.length} values, expected ${entry.length}`);
  for (let j = 0; j < w.values.length; j++) {
    if (!Number.isFinite(w.values[j])) throw new RangeError(`${where}: values[${j}] is ${w.values[j]}; weights must be finite`);
  }
}

/** A Sequential model of `layers` (see Sequential and SequentialOptions). */
export function sequential(layers: readonly Layer[], options: SequentialOptions): Sequential {
  return new Sequential(layers, options);
}

export interface MlpOptions {
  /** The number of input features. */
  inputSize: number;
  /**
   * The widths of the hidden layers, e.g. [128, 64].
   * @default []
   */
  hidden?: readonly number[];
  /** The number of outputs (classes for softmaxCrossEntropy; the last layer has activation 'identity'). */
  outputs: number;
  /**
   * The hidden layers' activation.
   * @default 'relu'
   */
  activation?: ActivationName;
  /**
   * A dropout rate after each hidden layer; 0 for none.
   * @default 0
   */
  dropout?: number;
  /**
   * An L2 penalty α·Σw² on every kernel (not the biases); 0 for none.
   * @default 0
   */
  l2?: number;
  /**
   * The hidden layers' kernel initializer (a name such as 'heNormal', or an initializer).
   * @default 'heNormal' for relu-like activations (init 'he' in ACTIVATION_TABLE), else 'glorotUniform'
   */
  kernelInitializer?: PieceSpec<Initializer>;
  /** The backend (see SequentialOptions.backend). Required. */
  backend: Backend;
  /**
   * See SequentialOptions.seed.
   * @default 0
   */
  seed?: number;
}

/**
 * The common multi-layer perceptron in one line:
 * `mlp({ inputSize: 784, hidden: [128, 64], outputs: 10, activation: 'relu', dropout: 0.2, l2: 1e-4, backend })`
 * is dense(128, relu) → dropout → dense(64, relu) → dropout → dense(10) (logits). Hidden layers use He
 * initialisation for relu-like activations and Glorot otherwise. Not compiled: call compile().
 */
export function mlp(options: MlpOptions): Sequential {
  const r = new OptionReader('mlp', options, ['inputSize', 'hidden', 'outputs', 'activation', 'dropout', 'l2', 'kernelInitializer', 'backend', 'seed']);
  const hidden = r.has('hidden') && (r.raw('hidden') as unknown[]).length > 0 ? r.numbers('hidden', { min: 1, integer: true }) : [];
  const outputs = r.number('outputs', undefined, { min: 1, integer: true });
  const act = (r.raw('activation') ?? 'relu') as ActivationName;
  const rate = r.number('dropout', 0, { min: 0, below: 1 });
  const alpha = r.number('l2', 0, { min: 0 });
  const kernelRegularizer = alpha > 0 ? l2Penalty(alpha) : null;
  const layers: Layer[] = [];
  for (const units of hidden) {
    const kernelInitializer = options.kernelInitializer ?? defaultKernelInitializer(act);
    layers.push(dense({ units, activation: act, kernelInitializer, kernelRegularizer }));
    if (rate > 0) layers.push(dropout({ rate }));
  }
  layers.push(dense({ units: outputs, kernelRegularizer }));
  return new Sequential(layers, { inputSize: options.inputSize, backend: options.backend, seed: options.seed });
}
