/**
 * `dense({ units })`: a fully connected layer, y = f(x·W + b), with W a [in, out] kernel and b an [out]
 * bias (Keras layout), both views of the model's flat parameter buffer.
 *
 *   forward:  z = x·W            matmul NN  [m,in]·[in,out]
 *             y = f(z + b)       biasActivation (fused epilogue; z keeps the pre-activation)
 *   backward: Δ = ∂y ⊙ f'(z)     activationBackward, in place on ∂y
 *             ∂W = xᵀ·Δ          matmul TN  (no transpose is materialised)
 *             ∂b = Σ_rows Δ      biasGrad
 *             ∂x = Δ·Wᵀ          matmul NT  (skipped by the first trainable layer)
 *
 * With activation 'step' the gradient through the layer is zero (the step's derivative is 0 almost
 * everywhere): a network of step units cannot learn by backpropagation. A step neuron (the formal
 * neuron / perceptron) is there to demonstrate the model, with weights set by hand via setWeights().
 */
import type { ActivationName, Backend, F32Buffer } from '../backend/contract.js';
import type { Rng } from '../math/random.js';
import type { Initializer, PieceConfig, Regularizer } from '../train/types.js';
import { OptionReader } from '../train/pieces.js';
import { Layer, type ParamSpec, type RunContext, type Scratch, type Shape } from './layers.js';
import { resolveActivation, type ResolvedActivation } from './activation-layer.js';
import { resolveInitializer, resolveRegularizer, type PieceSpec } from './resolve.js';
import { packedPays } from './packed-weights.js';

/** Options of dense(). */
export interface DenseOptions {
  /** The number of units (neurons): the output width. */
  units: number;
  /**
   * The activation f applied after the bias, or 'softmax' over each row (Keras's classifier output:
   * only on the last layer, with loss 'categoricalCrossentropy' / 'softmaxCrossEntropy'). On the
   * last layer, 'softmax' with a softmax cross-entropy and 'sigmoid' (slope 1) with a binary one are
   * fused into the loss by compile(): training uses the logits, predict() the probabilities. 'identity'
   * there (logits) works with every loss.
   * @default 'identity'
   */
  activation?: ActivationName | 'softmax';
  /**
   * The activation's parameter: the slope a of sigmoid 1/(1+e^(−a·z)), the negative slope of
   * leakyRelu, the α of elu (the others ignore it).
   * @default ACTIVATION_DEFAULT_ALPHA[activation] (sigmoid 1, leakyRelu 0.01, elu 1)
   */
  activationAlpha?: number;
  /**
   * Whether the layer has a bias b.
   * @default true
   */
  useBias?: boolean;
  /**
   * How W is initialised: an initializer from src/train/initializers, its name, or its config.
   * @default 'glorotUniform'
   */
  kernelInitializer?: PieceSpec<Initializer>;
  /**
   * How b is initialised.
   * @default 'zeros'
   */
  biasInitializer?: PieceSpec<Initializer>;
  /**
   * A penalty on W (e.g. l2(1e-4)), added to the loss and its gradient; null for none.
   * @default null
   */
  kernelRegularizer?: PieceSpec<Regularizer> | null;
  /**
   * A penalty on b; null for none.
   * @default null
   */
  biasRegularizer?: PieceSpec<Regularizer> | null;
  /**
   * Keras's input shape of one row (e.g. [784]), on the first layer instead of sequential()'s
   * inputSize / inputShape option (either place works; both must then agree).
   * @default none (sequential() says the input size)
   */
  inputShape?: readonly number[];
  /**
   * The layer's name (prefixes its weights' names: 'dense_1/kernel').
   * @default 'dense_<k>', k counting this model's dense layers from 1
   */
  name?: string;
}

const DENSE_OPTIONS = [
  'units', 'activation', 'activationAlpha', 'useBias', 'kernelInitializer', 'biasInitializer',
  'kernelRegularizer', 'biasRegularizer', 'name', 'inputShape',
];

/** A dense layer as plain data (what a saved model's topology holds). */
export interface DenseConfig {
  /** Always 'dense'. */
  readonly type: 'dense';
  /** The layer's name in its model ('dense_1', ...). */
  readonly name: string;
  /** Output width. */
  readonly units: number;
  /** The activation after the bias (or 'softmax' over the row). */
  readonly activation: ActivationName | 'softmax';
  /** The activation's parameter (the table's default when none was given). */
  readonly activationAlpha: number;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
  /** The kernel's initializer, as plain data. */
  readonly kernelInitializer: PieceConfig;
  /** The bias's initializer, as plain data. */
  readonly biasInitializer: PieceConfig;
  /** The kernel's regularizer, or null. */
  readonly kernelRegularizer: PieceConfig | null;
  /** The bias's regularizer, or null. */
  readonly biasRegularizer: PieceConfig | null;
}

/** The fully connected layer: see dense() and the file comment. */
export class Dense extends Layer {
  readonly type = 'dense';
  /** Output width. */
  readonly units: number;
  /** The elementwise activation ('identity' for a softmax layer: softmax is not elementwise). */
  readonly activation: ResolvedActivation;
  /** True for activation 'softmax': a softmax over each output row follows the bias. */
  readonly softmax: boolean;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
  /** How the kernel [in, units] is initialized. */
  readonly kernelInitializer: Initializer;
  /** How the bias is initialized. */
  readonly biasInitializer: Initializer;
  /** The kernel's penalty, or null. */
  readonly kernelRegularizer: Regularizer | null;
  /** The bias's penalty, or null. */
  readonly biasRegularizer: Regularizer | null;
  private w: F32Buffer | null = null;
  private b: F32Buffer | null = null;
  private dw: F32Buffer | null = null;
  private db: F32Buffer | null = null;
  private fused = false;

  constructor(options: DenseOptions) {
    const r = new OptionReader('dense', options, DENSE_OPTIONS);
    const name = r.raw('name');
    if (name !== undefined && (typeof name !== 'string' || name === '')) r.fail('name', 'a non-empty string', name);
    super(name as string | undefined);
    if (r.has('inputShape')) this.declaredInputShape = r.numbers('inputShape', { min: 1, integer: true });
    this.units = r.number('units', undefined, { min: 1, integer: true });
    this.softmax = r.raw('activation') === 'softmax';
    this.activation = resolveActivation('dense', this.softmax ? 'identity' : r.raw('activation') ?? 'identity', r.raw('activationAlpha'));
    this.useBias = r.boolean('useBias', true);
    this.kernelInitializer = resolveInitializer('dense', 'kernelInitializer', r.raw('kernelInitializer') ?? 'glorotUniform');
    this.biasInitializer = resolveInitializer('dense', 'biasInitializer', r.raw('biasInitializer') ?? 'zeros');
    this.kernelRegularizer = resolveRegularizer('dense', 'kernelRegularizer', r.raw('kernelRegularizer'));
    this.biasRegularizer = resolveRegularizer('dense', 'biasRegularizer', r.raw('biasRegularizer'));
  }

  /** The activation as given: 'softmax' or the elementwise activation's name. */
  get activationName(): ActivationName | 'softmax' {
    return this.softmax ? 'softmax' : this.activation.name;
  }

  /**
   * @internal Set by compile() when the loss applies this (last) layer's activation itself: the
   * layer then outputs its logits z + b and its backward pass skips the activation's derivative (the
   * loss's gradient is already with respect to the logits).
   */
  fuseActivationIntoLoss(fused: boolean): void {
    this.fused = fused;
  }

  /** True while compile() has fused this layer's activation into the loss. */
  get activationFused(): boolean {
    return this.fused;
  }

  /**
   * [units]. A multi-dimensional input row is taken as flat (its inputSize values, row-major), as
   * simdnet always has, so models saved with an inputShape keep loading; Keras would apply the kernel
   * to the last axis instead. Put flatten() before the first dense layer to say so explicitly.
   */
  protected computeOutputShape(): Shape {
    return [this.units];
  }

  override params(): ParamSpec[] {
    const specs: ParamSpec[] = [{ name: 'kernel', shape: [this.inputSize, this.units], length: this.inputSize * this.units }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.units], length: this.units });
    return specs;
  }

  override initialize(values: Float32Array, rng: Rng): void {
    const k = this.inputSize * this.units;
    this.kernelInitializer.fill(values.subarray(0, k), this.inputSize, this.units, rng);
    // A bias is initialised with fanIn = its length (the Initializer contract).
    if (this.useBias) this.biasInitializer.fill(values.subarray(k, k + this.units), this.units, 1, rng);
  }

  override attach(params: F32Buffer[], grads: F32Buffer[]): void {
    this.w = params[0];
    this.dw = grads[0];
    this.b = this.useBias ? params[1] : null;
    this.db = this.useBias ? grads[1] : null;
  }

  override scratchWidths(needsInputGradient: boolean): Record<string, number> {
    const widths: Record<string, number> = { z: this.units };
    // z holds the pre-activation; y is separate unless f is the identity (then y = z).
    if (this.activation.name !== 'identity' || this.softmax) widths.y = this.units;
    if (needsInputGradient) widths.dx = this.inputSize;
    return widths;
  }

  private weights(): { w: F32Buffer; dw: F32Buffer } {
    if (this.w === null || this.dw === null) throw new Error(`simdnet: dense layer '${this.name}' has no parameters attached`);
    return { w: this.w, dw: this.dw };
  }

  forward(ctx: RunContext, x: F32Buffer, m: number, training: boolean, scratch: Scratch): F32Buffer {
    // Unchecked: the sizes are this layer's own and the buffers its network's (RunContext.kernels).
    const b = ctx.kernels;
    const { name, alpha } = this.activation;
    const z = scratch.z;
    const w = this.weights().w;
    // Inference: the kernel's stored panels where they pay (packed-weights.ts), else matmul() (same bits).
    const panels = training || ctx.packed === null || !packedPays(m, this.units) ? null : ctx.packed.panels(this, w, this.inputSize, this.units, m);
    if (panels !== null) b.matmulPacked(x, panels.buffer, z, m, this.inputSize, this.units, false, panels.finite);
    else b.matmul('NN', x, w, z, m, this.inputSize, this.units, false, ctx.finiteKernel === this);
    if (name === 'identity' || this.fused) {
      if (this.b !== null) b.biasAdd(z, this.b, m, this.units);
      if (!this.softmax || this.fused) return z;
      b.softmax(z, scratch.y, m, this.units);
      return scratch.y;
    }
    b.biasActivation(name, z, this.b, scratch.y, m, this.units, alpha);
    return scratch.y;
  }

  backward(ctx: RunContext, x: F32Buffer, dy: F32Buffer, m: number, _training: boolean, needsInputGradient: boolean, scratch: Scratch): F32Buffer | null {
    const b = ctx.kernels;
    this.backwardWithoutKernel(ctx, dy, m, scratch);
    this.writeKernelGradient(ctx, x, dy, m);
    if (!needsInputGradient) return null;
    b.matmul('NT', dy, this.weights().w, scratch.dx, m, this.units, this.inputSize);
    return scratch.dx;
  }

  /**
   * @internal backward() without ∂W and ∂x (the first trainable layer computes no ∂x):
   * Δ = ∂y ⊙ f'(z) in place on dy, and ∂b. The network hands ∂W = xᵀ·Δ to the
   * optimizer as a RankOneGradient instead (online SGD: applyUpdate in src/train/step.ts), or writes it later
   * with writeKernelGradient.
   */
  backwardWithoutKernel(ctx: RunContext, dy: F32Buffer, m: number, scratch: Scratch): void {
    const b = ctx.kernels;
    const { name, alpha } = this.activation;
    const n = this.units;
    if (this.softmax && !this.fused) {
      // compile() refuses a softmax layer it cannot fuse into the loss, so this is never reached by fit().
      throw new Error(`simdnet: dense layer '${this.name}' applies softmax, which trains only fused into a softmax cross-entropy (as the last layer)`);
    }
    if (name !== 'identity' && !this.fused) b.activationBackward(name, scratch.z, scratch.y, dy, dy, m * n, alpha);
    if (this.db !== null) b.biasGrad(dy, this.db, m, n);
  }

  /** @internal ∂W = xᵀ·Δ into the gradient buffer, Δ as backward() left it in dy. */
  writeKernelGradient(ctx: RunContext, x: F32Buffer, dy: F32Buffer, m: number): void {
    ctx.kernels.matmul('TN', x, dy, this.weights().dw, this.inputSize, m, this.units);
  }

  override get regularized(): boolean {
    return this.kernelRegularizer !== null || (this.useBias && this.biasRegularizer !== null);
  }

  override penalty(backend: Backend): number {
    let p = 0;
    if (this.kernelRegularizer !== null) p += this.kernelRegularizer.penalty(backend, this.weights().w, this.inputSize * this.units);
    if (this.biasRegularizer !== null && this.b !== null) p += this.biasRegularizer.penalty(backend, this.b, this.units);
    return p;
  }

  override addPenaltyGradient(backend: Backend): void {
    const { w, dw } = this.weights();
    if (this.kernelRegularizer !== null) this.kernelRegularizer.addGradient(backend, w, dw, this.inputSize * this.units);
    if (this.biasRegularizer !== null && this.b !== null && this.db !== null) this.biasRegularizer.addGradient(backend, this.b, this.db, this.units);
  }

  toConfig(): DenseConfig {
    return {
      type: 'dense',
      name: this.name ?? 'dense',
      units: this.units,
      activation: this.activationName,
      activationAlpha: this.activation.alpha,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer.config,
      biasInitializer: this.biasInitializer.config,
      kernelRegularizer: this.kernelRegularizer?.config ?? null,
      biasRegularizer: this.biasRegularizer?.config ?? null,
    };
  }
}

/**
 * A fully connected layer. Examples:
 *
 *     dense({ units: 128, activation: 'relu', kernelRegularizer: l2(1e-4) })
 *     dense({ units: 1, activation: 'sigmoid', activationAlpha: 2 })   // one neuron, sigmoid of slope 2
 */
export function dense(options: DenseOptions): Dense {
  return new Dense(options);
}
