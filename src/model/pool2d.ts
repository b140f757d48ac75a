/**
 * Pooling over NHWC image rows: `maxPool2d`, `avgPool2d` (a window of poolSize sliding by strides) and
 * `globalAvgPool2d` (the mean of each channel over the whole image, [h, w, c] → [c]). They have no
 * parameters; the kernels are in assembly/pool.ts.
 *
 *   max:  forward  y = max of each window, argmax kept (i32 scratch) → backward routes ∂y there
 *   avg:  forward  y = mean of each window's taps inside the image → backward spreads ∂y / count
 *   global average: the average pool whose window is the whole image (one output position).
 */
import type { Backend, F32Buffer } from '../backend/contract.js';
import { OptionReader } from '../train/pieces.js';
import { Layer, type IndexScratch, type RunContext, type Scratch, type Shape } from './layers.js';
import { PADDINGS, asImage, pairText, readPair, windowOutput, type ImageShape, type Pair, type Padding } from './conv-geometry.js';

/** Options of maxPool2d() and avgPool2d(). */
export interface Pool2dOptions {
  /**
   * The window's height and width (one number for a square window).
   * @default 2
   */
  poolSize?: Pair;
  /**
   * The step between windows.
   * @default poolSize
   */
  strides?: Pair;
  /**
   * 'valid': only windows wholly inside the image; 'same': output ⌈h / stride⌉, a window at the border
   * pooling only its taps inside the image (TensorFlow's rule).
   * @default 'valid'
   */
  padding?: Padding;
  /**
   * Keras's input shape of one row, [height, width, channels], on the first layer.
   * @default none
   */
  inputShape?: readonly number[];
  /**
   * The layer's name.
   * @default 'maxPool2d_<k>' / 'avgPool2d_<k>'
   */
  name?: string;
}

/** A pooling layer as plain data (what a saved model's topology holds). */
export interface Pool2dConfig<T extends 'maxPool2d' | 'avgPool2d' = 'maxPool2d' | 'avgPool2d'> {
  /** 'maxPool2d' or 'avgPool2d'. */
  readonly type: T;
  /** The layer's name in its model. */
  readonly name: string;
  /** [h, w] of the window. */
  readonly poolSize: readonly [number, number];
  /** [down, across]. */
  readonly strides: readonly [number, number];
  /** 'valid' or 'same'. */
  readonly padding: Padding;
}

/** The geometry of a built pooling layer. */
interface PoolGeometry extends ImageShape {
  readonly outH: number;
  readonly outW: number;
}

/** What both window pools share: options, shapes, geometry. */
abstract class WindowPool extends Layer {
  abstract override readonly type: 'maxPool2d' | 'avgPool2d';
  /** [h, w] of the window. */
  readonly poolSize: readonly [number, number];
  /** [down, across]. */
  readonly strides: readonly [number, number];
  /** 'valid' or 'same'. */
  readonly padding: Padding;
  private geometry: PoolGeometry | null = null;

  constructor(where: string, options: Pool2dOptions) {
    const r = new OptionReader(where, options, ['poolSize', 'strides', 'padding', 'inputShape', 'name']);
    const name = r.raw('name');
    if (name !== undefined && (typeof name !== 'string' || name === '')) r.fail('name', 'a non-empty string', name);
    super(name as string | undefined);
    if (r.has('inputShape')) this.declaredInputShape = r.numbers('inputShape', { min: 1, integer: true });
    this.poolSize = readPair(r, 'poolSize', 2);
    this.strides = readPair(r, 'strides', this.poolSize);
    this.padding = r.oneOf('padding', PADDINGS, 'valid');
  }

  protected computeOutputShape(inputShape: Shape): Shape {
    const image = asImage(inputShape);
    if (typeof image === 'string') this.refuseShape(inputShape, image);
    const out = windowOutput(image, this.poolSize, this.strides, this.padding, `a ${pairText(this.poolSize)} pool`);
    if (typeof out === 'string') this.refuseShape(inputShape, out);
    return [out[0], out[1], image.c];
  }

  override build(inputShape: Shape): Shape {
    const shape = super.build(inputShape);
    this.geometry = { h: inputShape[0], w: inputShape[1], c: inputShape[2], outH: shape[0], outW: shape[1] };
    return shape;
  }

  protected geo(): PoolGeometry {
    if (this.geometry === null) throw new Error(`simdnet: ${this.type} layer '${this.name}' is not part of a model yet`);
    return this.geometry;
  }

  override scratchWidths(needsInputGradient: boolean): Record<string, number> {
    const widths: Record<string, number> = { y: this.outputSize };
    if (needsInputGradient) widths.dx = this.inputSize;
    return widths;
  }

  toConfig(): Pool2dConfig {
    return { type: this.type, name: this.name ?? this.type, poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

/** The max pooling layer: see maxPool2d(). */
export class MaxPool2d extends WindowPool {
  /** Always 'maxPool2d'. */
  readonly type = 'maxPool2d';

  constructor(options: Pool2dOptions = {}) {
    super('maxPool2d', options);
  }

  override indexWidths(): Record<string, number> {
    return { argmax: this.outputSize };
  }

  forward(ctx: RunContext, x: F32Buffer, m: number, _training: boolean, scratch: Scratch, indices: IndexScratch): F32Buffer {
    const g = this.geo();
    ctx.backend.maxPoolForward(
      x, scratch.y, indices.argmax, m, g.h, g.w, g.c, this.poolSize[0], this.poolSize[1], this.strides[0], this.strides[1], g.outH, g.outW, this.padding === 'same',
    );
    return scratch.y;
  }

  backward(ctx: RunContext, _x: F32Buffer, dy: F32Buffer, m: number, _training: boolean, needsInputGradient: boolean, scratch: Scratch, indices: IndexScratch): F32Buffer | null {
    if (!needsInputGradient) return null;
    const g = this.geo();
    ctx.backend.maxPoolBackward(dy, indices.argmax, scratch.dx, m, g.h, g.w, g.c, g.outH, g.outW);
    return scratch.dx;
  }
}

/** Runs the average pool of a window [ph, pw], strides, padding over a geometry (avgPool2d and globalAvgPool2d). */
function averagePool(b: Backend, x: F32Buffer, y: F32Buffer, m: number, g: PoolGeometry, pool: readonly [number, number], strides: readonly [number, number], same: boolean): void {
  b.avgPoolForward(x, y, m, g.h, g.w, g.c, pool[0], pool[1], strides[0], strides[1], g.outH, g.outW, same);
}

function averagePoolBackward(b: Backend, dy: F32Buffer, dx: F32Buffer, m: number, g: PoolGeometry, pool: readonly [number, number], strides: readonly [number, number], same: boolean): void {
  b.avgPoolBackward(dy, dx, m, g.h, g.w, g.c, pool[0], pool[1], strides[0], strides[1], g.outH, g.outW, same);
}

/** The average pooling layer: see avgPool2d(). */
export class AvgPool2d extends WindowPool {
  /** Always 'avgPool2d'. */
  readonly type = 'avgPool2d';

  constructor(options: Pool2dOptions = {}) {
    super('avgPool2d', options);
  }

  forward(ctx: RunContext, x: F32Buffer, m: number, _training: boolean, scratch: Scratch): F32Buffer {
    averagePool(ctx.backend, x, scratch.y, m, this.geo(), this.poolSize, this.strides, this.padding === 'same');
    return scratch.y;
  }

  backward(ctx: RunContext, _x: F32Buffer, dy: F32Buffer, m: number, _training: boolean, needsInputGradient: boolean, scratch: Scratch): F32Buffer | null {
    if (!needsInputGradient) return null;
    averagePoolBackward(ctx.backend, dy, scratch.dx, m, this.geo(), this.poolSize, this.strides, this.padding === 'same');
    return scratch.dx;
  }
}

/** Options of globalAvgPool2d(). */
export interface GlobalAvgPool2dOptions {
  /**
   * Keras's input shape of one row, [height, width, channels], on the first layer.
   * @default none
   */
  inputShape?: readonly number[];
  /**
   * The layer's name.
   * @default 'globalAvgPool2d_<k>'
   */
  name?: string;
}

/** A global average pooling layer as plain data. */
export interface GlobalAvgPool2dConfig {
  /** Always 'globalAvgPool2d'. */
  readonly type: 'globalAvgPool2d';
  /** The layer's name in its model. */
  readonly name: string;
}

/** The global average pooling layer: see globalAvgPool2d(). */
export class GlobalAvgPool2d extends Layer {
  readonly type = 'globalAvgPool2d';
  private geometry: PoolGeometry | null = null;

  constructor(options: GlobalAvgPool2dOptions = {}) {
    const r = new OptionReader('globalAvgPool2d', options, ['inputShape', 'name']);
    const name = r.raw('name');
    if (name !== undefined && (typeof name !== 'string' || name === '')) r.fail('name', 'a non-empty string', name);
    super(name as string | undefined);
    if (r.has('inputShape')) this.declaredInputShape = r.numbers('inputShape', { min: 1, integer: true });
  }

  protected computeOutputShape(inputShape: Shape): Shape {
    const image = asImage(inputShape);
    if (typeof image === 'string') this.refuseShape(inputShape, image);
    return [image.c];
  }

  override build(inputShape: Shape): Shape {
    const shape = super.build(inputShape);
    this.geometry = { h: inputShape[0], w: inputShape[1], c: inputShape[2], outH: 1, outW: 1 };
    return shape;
  }

  private geo(): PoolGeometry {
    if (this.geometry === null) throw new Error(`simdnet: globalAvgPool2d layer '${this.name}' is not part of a model yet`);
    return this.geometry;
  }

  override scratchWidths(needsInputGradient: boolean): Record<string, number> {
    const widths: Record<string, number> = { y: this.outputSize };
    if (needsInputGradient) widths.dx = this.inputSize;
    return widths;
  }

  forward(ctx: RunContext, x: F32Buffer, m: number, _training: boolean, scratch: Scratch): F32Buffer {
    const g = this.geo();
    averagePool(ctx.backend, x, scratch.y, m, g, [g.h, g.w], [g.h, g.w], false);
    return scratch.y;
  }

  backward(ctx: RunContext, _x: F32Buffer, dy: F32Buffer, m: number, _training: boolean, needsInputGradient: boolean, scratch: Scratch): F32Buffer | null {
    if (!needsInputGradient) return null;
    const g = this.geo();
    averagePoolBackward(ctx.backend, dy, scratch.dx, m, g, [g.h, g.w], [g.h, g.w], false);
    return scratch.dx;
  }

  toConfig(): GlobalAvgPool2dConfig {
    return { type: 'globalAvgPool2d', name: this.name ?? 'globalAvgPool2d' };
  }
}

/**
 * Max pooling over image rows [height, width, channels]: each window's largest value, per channel.
 * @example
 *     maxPool2d()                               // 2x2 windows, stride 2: halves height and width
 *     maxPool2d({ poolSize: 3, strides: 2, padding: 'same' })
 */
export function maxPool2d(options: Pool2dOptions = {}): MaxPool2d {
  return new MaxPool2d(options);
}

/**
 * Average pooling over image rows: each window's mean, per channel.
 * @example
 *     avgPool2d({ poolSize: 2 })
 */
export function avgPool2d(options: Pool2dOptions = {}): AvgPool2d {
  return new AvgPool2d(options);
}

/**
 * The mean of each channel over the whole image: [h, w, c] → [c] (a classifier head without a
 * large dense layer).
 * @example
 *     globalAvgPool2d()
 */
export function globalAvgPool2d(options: GlobalAvgPool2dOptions = {}): GlobalAvgPool2d {
  return new GlobalAvgPool2d(options);
}
