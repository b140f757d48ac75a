/**
 * `flatten()`: reshapes a row of shape [d1, d2, ...] to [d1·d2·...]. Rows are stored flat and
 * row-major already, so the layer moves no data: forward returns its input, backward its gradient.
 * It exists so that a shaped stack (convolution, pooling) can end in dense layers with the reshape
 * visible in the model and its summary.
 */
import type { F32Buffer } from '../backend/contract.js';
import { Layer, shapeSize, type RunContext, type Scratch, type Shape } from './layers.js';
import { OptionReader, excerpt } from '../train/pieces.js';

/** Options of flatten(). */
export interface FlattenOptions {
  /**
   * The layer's name.
   * @default 'flatten_<k>', k counting this model's flatten layers from 1
   */
  name?: string;
  /**
   * Keras's input shape of one row (e.g. [28, 28, 1]), on the first layer instead of sequential()'s
   * inputShape option.
   * @default none
   */
  inputShape?: readonly number[];
}

/** A flatten layer as plain data (what a saved model's topology holds). */
export interface FlattenConfig {
  readonly type: 'flatten';
  readonly name: string;
}

/** The flatten layer: see flatten(). */
export class Flatten extends Layer {
  readonly type = 'flatten';

  constructor(options: FlattenOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`simdnet flatten: options must be an object, got ${excerpt(options)}`);
    const r = new OptionReader('flatten', options, ['name', 'inputShape']);
    const name = r.raw('name');
    if (name !== undefined && (typeof name !== 'string' || name === '')) r.fail('name', 'a non-empty string', name);
    super(name as string | undefined);
    if (r.has('inputShape')) this.declaredInputShape = r.numbers('inputShape', { min: 1, integer: true });
  }

  protected computeOutputShape(inputShape: Shape): Shape {
    return [shapeSize(inputShape)];
  }

  forward(_ctx: RunContext, x: F32Buffer, _m: number, _training: boolean, _scratch: Scratch): F32Buffer {
    return x;
  }

  backward(_ctx: RunContext, _x: F32Buffer, dy: F32Buffer, _m: number, _training: boolean, needsInputGradient: boolean, _scratch: Scratch): F32Buffer | null {
    return needsInputGradient ? dy : null;
  }

  toConfig(): FlattenConfig {
    return { type: 'flatten', name: this.name ?? 'flatten' };
  }
}

/**
 * A layer that flattens each row to one axis (no data moves: rows are stored flat).
 * @example
 *     sequential([flatten(), dense({ units: 10 })], { inputShape: [28, 28, 1], backend })
 */
export function flatten(options: FlattenOptions = {}): Flatten {
  return new Flatten(options);
}
