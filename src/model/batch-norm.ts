/**
 * `batchNormalization()`: normalizes each channel (the last axis: a conv output's channels, a dense
 * output's features) to zero mean and unit variance, then scales and shifts it, y = γ·x̂ + β, as
 * Keras. Its rows are m·(h·w) rows of c channels, one column per channel (assembly/batchnorm.ts).
 *
 *   training (fit, computeGradients({ training: true })):
 *     μ, σ² = batchNormStats(x)                   the batch's statistics, per channel
 *     y = batchNormForward(x, μ, σ², γ, β)         x̂ = (x − μ)/√(σ² + ε)
 *     movingMean = movingMean·momentum + μ·(1 − momentum), the same for movingVariance with σ²
 *     backward: batchNormBackward(training)        through μ and σ² too
 *   inference (predict, evaluate, and computeGradients by default):
 *     y = batchNormForward(x, movingMean, movingVariance, γ, β);  backward: ∂x = ∂y·γ/√(σ² + ε)
 *
 * The moving statistics are non-trainable state (Layer.stateSpecs): saved with the model and restored
 * bit for bit, not listed by getWeights(); read them with `layer.movingMean` / `movingVariance`.
 * σ² is the biased batch variance (÷ m), as TensorFlow.js and Keras 3 use for the moving average.
 */
import type { F32Buffer } from '../backend/contract.js';
import { OptionReader } from '../train/pieces.js';
import { Layer, type ParamSpec, type RunContext, type Scratch, type Shape } from './layers.js';

/** Options of batchNormalization(). */
export interface BatchNormalizationOptions {
  /**
   * How much of the moving statistics each training batch keeps: moving = moving·momentum + batch·(1 − momentum).
   * @default 0.99
   */
  momentum?: number;
  /**
   * Added to the variance before its square root.
   * @default 1e-3
   */
  epsilon?: number;
  /**
   * Whether the layer has the shift β (a parameter, initially 0).
   * @default true
   */
  center?: boolean;
  /**
   * Whether the layer has the scale γ (a parameter, initially 1).
   * @default true
   */
  scale?: boolean;
  /**
   * Keras's input shape of one row, on the first layer.
   * @default none
   */
  inputShape?: readonly number[];
  /**
   * The layer's name (prefixes its tensors' names: 'batchNormalization_1/gamma').
   * @default 'batchNormalization_<k>'
   */
  name?: string;
}

/** A batch normalization layer as plain data (what a saved model's topology holds). */
export interface BatchNormalizationConfig {
  /** Always 'batchNormalization'. */
  readonly type: 'batchNormalization';
  /** The layer's name in its model. */
  readonly name: string;
  /** The moving statistics' momentum. */
  readonly momentum: number;
  /** The variance's epsilon. */
  readonly epsilon: number;
  /** Whether the layer has β. */
  readonly center: boolean;
  /** Whether the layer has γ. */
  readonly scale: boolean;
}

/** The batch normalization layer: see batchNormalization() and the file comment. */
export class BatchNormalization extends Layer {
  readonly type = 'batchNormalization';
  /** The moving statistics' momentum. */
  readonly momentum: number;
  /** The variance's epsilon. */
  readonly epsilon: number;
  /** Whether the layer has β. */
  readonly center: boolean;
  /** Whether the layer has γ. */
  readonly scale: boolean;
  private gamma: F32Buffer | null = null;
  private beta: F32Buffer | null = null;
  private dgamma: F32Buffer | null = null;
  private dbeta: F32Buffer | null = null;
  private moving: { mean: F32Buffer; variance: F32Buffer } | null = null;

  constructor(options: BatchNormalizationOptions = {}) {
    const r = new OptionReader('batchNormalization', options, ['momentum', 'epsilon', 'center', 'scale', 'inputShape', 'name']);
    const name = r.raw('name');
    if (name !== undefined && (typeof name !== 'string' || name === '')) r.fail('name', 'a non-empty string', name);
    super(name as string | undefined);
    if (r.has('inputShape')) this.declaredInputShape = r.numbers('inputShape', { min: 1, integer: true });
    this.momentum = r.number('momentum', 0.99, { min: 0, below: 1 });
    this.epsilon = r.number('epsilon', 1e-3, { above: 0 });
    this.center = r.boolean('center', true);
    this.scale = r.boolean('scale', true);
  }

  /** Channels: the size of the last axis. */
  get channels(): number {
    const shape = this.inputShape;
    return shape[shape.length - 1];
  }

  /** Rows of one channel per input row: the product of the other axes (h·w for an image, 1 for a vector). */
  private get positions(): number {
    return this.inputSize / this.channels;
  }

  protected computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override params(): ParamSpec[] {
    const c = this.channels;
    const specs: ParamSpec[] = [];
    if (this.scale) specs.push({ name: 'gamma', shape: [c], length: c });
    if (this.center) specs.push({ name: 'beta', shape: [c], length: c });
    return specs;
  }

  override initialize(values: Float32Array): void {
    const c = this.channels;
    if (this.scale) values.fill(1, 0, c);
    if (this.center) values.fill(0, this.scale ? c : 0, (this.scale ? c : 0) + c);
  }

  override attach(params: F32Buffer[], grads: F32Buffer[]): void {
    this.gamma = this.scale ? params[0] : null;
    this.dgamma = this.scale ? grads[0] : null;
    this.beta = this.center ? params[this.scale ? 1 : 0] : null;
    this.dbeta = this.center ? grads[this.scale ? 1 : 0] : null;
  }

  override stateSpecs(): ParamSpec[] {
    const c = this.channels;
    return [{ name: 'movingMean', shape: [c], length: c }, { name: 'movingVariance', shape: [c], length: c }];
  }

  override initializeState(values: Float32Array): void {
    const c = this.channels;
    values.fill(0, 0, c);
    values.fill(1, c, 2 * c);
  }

  override attachState(state: F32Buffer[]): void {
    this.moving = { mean: state[0], variance: state[1] };
  }

  private movingStats(): { mean: F32Buffer; variance: F32Buffer } {
    if (this.moving === null) throw new Error(`simdnet: batchNormalization layer '${this.name}' is not part of a model yet`);
    return this.moving;
  }

  /** A copy of the moving mean, one value per channel (what inference normalizes with). */
  get movingMean(): Float32Array {
    return this.movingStats().mean.data.slice();
  }

  /** A copy of the moving variance, one value per channel. */
  get movingVariance(): Float32Array {
    return this.movingStats().variance.data.slice();
  }

  override scratchWidths(): Record<string, number> {
    // The input gradient is written over ∂y (batchNormBackward allows dx = dy), so no dx slot.
    return { y: this.inputSize };
  }

  override scratchSizes(): Record<string, number> {
    return { mean: this.channels, variance: this.channels };
  }

  forward(ctx: RunContext, x: F32Buffer, m: number, training: boolean, scratch: Scratch): F32Buffer {
    const b = ctx.backend;
    const c = this.channels;
    const rows = m * this.positions;
    if (!training) {
      const { mean, variance } = this.movingStats();
      b.batchNormForward(x, mean, variance, this.gamma, this.beta, scratch.y, rows, c, this.epsilon);
      return scratch.y;
    }
    b.batchNormStats(x, scratch.mean, scratch.variance, rows, c);
    b.batchNormForward(x, scratch.mean, scratch.variance, this.gamma, this.beta, scratch.y, rows, c, this.epsilon);
    // Keras's moving average: moving·momentum + batch·(1 − momentum), as two exact-order kernels.
    const moving = this.movingStats();
    for (const [avg, batch] of [[moving.mean, scratch.mean], [moving.variance, scratch.variance]] as const) {
      b.scale(avg, c, this.momentum);
      b.axpy(avg, batch, c, 1 - this.momentum);
    }
    return scratch.y;
  }

  backward(ctx: RunContext, x: F32Buffer, dy: F32Buffer, m: number, training: boolean, needsInputGradient: boolean, scratch: Scratch): F32Buffer | null {
    const { mean, variance } = training ? { mean: scratch.mean, variance: scratch.variance } : this.movingStats();
    ctx.backend.batchNormBackward(x, dy, mean, variance, this.gamma, dy, this.dgamma, this.dbeta, m * this.positions, this.channels, this.epsilon, training);
    return needsInputGradient ? dy : null;
  }

  toConfig(): BatchNormalizationConfig {
    return { type: 'batchNormalization', name: this.name ?? 'batchNormalization', momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

/**
 * Batch normalization over the last axis (see the file comment).
 * @example
 *     conv2d({ filters: 32, kernelSize: 3, useBias: false }), batchNormalization(), activation('relu')
 */
export function batchNormalization(options: BatchNormalizationOptions = {}): BatchNormalization {
  return new BatchNormalization(options);
}
