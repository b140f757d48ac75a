/**
 * Data augmentation of image rows for fit(): `fit(x, y, { augment: { shift: 2, flip: false } })`.
 *
 * Each training row is written into the batch's staging buffer (the one fit() gathers shuffled rows
 * into anyway) moved by a random (dy, dx) in [−shift, shift]² and, with `flip`, mirrored left-right
 * with probability 1/2; pixels moved in from outside the image are 0. That is Keras's
 * `RandomCrop` of an image zero-padded by `shift` pixels on each side (the crop keeps the size), and
 * `RandomFlip('horizontal')`. The data set itself is never copied or changed: only the batch is.
 *
 * Why a fit option and not preprocessing layers (Keras's randomTranslation / randomFlip): the
 * transform acts on the data stream, which fit() owns (the shuffled gather into a staging buffer),
 * not on the model; a layer would have to be skipped at inference, saved with the model, refused by
 * every export (ONNX, TensorFlow.js, PyTorch) and given a backward pass it never needs.
 *
 * Reproducibility: the moves of epoch e come from Rng(augmentSeed(seed, e)), drawn in batch order, so
 * like the shuffle they depend only on (seed, e) with e the model's epoch count over its life: a
 * resumed run (fit 2, save, load, fit 2) draws the same moves as one run. Only integer arithmetic and
 * copies: the same bits in every engine and on both backends.
 */
import { Rng } from '../math/random.js';
import type { Shape } from '../model/layers.js';
import { OptionReader } from './pieces.js';

/** fit()'s `augment` option. */
export interface AugmentOptions {
  /**
   * The largest move in pixels along each axis (each row moves by a uniform integer dy and dx in
   * [−shift, shift]; 2 suits 28×28 digits, 4 suits 32×32 CIFAR images). 0 for no moves.
   * @default 0
   */
  shift?: number;
  /**
   * Mirror each row left-right with probability 1/2 (for photographs; leave off for digits and text,
   * whose mirror image is another symbol).
   * @default false
   */
  flip?: boolean;
  /**
   * The [height, width, channels] of a row (HWC order), for a model whose input shape is flat (an
   * MLP on 784 inputs). Must hold as many values as a row.
   * @default the model's inputShape, when it is [height, width, channels]
   */
  imageShape?: readonly [number, number, number];
}

/** AugmentOptions checked (before the model's shape is known). */
export interface ResolvedAugment {
  readonly shift: number;
  readonly flip: boolean;
  readonly imageShape: readonly [number, number, number] | null;
}

const AUGMENT_OPTIONS = ['shift', 'flip', 'imageShape'];

/** fit()'s augment option checked, or null when absent, null, or a no-op (shift 0, no flip). */
export function readAugment(value: unknown, where = 'fit'): ResolvedAugment | null {
  if (value === undefined || value === null) return null;
  const r = new OptionReader(`${where} augment`, value, AUGMENT_OPTIONS);
  const shift = r.number('shift', 0, { min: 0, integer: true });
  const flip = r.boolean('flip', false);
  let imageShape: ResolvedAugment['imageShape'] = null;
  if (r.has('imageShape')) {
    const s = r.raw('imageShape') as number[];
    if (!Array.isArray(s) || s.length !== 3 || !s.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      r.fail('imageShape', '[height, width, channels] of integers ≥ 1', s);
    }
    imageShape = [s[0], s[1], s[2]];
  }
  if (shift === 0 && !flip) return null;
  return { shift, flip, imageShape };
}

/** The seed of epoch e's moves: a function of (seed, e) only, apart from the shuffle's (see fit.ts). */
export function augmentSeed(seed: number, epoch: number): number {
  return (seed ^ 0x5bd1e995 ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0;
}

/** One row's move: dy, dx and whether it is mirrored. */
export interface Move {
  readonly dy: number;
  readonly dx: number;
  readonly flip: boolean;
}

/**
 * Writes row `src[from .. from + h·w·c)` moved by `move` into `dst[to ..]`: output pixel (y, x) is
 * input pixel (y − dy, x' − dx) with x' = x, or w − 1 − x when mirrored; 0 where that lies outside.
 */
export function moveRow(src: Float32Array, from: number, dst: Float32Array, to: number, h: number, w: number, c: number, move: Move): void {
  const { dy, dx, flip } = move;
  const rowWidth = w * c;
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    const out = to + y * rowWidth;
    if (sy < 0 || sy >= h) {
      dst.fill(0, out, out + rowWidth);
      continue;
    }
    const inRow = from + sy * rowWidth;
    if (!flip) {
      // Output columns whose source column x − dx is inside [0, w): one contiguous copy, zeros around it.
      // (Clamped, so a shift as wide as the image gives a row of zeros.)
      const x0 = Math.min(w, Math.max(0, dx));
      const x1 = Math.max(x0, Math.min(w, w + dx));
      dst.fill(0, out, out + x0 * c);
      for (let k = x0 * c, s = inRow + (x0 - dx) * c; k < x1 * c; k++, s++) dst[out + k] = src[s];
      dst.fill(0, out + x1 * c, out + rowWidth);
    } else {
      for (let x = 0; x < w; x++) {
        const sx = w - 1 - x - dx;
        const o = out + x * c;
        if (sx < 0 || sx >= w) {
          for (let k = 0; k < c; k++) dst[o + k] = 0;
        } else {
          const s = inRow + sx * c;
          for (let k = 0; k < c; k++) dst[o + k] = src[s + k];
        }
      }
    }
  }
}

/**
 * The augmentation of one fit() run: draws each row's move from the epoch's generator and writes the
 * moved row into the batch. Holds no buffer: rows go straight from the data into the batch.
 */
export class Augmenter {
  private rng = new Rng(0);
  readonly height: number;
  readonly width: number;
  readonly channels: number;

  constructor(
    readonly options: ResolvedAugment,
    inputShape: Shape,
    private readonly seed: number,
  ) {
    const size = inputShape.reduce((a, b) => a * b, 1);
    const shape = options.imageShape ?? (inputShape.length === 3 ? inputShape : null);
    if (shape === null) {
      throw new RangeError(`simdnet fit: augment needs image rows: the model's input shape is [${inputShape.join(', ')}]; ` +
        'give augment.imageShape [height, width, channels], or build the model with inputShape [height, width, channels]');
    }
    if (shape[0] * shape[1] * shape[2] !== size) {
      throw new RangeError(`simdnet fit: augment.imageShape [${shape.join(', ')}] holds ${shape[0] * shape[1] * shape[2]} values, but a row of the model has ${size}`);
    }
    [this.height, this.width, this.channels] = shape;
  }

  /** Starts the moves of model epoch `epoch` (call before its first batch). */
  startEpoch(epoch: number): void {
    this.rng = new Rng(augmentSeed(this.seed, epoch));
  }

  /** The next row's move (shift draws first, then the flip, so flip: false leaves the shifts unchanged). */
  nextMove(): Move {
    const s = this.options.shift;
    const dy = s === 0 ? 0 : this.rng.int(2 * s + 1) - s;
    const dx = s === 0 ? 0 : this.rng.int(2 * s + 1) - s;
    const flip = this.options.flip && this.rng.next() < 0.5;
    return { dy, dx, flip };
  }

  /** Writes row `from` of src, moved by the next draw, to row `to` of dst (both flat [rows, h·w·c]). */
  copyRow(src: Float32Array, from: number, dst: Float32Array, to: number): void {
    const size = this.height * this.width * this.channels;
    moveRow(src, from * size, dst, to * size, this.height, this.width, this.channels, this.nextMove());
  }
}
