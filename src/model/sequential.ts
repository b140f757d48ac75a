/**
 * `sequential([...layers], { inputSize | inputShape, backend })`: a stack of layers trained as one model.
 *
 *     const backend = await init();
 *     const model = sequential([
 *       dense({ units: 128, activation: 'relu' }),
 *       dropout({ rate: 0.2 }),
 *       dense({ units: 10 }),                      // logits: the loss applies softmax (or Keras's 'softmax', fused)
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
 * Users never free intermediates: `dispose()` frees everything at once. A model dropped without
 * dispose() is freed when the engine collects it (reclaim.ts), a safety net, not a substitute.
 *
 * The parts: Network (network.ts) is the numeric core (layers over one flat parameter buffer); the
 * training loop is src/train/fit.ts, which drives this class only through its small Trainee interface
 * (network, compiled, seed, state); the file format is format.ts (pure functions over bytes).
 *
 * The backend is explicit (no hidden global): pass the ReadyBackend of `await init()` (wasm) or
 * `jsBackend()` (pure JS). A model and its buffers live on that one backend.
 */
import type { Backend } from '../backend/contract.js';
import { OptionReader, excerpt } from '../train/pieces.js';
import { fit as fitModel, type FitOptions, type History } from '../train/fit.js';
import { evaluateData, type Evaluation } from '../train/step.js';
import { TrainingState } from '../train/training-state.js';
import { Layer, shapeSize, type Shape } from './layers.js';
import { Dense } from './dense.js';
import { Network } from './network.js';
import { resolveGradientOptions } from './gradient-options.js';
import { unwatch, watch, type Owned } from './reclaim.js';
import { checkDeclaredShapes, nameLayers, resolveSequentialOptions, type SequentialOptions } from './sequential-options.js';
import { summaryTable } from './summary.js';
import { snapshotOf, topologyOf } from './snapshot.js';
import { resolveCompile, type CompileOptions, type Compiled } from './compile.js';
import { confusionMatrix, needsExtraMetrics } from './metrics.js';
import { predictInto, predictRowCount, PredictStage, toRows, type PredictInput } from './predict-into.js';
import { classRows, gradientsAt, type GradientOptions, type Gradients, type PredictOptions } from './inference.js';
import { DeviceData, countRows, readTargets, type Features, type Targets } from './data.js';
import { encodeModel, type ModelSnapshot, type ModelTopology } from './format.js';
import { writeModelBytes, type ModelSink } from './sink.js';
import { readWeights, writeFlatWeights, writeWeights, type WeightInput, type WeightTensor } from './weights.js';

/** A plain-data description of a model's architecture (what a saved file's topology holds). */
export type SequentialConfig = ModelTopology;

export type { GradientOptions, Gradients, PredictOptions } from './inference.js';
export type { SequentialOptions } from './sequential-options.js';
export type { PredictInput } from './predict-into.js';

const DEFAULT_EVAL_BATCH = 256;

/** A stack of layers trained as one model: see the file comment, sequential() and mlp(). */
export class Sequential {
  /** The backend the model's memory and kernels live on. */
  readonly backend: Backend;
  /** The shape of one input row. */
  readonly inputShape: Shape;
  /** Values per input row (the product of inputShape). */
  readonly inputSize: number;
  /** The seed of the weights, the dropout masks and (by default) fit()'s shuffles. */
  readonly seed: number;
  /** The layers, in order (each built: inputShape/outputShape set). */
  readonly layers: readonly Layer[];
  /** @internal The numeric core: what fit() (src/train/fit.ts) trains. */
  readonly network: Network;
  /** @internal Progress counters, training lock and stop request, shared with fit(). */
  readonly state = new TrainingState();
  private compiledWith: Compiled | null = null;
  /** What the model owns (network, optimizer, predict()'s staging buffer), also for the finalization safety net (reclaim.ts). */
  private readonly owned: Owned;

  constructor(layers: readonly Layer[], options: SequentialOptions) {
    const o = resolveSequentialOptions(options, Array.isArray(layers) && layers[0] instanceof Layer ? layers[0].declaredInputShape : null);
    this.backend = o.backend;
    this.inputShape = o.inputShape;
    this.inputSize = shapeSize(o.inputShape);
    this.seed = o.seed;
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new RangeError(`simdnet sequential: layers must be a non-empty array of layers (dense(), activation(), dropout(), flatten()), got ${excerpt(layers)}`);
    }
    layers.forEach((l, i) => {
      if (!(l instanceof Layer)) throw new TypeError(`simdnet sequential: layers[${i}] is not a layer (make one with dense(), activation(), dropout() or flatten()), got ${excerpt(l)}`);
      // Checked for all layers before any is built, so a refused model leaves its layers usable.
      if (l.isBuilt) throw new Error(`simdnet sequential: layers[${i}] ('${l.name}') is already part of a model; create a new layer for each model`);
    });
    this.layers = [...layers];
    nameLayers(this.layers);
    checkDeclaredShapes(this.layers, this.inputShape);
    this.network = new Network(this.backend, this.inputShape, this.layers, this.seed);
    this.owned = { network: this.network, optimizer: null, stage: null };
    watch(this, this.owned);
  }


  /** The number of outputs per row (the last layer's width). */
  get outputSize(): number {
    return this.network.outputSize;
  }

  /** The shape of one output row (the last layer's outputShape). */
  get outputShape(): Shape {
    return this.network.outputShape;
  }

  /** The number of trainable parameters (floats in the flat parameter buffer). */
  get parameterCount(): number {
    return this.network.size;
  }

  /** Epochs fit() has completed on this model (continues across fit() calls and save/load). */
  get epochsTrained(): number {
    return this.state.epochs;
  }

  /** Optimizer steps (batches) fit() has completed on this model. */
  get batchesTrained(): number {
    return this.state.batches;
  }

  /** True while a fit() (or a worker's training of this model) runs. */
  get training(): boolean {
    return this.state.training;
  }

  /** @internal Set by a trainer that trains the model elsewhere (the worker host), as fit() does. */
  set training(value: boolean) {
    this.state.training = value;
  }

  /** The loss, optimizer and metrics compile() fixed, or null before compile(). */
  get compiled(): Compiled | null {
    return this.compiledWith;
  }

  /**
   * Fixes the loss, optimizer and metrics. The cross-entropy losses take logits: the model's last
   * activation is 'identity', or the loss's own ('softmax' / 'sigmoid'), which compile() fuses into
   * the loss (training on the logits; predict() still returns probabilities). Calling compile() again replaces the optimizer (its state
   * is freed) and keeps the weights.
   */
  compile(options: CompileOptions): this {
    this.network.checkAlive();
    if (this.state.training) throw new Error('simdnet compile: the model is training; compile() before or after fit(), not during it');
    const compiled = resolveCompile(options, this.layers, this.outputSize);
    if (this.compiledWith !== null && this.compiledWith.optimizer !== compiled.optimizer) this.compiledWith.optimizer.dispose();
    this.compiledWith = compiled;
    this.owned.optimizer = compiled.optimizer;
    for (const l of this.layers) if (l instanceof Dense) l.fuseActivationIntoLoss(l === compiled.fused);
    return this;
  }

  /** @internal compile()'s result, or an error naming `where` (for trainers outside fit(): the worker host). */
  requireCompiled(where: string): Compiled {
    this.network.checkAlive();
    if (this.compiledWith === null) throw new Error(`simdnet ${where}: call model.compile({ loss, optimizer }) first`);
    return this.compiledWith;
  }

  /**
   * Trains the model; see FitOptions and src/train/fit.ts. Resolves to the history once training stops.
   * @example
   *     const { history } = await model.fit(x, y, { epochs: 5, batchSize: 64, validationSplit: 0.1 });
   */
  fit(x: Features, y: Targets, options: FitOptions = {}): Promise<History> {
    return fitModel(this, x, y, options);
  }

  /** x (and y) validated and copied into backend memory. */
  private deviceData(where: string, x: Features, y: Targets | null): DeviceData {
    this.network.checkAlive();
    return DeviceData.of(this.network, where, x, y, y === null ? null : this.requireCompiled(where).loss);
  }

  private chunkSize(where: string, options: PredictOptions): number {
    const r = new OptionReader(where, options, ['batchSize']);
    return r.number('batchSize', Math.max(DEFAULT_EVAL_BATCH, this.network.arenaCapacity), { min: 1, integer: true });
  }

  /**
   * The model's predictions for x: probabilities for the cross-entropy losses (softmax rows for
   * softmaxCrossEntropy, σ of each output for sigmoidCrossEntropy), the last layer's outputs (a
   * softmax layer's probabilities too) for meanSquaredError or before compile(). A Float32Array [n, outputs], row-major. Dropout is off.
   * x is rows flattened (Float32Array, Float64Array or number[]; one row is inputSize values) or
   * an array of rows. predictInto() writes into an array of yours instead; predictRows() returns rows.
   */
  predict(x: PredictInput, options?: PredictOptions): Float32Array {
    this.network.checkAlive();
    const out = new Float32Array(predictRowCount('predict', x, this.inputSize) * this.outputSize);
    this.predictInto(x, out, options, 'predict');
    return out;
  }

  /**
   * predict() into `out` (a Float32Array of n·outputs values), allocating nothing once the model has
   * run a batch this large: for one row at a time, `model.predictInto(pixels, probs)`.
   */
  predictInto(x: PredictInput, out: Float32Array, options?: PredictOptions, where = 'predictInto'): void {
    this.network.checkAlive();
    const chunk = options === undefined ? Math.max(DEFAULT_EVAL_BATCH, this.network.arenaCapacity) : this.chunkSize(where, options);
    this.owned.stage ??= new PredictStage(this.backend, this.inputSize);
    predictInto(this.network, this.compiledWith?.loss ?? null, this.owned.stage, where, x, out, chunk);
  }

  /** predict() as n rows of outputs numbers (number[][]), the shape of x's rows. */
  predictRows(x: PredictInput, options?: PredictOptions): number[][] {
    return toRows(this.predict(x, options), this.outputSize);
  }

  /**
   * The predicted class of each row of x: the argmax of the outputs, or for a one-output model
   * 1 when the output is at or above the loss's threshold (probability ½), else 0.
   */
  predictClasses(x: Features, options: PredictOptions = {}): Int32Array {
    const data = this.deviceData('predictClasses', x, null);
    try {
      return classRows(this.network, this.compiledWith?.loss.threshold ?? 0.5, data, this.chunkSize('predictClasses', options));
    } finally {
      data.dispose();
    }
  }

  /**
   * The loss (data loss + penalty), accuracy and 0/1 loss on (x, y), with dropout off, and the other
   * metrics compile() listed (precision, recall, f1 with their per-class arrays, topKAccuracy, mae).
   */
  evaluate(x: Features, y: Targets, options: PredictOptions = {}): Evaluation {
    const { loss, metrics, topK } = this.requireCompiled('evaluate');
    const data = this.deviceData('evaluate', x, y);
    try {
      return evaluateData(this.network, loss, data, this.chunkSize('evaluate', options), needsExtraMetrics(metrics) ? { names: metrics, k: topK } : null);
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
    const { training, inputGradients, weights } = resolveGradientOptions(options, this.outputSize);
    const data = this.deviceData('computeGradients', x, y);
    try {
      return gradientsAt(this.network, loss, data, training, inputGradients, weights);
    } finally {
      data.dispose();
    }
  }

  /** The weights in Keras order (per dense layer: kernel [in, out], then bias [out]); copies. */
  getWeights(): WeightTensor[] {
    this.network.checkAlive();
    return readWeights(this.network);
  }

  /**
   * Sets every weight, in getWeights()' order; each tensor's shape (when given) and value count must
   * match, and values must be finite. Names are not checked, so weights move between models of the
   * same architecture.
   */
  setWeights(weights: readonly WeightInput[]): void {
    this.network.checkAlive();
    writeWeights(this.network, weights);
  }

  /** All weights as one Float32Array: the flat parameter buffer's layout (getWeights() concatenated). */
  getFlatWeights(): Float32Array {
    this.network.checkAlive();
    return this.network.params.data.slice(0, this.network.size);
  }

  /** Sets all weights from one array in getFlatWeights()' layout. */
  setFlatWeights(values: ArrayLike<number>): void {
    this.network.checkAlive();
    writeFlatWeights(this.network, values);
  }

  /**
   * The dropout stream counter: the next dropout mask is drawn from (the model's dropout seed, this
   * stream). fit() advances it; it is saved with the model so resumed training draws the same masks.
   */
  get dropoutStream(): number {
    return this.network.dropoutStream;
  }

  /** Sets the stream counter (an integer ≥ 0), e.g. to replay the masks of an earlier run. */
  set dropoutStream(value: number) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`simdnet: dropoutStream must be an integer ≥ 0, got ${value}`);
    this.network.dropoutStream = value;
  }

  /**
   * Asks a running fit() to stop after the current epoch (callbacks call this; earlyStopping does).
   * The history's stopReason is `reason`.
   */
  requestStop(reason = 'callback'): void {
    this.state.requestStop(reason);
  }

  /** @internal Restores the counters of a saved model (loadModel) or of a worker's training. */
  restoreProgress(epochs: number, batches: number, dropoutStream: number): void {
    this.state.epochs = epochs;
    this.state.batches = batches;
    this.dropoutStream = dropoutStream;
  }

  /** The architecture as plain data (inputShape only when the input has more than one axis). */
  toConfig(): SequentialConfig {
    return topologyOf(this.layers, this.inputShape, this.inputSize, this.seed);
  }

  /**
   * The Keras / TensorFlow.js summary table: each layer's name and type, output shape ([null, ...]:
   * null is the batch axis) and parameter count, then the totals. tfjs's arguments: the line length
   * (default 65), where the three columns end (fractions of the line, default [0.45, 0.85, 1]), and
   * a function that receives each line (tfjs prints with console.log by default; here nothing is
   * printed unless printFn is given). Always returns the table as one string.
   * @example
   *     model.summary(undefined, undefined, console.log);   // prints it, as tfjs's model.summary()
   *     const text = model.summary(80);                      // or keep it
   */
  summary(lineLength?: number, positions?: readonly number[], printFn?: (line: string) => void): string {
    return summaryTable(this.layers, this.parameterCount, lineLength, positions, printFn);
  }

  /** The model as plain data: what toBytes() encodes (see format.ts). Copies the weights and state. */
  snapshot(): ModelSnapshot {
    this.network.checkAlive();
    return snapshotOf(this.toConfig(), this.network, this.compiledWith, this.state);
  }

  /** The model as bytes (topology, weights, optimizer state): see format.ts. For browsers and workers. */
  toBytes(): Uint8Array {
    return encodeModel(this.snapshot());
  }

  /**
   * Saves the model: to a file path (Node; written to a temporary file, then renamed over the path,
   * so a crash never leaves a half-written model), or to a sink function that receives the bytes.
   */
  save(target: string | ModelSink): Promise<void> {
    this.network.checkAlive();
    return writeModelBytes(target, this.toBytes());
  }

  /** True once dispose() has run. */
  get disposed(): boolean {
    return this.network.isDisposed;
  }

  /**
   * Frees every buffer the model owns: parameters, gradients, arena and optimizer state. Idempotent.
   * The way to release a model's memory (a dropped model is freed only when the engine collects it).
   */
  dispose(): void {
    if (this.network.isDisposed) return;
    unwatch(this.owned);
    this.compiledWith?.optimizer.dispose();
    this.owned.stage?.free();
    this.network.dispose();
  }
}

/**
 * A Sequential model of `layers` (see Sequential and SequentialOptions).
 * @example
 *     const model = sequential([dense({ units: 16, activation: 'relu' }), dense({ units: 3 })], { inputSize: 4, backend });
 */
export function sequential(layers: readonly Layer[], options: SequentialOptions): Sequential {
  return new Sequential(layers, options);
}
