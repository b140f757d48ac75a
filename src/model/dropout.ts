/**
 * `dropout({ rate })`: inverted dropout. While training, each value is kept with probability 1 − rate
 * and scaled by 1/(1 − rate) (so the expected activation is unchanged and inference needs no
 * rescaling); at inference the layer is the identity.
 *
 * The mask comes from backend.dropoutMask(seed, stream): a counter-based hash, so the masks depend only
 * on the model's dropout seed and a stream counter the model advances once per mask (and saves). The
 * same seed gives the same masks on every run, on the wasm and the js backend alike.
 */
import type { F32Buffer } from '../backend/contract.js';
import { OptionReader } from '../train/pieces.js';
import { Layer, type RunContext, type Scratch, type Shape } from './layers.js';

/** Options of dropout(). */
export interface DropoutOptions {
  /** The fraction of values dropped while training, in [0, 1). */
  rate: number;
  /**
   * The layer's name.
   * @default 'dropout_<k>', k counting this model's dropout layers from 1
   */
  name?: string;
}

/** A dropout layer as plain data (what a saved model's topology holds). */
export interface DropoutConfig {
  readonly type: 'dropout';
  readonly name: string;
  readonly rate: number;
}

/** The inverted-dropout layer: see dropout() and the file comment. */
export class Dropout extends Layer {
  readonly type = 'dropout';
  readonly rate: number;

  constructor(options: DropoutOptions) {
    const r = new OptionReader('dropout', options, ['rate', 'name']);
    const name = r.raw('name');
    if (name !== undefined && (typeof name !== 'string' || name === '')) r.fail('name', 'a non-empty string', name);
    super(name as string | undefined);
    this.rate = r.number('rate', undefined, { min: 0, below: 1 });
  }

  protected computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override scratchWidths(): Record<string, number> {
    return this.rate === 0 ? {} : { mask: this.inputSize, y: this.inputSize };
  }

  forward(ctx: RunContext, x: F32Buffer, m: number, training: boolean, scratch: Scratch): F32Buffer {
    if (!training || this.rate === 0) return x;
    const len = m * this.inputSize;
    ctx.backend.dropoutMask(scratch.mask, len, this.rate, ctx.dropoutSeed, ctx.nextDropoutStream());
    // Not in place: the layer before may still need x (its output) for its backward pass.
    ctx.backend.mul(scratch.y, x, scratch.mask, len);
    return scratch.y;
  }

  /** ∂x = ∂y ⊙ mask (the mask of the training forward pass just run), in place; the identity otherwise. */
  backward(ctx: RunContext, _x: F32Buffer, dy: F32Buffer, m: number, training: boolean, needsInputGradient: boolean, scratch: Scratch): F32Buffer | null {
    if (!needsInputGradient) return null;
    if (training && this.rate !== 0) ctx.backend.mul(dy, dy, scratch.mask, m * this.inputSize);
    return dy;
  }

  toConfig(): DropoutConfig {
    return { type: 'dropout', name: this.name ?? 'dropout', rate: this.rate };
  }
}

/** Inverted dropout with the given rate (active only while training). */
export function dropout(options: DropoutOptions): Dropout {
  return new Dropout(options);
}
