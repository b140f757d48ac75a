/**
 * The layer contract inside a model. A layer is built once for an input shape (one row, without the
 * batch axis, as Keras's computeOutputShape); it then names the parameters it owns (their slices of
 * the model's ONE flat parameter buffer) and the per-row scratch it needs (its slices of the model's
 * arena), and runs forward and backward passes over a batch of m rows with those buffers. Layers
 * never allocate: the model hands them views.
 *
 * A row of shape [h, w, c] is stored flat, row-major (c fastest): its width is the product of the
 * shape. A layer that ignores the shape (dense, activation, dropout) sees a row of that width; a layer
 * that needs it (a convolution) reads it from inputShape. An impossible shape is refused at build,
 * naming the layer.
 *
 * The kinds are a closed discriminated union (`LayerConfig['type']`, in layer-registry.ts, which
 * turns a config back into a layer and throws naming the known types on an unknown one).
 */
import type { Backend, F32Buffer, I32Buffer, Kernels } from '../backend/contract.js';
import type { Rng } from '../math/random.js';
import type { PackedWeights } from './packed-weights.js';

/** The shape of one row (without the batch axis), e.g. [28, 28, 1]; every dimension an integer ≥ 1. */
export type Shape = readonly number[];

/** The number of values in a row of `shape` (the product of its dimensions). */
export function shapeSize(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** What every layer config has: its type (the registry's key) and its name. */
export interface LayerConfigBase {
  readonly type: string;
  readonly name: string;
}

/** One parameter tensor of a layer, in Keras order (kernel [in, out], then bias [out]). */
export interface ParamSpec {
  /** 'kernel' or 'bias' (the model prefixes the layer's name: 'dense_1/kernel'). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly length: number;
}

/** What a layer sees of the model while it runs. */
export interface RunContext {
  readonly backend: Backend;
  /**
   * The backend's kernels without the per-call argument checks (uncheckedKernels), for a layer's
   * calls whose sizes and buffers are its own: fixed when the network was built (computeOutputShape,
   * the arena sized for m rows), with x validated where it entered (fit, predict, evaluate).
   */
  readonly kernels: Kernels;
  /** Dense kernels packed for inference (forward passes with training false), or null (js backend). */
  readonly packed: PackedWeights | null;
  /**
   * The layer whose kernel is known to be all finite (the network's rank-one layer after an
   * online-SGD step that flagged no row), or null: its products may pass matmul's finiteB.
   */
  finiteKernel: object | null;
  /** The model's dropout seed: with the stream counter it makes every mask reproducible. */
  readonly dropoutSeed: number;
  /** The next dropout stream (a counter the model advances and saves, so resumed runs match). */
  nextDropoutStream(): number;
}

/**
 * Per-layer scratch for a batch: named buffers of `capacity` rows each (widths from
 * Layer.scratchWidths). A layer uses the first m rows.
 */
export type Scratch = Readonly<Record<string, F32Buffer>>;

/** Per-layer i32 scratch for a batch (widths from Layer.indexWidths): max pooling's argmax. */
export type IndexScratch = Readonly<Record<string, I32Buffer>>;

interface Built {
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly inputSize: number;
  readonly outputSize: number;
}

/** The base class of every layer (dense, activation, dropout, flatten): see the file comment. */
export abstract class Layer {
  /** The layer's kind: the key of its config in the layer registry ('dense', 'dropout', ...). */
  abstract readonly type: string;
  /** The name given in the options, or one the model assigns ('dense_1', 'dropout_2', ...). */
  name: string | null;
  /**
   * Keras's `inputShape` given on a layer (dense, flatten): on the first layer it is the model's input
   * shape, so sequential() needs no inputSize; on a later layer it must match what the layer gets.
   */
  declaredInputShape: Shape | null = null;
  private built: Built | null = null;

  constructor(name: string | undefined) {
    this.name = name ?? null;
  }

  /**
   * Fixes the input shape (once: a layer object belongs to one model) and returns the output shape.
   * A shape the layer cannot take is refused here, with an error naming the layer.
   */
  build(inputShape: Shape): Shape {
    if (this.built !== null) {
      throw new Error(`simdnet: layer '${this.name ?? this.type}' is already part of a model; create a new layer for each model`);
    }
    const outputShape = this.outputShapeFor(inputShape);
    this.built = { inputShape: [...inputShape], outputShape: [...outputShape], inputSize: shapeSize(inputShape), outputSize: shapeSize(outputShape) };
    return this.built.outputShape;
  }

  /**
   * The output shape this layer would have for `inputShape`, without building it (a model checks
   * every layer's shape this way before building any, so a refused model leaves its layers usable).
   */
  outputShapeFor(inputShape: Shape): Shape {
    const outputShape = this.computeOutputShape(inputShape);
    if (!Array.isArray(outputShape) || outputShape.length === 0 || outputShape.some((d) => !Number.isSafeInteger(d) || d < 1)) {
      this.refuseShape(inputShape, `a layer that gives an output shape of integers ≥ 1, but it gave [${String(outputShape)}]`);
    }
    return outputShape;
  }

  /** True once the layer belongs to a model. */
  get isBuilt(): boolean {
    return this.built !== null;
  }

  /** The shape of one input row (set when the model is built). */
  get inputShape(): Shape {
    return this.shape().inputShape;
  }

  /** The shape of one output row. */
  get outputShape(): Shape {
    return this.shape().outputShape;
  }

  /** Values per input row: the product of inputShape. */
  get inputSize(): number {
    return this.shape().inputSize;
  }

  /** Values per output row: the product of outputShape. */
  get outputSize(): number {
    return this.shape().outputSize;
  }

  private shape(): Built {
    if (this.built === null) throw new Error(`simdnet: layer '${this.name ?? this.type}' is not part of a model yet`);
    return this.built;
  }

  /** The output shape for an input shape (one row each); throws (see refuseShape) on a shape it cannot take. */
  protected abstract computeOutputShape(inputShape: Shape): Shape;

  /** Throws the build error for an input shape this layer cannot take; `expected` says what it takes. */
  protected refuseShape(inputShape: Shape, expected: string): never {
    throw new RangeError(`simdnet sequential: layer '${this.name ?? this.type}' (${this.type}) cannot take input shape [${inputShape.join(', ')}]: expected ${expected}`);
  }

  /** The parameter tensors, in the order they sit in the flat buffer. */
  params(): ParamSpec[] {
    return [];
  }

  /** Fills this layer's parameters (`values`: its slice of the flat buffer, Keras order) from `rng`. */
  initialize(_values: Float32Array, _rng: Rng): void {}

  /** Receives views of its parameters and their gradients in the flat buffers (empty when it has none). */
  attach(_params: F32Buffer[], _grads: F32Buffer[]): void {}

  /**
   * Non-trainable state tensors (batch normalization's moving mean and variance): saved with the
   * model and restored bit for bit, but not parameters (no gradient, no optimizer, no regularizer;
   * getWeights() does not list them). They sit in the model's flat state buffer, in layer order.
   */
  stateSpecs(): ParamSpec[] {
    return [];
  }

  /** Fills this layer's state (`values`: its slice of the flat state buffer) with its initial values. */
  initializeState(_values: Float32Array): void {}

  /** Receives views of its state tensors in the flat state buffer (stateSpecs' order). */
  attachState(_state: F32Buffer[]): void {}

  /**
   * Scratch widths per batch row, by name. `needsInputGradient` says whether backward() must produce
   * ∂L/∂x (false only for the first trainable layer when no input gradient was asked for).
   */
  scratchWidths(_needsInputGradient: boolean): Record<string, number> {
    return {};
  }

  /**
   * Scratch of a fixed size in floats, by name, for batches of up to `capacity` rows, beside the
   * per-row scratchWidths (a convolution's im2col columns: it works through a large batch in chunks,
   * so their size is bounded whatever the capacity). Names must differ from scratchWidths' names.
   */
  scratchSizes(_capacity: number, _needsInputGradient: boolean): Record<string, number> {
    return {};
  }

  /** i32 scratch widths per batch row, by name (max pooling keeps its argmax there for the backward pass). */
  indexWidths(): Record<string, number> {
    return {};
  }

  /**
   * Runs the layer on x [m, inputSize]; returns the output [m, outputSize] (a scratch buffer or x
   * itself). `indices` holds the i32 scratch of indexWidths.
   */
  abstract forward(ctx: RunContext, x: F32Buffer, m: number, training: boolean, scratch: Scratch, indices: IndexScratch): F32Buffer;

  /**
   * Given dy = ∂L/∂output [m, outputSize] (which it may overwrite), writes its parameter gradients and
   * returns ∂L/∂x [m, inputSize] when `needsInputGradient`, else null. `x` is the forward input and
   * `training` the mode of the forward pass just run.
   */
  abstract backward(ctx: RunContext, x: F32Buffer, dy: F32Buffer, m: number, training: boolean, needsInputGradient: boolean, scratch: Scratch, indices: IndexScratch): F32Buffer | null;

  /** The weight penalty of this layer's regularizers (0 when it has none). */
  penalty(_backend: Backend): number {
    return 0;
  }

  /** Adds the regularizers' gradients to the parameter gradients. */
  addPenaltyGradient(_backend: Backend): void {}

  /** True when this layer has a regularizer (so the model knows whether to compute penalties at all). */
  get regularized(): boolean {
    return false;
  }

  /** The plain-data description that layerFromConfig() turns back into an equal layer. */
  abstract toConfig(): LayerConfigBase;
}
