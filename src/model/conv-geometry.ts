/**
 * What conv2d and the pooling layers share: reading a size option given as a number or [h, w],
 * checking that an input row is an image [height, width, channels], and the output size of a window
 * sliding over it with 'valid' or 'same' padding (TensorFlow's rules, which the kernels'
 * padBefore follows: assembly/conv.ts).
 */
import type { OptionReader } from '../train/pieces.js';
import type { Shape } from './layers.js';

/** A size along height and width: one number for both, or [height, width]. */
export type Pair = number | readonly [number, number];

/** How a window treats the image border: 'valid' (only whole windows) or 'same' (zero padding, output = ⌈input / stride⌉). */
export type Padding = 'valid' | 'same';

export const PADDINGS: readonly Padding[] = ['valid', 'same'];

/** Reads option `name` as a pair of integers ≥ 1 (a number means the same for both). */
export function readPair(r: OptionReader, name: string, def: Pair | undefined): [number, number] {
  const value = r.raw(name) ?? def;
  if (value === undefined) r.fail(name, 'given (an integer ≥ 1 or [height, width])', undefined);
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
  if (ok(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && ok(value[0]) && ok(value[1])) return [value[0], value[1]];
  return r.fail(name, 'an integer ≥ 1 or [height, width] of integers ≥ 1', value);
}

/** The image geometry of a built window layer: input [h, w, c], output [outH, outW]. */
export interface ImageShape {
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/**
 * The input row as an image, or the reason it is not one (for the layer's refuseShape): a flat row
 * (a dense layer's output, or a model without inputShape) has one dimension.
 */
export function asImage(inputShape: Shape): ImageShape | string {
  if (inputShape.length === 3) return { h: inputShape[0], w: inputShape[1], c: inputShape[2] };
  return 'an image [height, width, channels] (give the model inputShape: [h, w, c], e.g. [28, 28, 1] for MNIST)';
}

/** Output size along one axis; null when a 'valid' window (of `span` inputs, dilation included) does not fit. */
export function outputSize(size: number, span: number, stride: number, padding: Padding): number | null {
  if (padding === 'same') return Math.ceil(size / stride);
  return size < span ? null : Math.floor((size - span) / stride) + 1;
}

/** "5x5" */
export const pairText = (p: readonly [number, number]): string => `${p[0]}x${p[1]}`;

/**
 * The output [outH, outW] of a window of `span` [h, w] inputs; or the reason it does not fit, naming
 * what it is (`what`, e.g. 'a 5x5 kernel'), for the layer's refuseShape.
 */
export function windowOutput(image: ImageShape, span: readonly [number, number], strides: readonly [number, number], padding: Padding, what: string): [number, number] | string {
  const outH = outputSize(image.h, span[0], strides[0], padding);
  const outW = outputSize(image.w, span[1], strides[1], padding);
  if (outH === null || outW === null) {
    return `an image at least ${pairText(span)} for ${what} with padding 'valid' (use padding 'same', or a smaller window)`;
  }
  return [outH, outW];
}
