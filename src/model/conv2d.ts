/**
 * `conv2d({ filters, kernelSize })`: a 2-D convolution over NHWC image rows, y = f(x ∗ W + b), with W
 * a [kh, kw, inC, outC] kernel (Keras order) and b an [outC] bias, views of the model's flat buffer.
 *
 * It is one matrix product over im2col columns (assembly/conv.ts), P = outH·outW positions per image,
 * K = kh·kw·inC taps per position:
 *
 *   forward:  cols = im2col(x)           [m·P, K]      (scratch, per chunk of images)
 *             z = cols·W                 matmul NN     [m·P, K]·[K, outC] = [m, outH, outW, outC]
 *             y = f(z + b)               biasActivation over m·P rows of outC
 *   backward: Δ = ∂y ⊙ f'(z)             activationBackward, in place
 *             ∂W (+)= colsᵀ·Δ            matmul TN (one product per chunk, accumulated)
 *             ∂b = Σ_rows Δ              biasGrad over m·P rows
 *             ∂cols = Δ·Wᵀ               matmul NT, into the columns' scratch
 *             ∂x = col2im(∂cols)         (skipped by the first trainable layer)
 *
 * A 1x1 convolution with stride 1 is a plain product over the pixels (x is already [m·h·w, inC]): no
 * im2col. The columns are K times the size of the output, so a large batch is worked through in
 * chunks of whole images, at most COLS_BUDGET floats (16 MiB) of columns at a time (one image when a
 * single image needs more). When the whole batch fits in one chunk, the backward pass reuses the
 * forward pass's columns; otherwise it rebuilds each chunk's (im2col moves K·P floats an image,
 * cheap next to the 2·K·P·outC flops of each product).
 */
import type { Backend, F32Buffer } from '../backend/contract.js';
import type { Rng } from '../math/random.js';
import type { Initializer, Regularizer } from '../train/types.js';
import { OptionReader } from '../train/pieces.js';
import { Layer, type ParamSpec, type RunContext, type Scratch, type Shape } from './layers.js';
import { resolveActivation, type ResolvedActivation } from './activation-layer.js';
import { resolveInitializer, resolveRegularizer } from './resolve.js';
import { PADDINGS, asImage, pairText, readPair, windowOutput, type ImageShape, type Padding } from './conv-geometry.js';
import { KernelPenalties } from './penalties.js';
import { CONV2D_OPTIONS, type Conv2dConfig, type Conv2dOptions } from './conv2d-options.js';

export type { Conv2dConfig, Conv2dOptions };

/** The most floats of im2col columns held at once (16 MiB): larger batches go in chunks of images. */
export const COLS_BUDGET = 1 << 22;

/** The geometry of a built conv2d layer. */
interface ConvGeometry extends ImageShape {
  readonly outH: number;
  readonly outW: number;
  /** Output positions per image. */
  readonly positions: number;
  /** Taps per position: kh·kw·inC (the product's inner size). */
  readonly taps: number;
  /** A 1x1 stride-1 convolution: a plain product over the pixels, no im2col. */
  readonly pointwise: boolean;
}

/** The 2-D convolution layer: see conv2d() and the file comment. */
export class Conv2d extends Layer {
  readonly type = 'conv2d';
  /** Output channels. */
  readonly filters: number;
  /** [kh, kw]. */
  readonly kernelSize: readonly [number, number];
  /** [down, across]. */
  readonly strides: readonly [number, number];
  /** 'valid' or 'same'. */
  readonly padding: Padding;
  /** [h, w]. */
  readonly dilation: readonly [number, number];
  /** The elementwise activation after the bias. */
  readonly activation: ResolvedActivation;
  /** Whether the layer has a bias. */
  readonly useBias: boolean;
  /** How the kernel is initialized. */
  readonly kernelInitializer: Initializer;
  /** How the bias is initialized. */
  readonly biasInitializer: Initializer;
  /** The kernel's penalty, or null. */
  readonly kernelRegularizer: Regularizer | null;
  /** The bias's penalty, or null (always null without a bias). */
  readonly biasRegularizer: Regularizer | null;
  private readonly penalties: KernelPenalties;
  private geometry: ConvGeometry | null = null;
  private w: F32Buffer | null = null;
  private b: F32Buffer | null = null;
  private dw: F32Buffer | null = null;
  private db: F32Buffer | null = null;
  /** The forward input whose columns (the whole batch, one chunk) are in the cols scratch. */
  private colsOf: { x: F32Buffer; m: number } | null = null;

  constructor(options: Conv2dOptions) {
    const r = new OptionReader('conv2d', options, CONV2D_OPTIONS);
    const name = r.raw('name');
    if (name !== undefined && (typeof name !== 'string' || name === '')) r.fail('name', 'a non-empty string', name);
    super(name as string | undefined);
    if (r.has('inputShape')) this.declaredInputShape = r.numbers('inputShape', { min: 1, integer: true });
    this.filters = r.number('filters', undefined, { min: 1, integer: true });
    this.kernelSize = readPair(r, 'kernelSize', undefined);
    this.strides = readPair(r, 'strides', 1);
    this.padding = r.oneOf('padding', PADDINGS, 'valid');
    this.dilation = readPair(r, 'dilation', 1);
    if (r.raw('activation') === 'softmax') r.fail('activation', "an elementwise activation (softmax goes on the last dense layer)", 'softmax');
    this.activation = resolveActivation('conv2d', r.raw('activation') ?? 'identity', r.raw('activationAlpha'));
    this.useBias = r.boolean('useBias', true);
    this.kernelInitializer = resolveInitializer('conv2d', 'kernelInitializer', r.raw('kernelInitializer') ?? 'glorotUniform');
    this.biasInitializer = resolveInitializer('conv2d', 'biasInitializer', r.raw('biasInitializer') ?? 'zeros');
    this.kernelRegularizer = resolveRegularizer('conv2d', 'kernelRegularizer', r.raw('kernelRegularizer'));
    this.biasRegularizer = this.useBias ? resolveRegularizer('conv2d', 'biasRegularizer', r.raw('biasRegularizer')) : null;
    this.penalties = new KernelPenalties(this.kernelRegularizer, this.biasRegularizer);
  }

  /** The span of the kernel on the input, dilation included: (k − 1)·d + 1 along each axis. */
  private get span(): [number, number] {
    return [(this.kernelSize[0] - 1) * this.dilation[0] + 1, (this.kernelSize[1] - 1) * this.dilation[1] + 1];
  }

  protected computeOutputShape(inputShape: Shape): Shape {
    const image = asImage(inputShape);
    if (typeof image === 'string') this.refuseShape(inputShape, image);
    const out = windowOutput(image, this.span, this.strides, this.padding, `a ${pairText(this.kernelSize)} kernel${this.dilation[0] * this.dilation[1] > 1 ? ` (dilation ${pairText(this.dilation)})` : ''}`);
    if (typeof out === 'string') this.refuseShape(inputShape, out);
    return [out[0], out[1], this.filters];
  }

  override build(inputShape: Shape): Shape {
    const shape = super.build(inputShape);
    const [h, w, c] = inputShape;
    const [kh, kw] = this.kernelSize;
    const pointwise = kh === 1 && kw === 1 && this.strides[0] === 1 && this.strides[1] === 1;
    this.geometry = { h, w, c, outH: shape[0], outW: shape[1], positions: shape[0] * shape[1], taps: kh * kw * c, pointwise };
    return shape;
  }

  private geo(): ConvGeometry {
    if (this.geometry === null) throw new Error(`simdnet: conv2d layer '${this.name}' is not part of a model yet`);
    return this.geometry;
  }

  override params(): ParamSpec[] {
    const { c, taps } = this.geo();
    const specs: ParamSpec[] = [{ name: 'kernel', shape: [this.kernelSize[0], this.kernelSize[1], c, this.filters], length: taps * this.filters }];
    if (this.useBias) specs.push({ name: 'bias', shape: [this.filters], length: this.filters });
    return specs;
  }

  override initialize(values: Float32Array, rng: Rng): void {
    const { taps } = this.geo();
    const receptive = this.kernelSize[0] * this.kernelSize[1];
    const k = taps * this.filters;
    this.kernelInitializer.fill(values.subarray(0, k), taps, receptive * this.filters, rng);
    if (this.useBias) this.biasInitializer.fill(values.subarray(k, k + this.filters), this.filters, 1, rng);
  }

  override attach(params: F32Buffer[], grads: F32Buffer[]): void {
    this.w = params[0];
    this.dw = grads[0];
    this.b = this.useBias ? params[1] : null;
    this.db = this.useBias ? grads[1] : null;
    this.penalties.attach(this.w, this.dw, this.b, this.db);
  }

  /**
   * Images per chunk of im2col columns for a batch of `rows` images (see the file comment). It depends
   * on the batch and the geometry only, not on the arena's capacity, so a batch sums its filter
   * gradient in the same chunks however large the arena is.
   */
  private chunkImages(rows: number): number {
    const { positions, taps } = this.geo();
    return Math.max(1, Math.min(rows, Math.floor(COLS_BUDGET / (positions * taps))));
  }

  override scratchWidths(needsInputGradient: boolean): Record<string, number> {
    const out = this.outputSize;
    const widths: Record<string, number> = { z: out };
    if (this.activation.name !== 'identity') widths.y = out;
    if (needsInputGradient) widths.dx = this.inputSize;
    return widths;
  }

  override scratchSizes(capacity: number): Record<string, number> {
    const { positions, taps, pointwise } = this.geo();
    return pointwise ? {} : { cols: this.chunkImages(capacity) * positions * taps };
  }

  private weights(): { w: F32Buffer; dw: F32Buffer } {
    if (this.w === null || this.dw === null) throw new Error(`simdnet: conv2d layer '${this.name}' has no parameters attached`);
    return { w: this.w, dw: this.dw };
  }

  /** im2col of images [n0, n0 + count) of x into the columns' scratch. */
  private columns(b: Backend, x: F32Buffer, cols: F32Buffer, n0: number, count: number): void {
    const g = this.geo();
    b.im2col(
      x.view(n0 * this.inputSize, count * this.inputSize), cols, count, g.h, g.w, g.c, this.kernelSize[0], this.kernelSize[1],
      this.strides[0], this.strides[1], this.dilation[0], this.dilation[1], g.outH, g.outW, this.padding === 'same',
    );
  }

  forward(ctx: RunContext, x: F32Buffer, m: number, _training: boolean, scratch: Scratch): F32Buffer {
    const b = ctx.backend;
    const g = this.geo();
    const { w } = this.weights();
    const n = this.filters;
    const z = scratch.z;
    if (g.pointwise) {
      b.matmul('NN', x, w, z, m * g.positions, g.c, n);
    } else {
      const cols = scratch.cols;
      const chunk = this.chunkImages(m);
      for (let n0 = 0; n0 < m; n0 += chunk) {
        const count = Math.min(chunk, m - n0);
        this.columns(b, x, cols, n0, count);
        b.matmul('NN', cols, w, z.view(n0 * this.outputSize, count * this.outputSize), count * g.positions, g.taps, n);
      }
      this.colsOf = m <= chunk ? { x, m } : null;
    }
    const rows = m * g.positions;
    const { name, alpha } = this.activation;
    if (name === 'identity') {
      if (this.b !== null) b.biasAdd(z, this.b, rows, n);
      return z;
    }
    b.biasActivation(name, z, this.b, scratch.y, rows, n, alpha);
    return scratch.y;
  }

  backward(ctx: RunContext, x: F32Buffer, dy: F32Buffer, m: number, _training: boolean, needsInputGradient: boolean, scratch: Scratch): F32Buffer | null {
    const b = ctx.backend;
    const g = this.geo();
    const { w, dw } = this.weights();
    const n = this.filters;
    const rows = m * g.positions;
    const { name, alpha } = this.activation;
    if (name !== 'identity') b.activationBackward(name, scratch.z, scratch.y, dy, dy, rows * n, alpha);
    if (this.db !== null) b.biasGrad(dy, this.db, rows, n);
    if (g.pointwise) {
      b.matmul('TN', x, dy, dw, g.c, rows, n);
      if (!needsInputGradient) return null;
      b.matmul('NT', dy, w, scratch.dx, rows, n, g.c);
      return scratch.dx;
    }
    const cols = scratch.cols;
    const chunk = this.chunkImages(m);
    const kept = this.colsOf !== null && this.colsOf.x === x && this.colsOf.m === m;
    this.colsOf = null;
    for (let n0 = 0; n0 < m; n0 += chunk) {
      const count = Math.min(chunk, m - n0);
      if (!kept) this.columns(b, x, cols, n0, count);
      const dyChunk = dy.view(n0 * this.outputSize, count * this.outputSize);
      b.matmul('TN', cols, dyChunk, dw, g.taps, count * g.positions, n, n0 > 0);
      if (!needsInputGradient) continue;
      // The columns are spent: their scratch takes ∂cols, which col2im adds back onto the pixels.
      b.matmul('NT', dyChunk, w, cols, count * g.positions, n, g.taps);
      b.col2im(
        cols, scratch.dx.view(n0 * this.inputSize, count * this.inputSize), count, g.h, g.w, g.c, this.kernelSize[0], this.kernelSize[1],
        this.strides[0], this.strides[1], this.dilation[0], this.dilation[1], g.outH, g.outW, this.padding === 'same', false,
      );
    }
    return needsInputGradient ? scratch.dx : null;
  }

  override get regularized(): boolean {
    return this.penalties.regularized;
  }

  override penalty(backend: Backend): number {
    return this.penalties.penalty(backend);
  }

  override addPenaltyGradient(backend: Backend): void {
    this.penalties.addGradient(backend);
  }

  toConfig(): Conv2dConfig {
    return {
      type: 'conv2d',
      name: this.name ?? 'conv2d',
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilation: this.dilation,
      activation: this.activation.name,
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
 * A 2-D convolution over image rows [height, width, channels]. Examples:
 *
 *     conv2d({ filters: 32, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1] })
 *     conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same' })
 */
export function conv2d(options: Conv2dOptions): Conv2d {
  return new Conv2d(options);
}
