/**
 * The layer contract inside a model. A layer is built once for an input width; it then names the
 * parameters it owns (their slices of the model's ONE flat parameter buffer) and the per-row scratch
 * it needs (its slices of the model's arena), and runs forward and backward passes over a batch of
 * m rows with those buffers. Layers never allocate: the model hands them views.
 *
 * The three kinds are a closed discriminated union (`LayerConfig['type']`); `layerFromConfig` is
 * their registry and throws naming the known types on an unknown one.
 */
import type { Backend, F32Buffer } from '../backend/contract.js';
import type { Rng } from '../math/random.js';
import type { DenseConfig } from './dense.js';
import type { ActivationConfig } from './activation-layer.js';
import type { DropoutConfig } from './dropout.js';

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

export abstract class Layer {
  abstract readonly type: string;
  /** The name given in the options, or one the model assigns ('dense_1', 'dropout_2', ...). */
  name: string | null;
  private built: { inputSize: number; outputSize: number } | null = null;

  constructor(name: string | undefined) {
    this.name = name ?? null;
  }

  /** Fixes the input width (once: a layer object belongs to one model) and returns the output width. */
  build(inputSize: number): number {
    if (this.built !== null) {
      throw new Error(`simdnet: layer '${this.name ?? this.type}' is already part of a model; create a new layer for each model`);
    }
    const outputSize = this.outputSizeFor(inputSize);
    this.built = { inputSize, outputSize };
    return outputSize;
  }

  /** True once the layer belongs to a model. */
  get isBuilt(): boolean {
    return this.built !== null;
  }

  get inputSize(): number {
    return this.shape().inputSize;
  }

  get outputSize(): number {
    return this.shape().outputSize;
  }

  private shape(): { inputSize: number; outputSize: number } {
    if (this.built === null) throw new Error(`simdnet: layer '${this.name ?? this.type}' is not part of a model yet`);
    return this.built;
  }

  protected abstract outputSizeFor(inputSize: number): number;

  /** The parameter tensors, in the order they sit in the flat buffer. */
  params(): ParamSpec[] {
    return [];
  }

  /** Fills this layer's parameters (`values`: its slice of the flat buffer, Keras order) from `rng`. */
  initialize(_values: Float32Array, _rng: Rng): void {}

  /** Receives views of its parameters and their gradients in the flat buffers (empty when it has none). */
  attach(_params: F32Buffer[], _grads: F32Buffer[]): void {}

  /**
   * Scratch widths per batch row, by name. `needsInputGradient` says whether backward() must produce
   * ∂L/∂x (false only for the first trainable layer when no input gradient was asked for).
   */
  scratchWidths(_needsInputGradient: boolean): Record<string, number> {
    return {};
  }

  /** Runs the layer on x [m, inputSize]; returns the output [m, outputSize] (a scratch buffer or x itself). */
  abstract forward(ctx: RunContext, x: F32Buffer, m: number, training: boolean, scratch: Scratch): F32Buffer;

  /**
   * Given dy = ∂L/∂output [m, outputSize] (which it may overwrite), writes its parameter gradients and
   * returns ∂L/∂x [m, inputSize] when `needsInputGradient`, else null. `x` is the forward input and
   * `training` the mode of the forward pass just run.
   */
  abstract backward(ctx: RunContext, x: F32Buffer, dy: F32Buffer, m: number, training: boolean, needsInputGradient: boolean, scratch: Scratch): F32Buffer | null;

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
  abstract toConfig(): LayerConfig;
}

/** A layer as plain data (what a saved model's topology holds). */
export type LayerConfig = DenseConfig | ActivationConfig | DropoutConfig;
