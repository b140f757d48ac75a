/** The options of sequential(), resolved in one function (each error names the option). */
import type { Backend } from '../backend/contract.js';
import { OptionReader } from '../train/pieces.js';
import { shapeSize, type Layer, type Shape } from './layers.js';

/** Options of sequential(). */
export interface SequentialOptions {
  /**
   * The number of input features per row. Give this or inputShape, or Keras's `inputShape` on the
   * first layer (the input size is given once; every layer's input width follows from the layer before).
   * @default the product of inputShape
   */
  inputSize?: number;
  /**
   * The shape of one input row (without the batch axis), e.g. [28, 28, 1]. Rows are passed flattened in
   * row-major order (inputSize = the product of the shape); the shape goes through the layers (each
   * layer's outputShape), so shaped layers can read it. dense() takes a shaped row as flat.
   * @default [inputSize]
   */
  inputShape?: readonly number[];
  /**
   * Where the model's memory lives and its kernels run: the ReadyBackend from `await init()` or
   * `jsBackend()`. Required: there is no hidden global backend.
   */
  backend: Backend;
  /**
   * Seeds the weight initialisation and the dropout masks (and fit()'s shuffling unless fit is given
   * its own seed): the same seed gives the same weights, bit for bit.
   * @default 0
   */
  seed?: number;
}

/** SequentialOptions with defaults applied and the input given as a shape. */
export interface ResolvedSequentialOptions {
  readonly backend: Backend;
  readonly inputShape: Shape;
  readonly seed: number;
}

function isBackend(b: unknown): b is Backend {
  return b !== null && typeof b === 'object' && typeof (b as Backend).f32 === 'function' && typeof (b as Backend).matmul === 'function';
}

function resolveInputShape(r: OptionReader, fromFirstLayer: Shape | null): Shape {
  const shape = r.raw('inputShape');
  const size = r.has('inputSize') ? r.number('inputSize', undefined, { min: 1, integer: true }) : null;
  if (fromFirstLayer !== null) {
    const given = shape === undefined ? (size === null ? null : [size]) : r.numbers('inputShape', { min: 1, integer: true });
    if (given !== null && (given.length !== fromFirstLayer.length || given.some((d, i) => d !== fromFirstLayer[i]))) {
      throw new RangeError(`simdnet sequential: the first layer's inputShape [${fromFirstLayer.join(', ')}] differs from sequential()'s ` +
        `${shape === undefined ? `inputSize ${size}` : `inputShape [${given.join(', ')}]`}; give the input shape in one place`);
    }
    return fromFirstLayer;
  }
  if (shape === undefined) {
    if (size === null) r.fail('inputSize', "given (or inputShape, or Keras's inputShape on the first layer): the number of input features", undefined);
    return [size];
  }
  const dims = r.numbers('inputShape', { min: 1, integer: true });
  const product = shapeSize(dims);
  if (size !== null && size !== product) r.fail('inputSize', `equal to the product of inputShape [${dims.join(', ')}] = ${product}`, size);
  return dims;
}

/**
 * Checks sequential()'s options: a backend, an input size or shape (consistent when both, and with the
 * first layer's `inputShape` when it has one), a seed.
 */
export function resolveSequentialOptions(options: SequentialOptions, firstLayerShape: Shape | null = null): ResolvedSequentialOptions {
  const r = new OptionReader('sequential', options, ['inputSize', 'inputShape', 'backend', 'seed']);
  if (!isBackend(r.raw('backend'))) {
    r.fail('backend', 'the ReadyBackend from `await init()` or `jsBackend()` (there is no default backend)', r.raw('backend'));
  }
  const inputShape = resolveInputShape(r, firstLayerShape);
  return { backend: options.backend, inputShape, seed: r.number('seed', 0, { min: 0, below: 2 ** 32, integer: true }) };
}

/**
 * A later layer's Keras inputShape must be what it receives: checked before any layer is built, so a
 * refused model leaves its layers usable.
 */
export function checkDeclaredShapes(layers: readonly Layer[], inputShape: Shape): void {
  let shape = inputShape;
  for (const l of layers) {
    const d = l.declaredInputShape;
    if (d !== null && (d.length !== shape.length || d.some((v, j) => v !== shape[j]))) {
      throw new RangeError(`simdnet sequential: layer '${l.name}' says inputShape [${d.join(', ')}] but receives rows of shape [${shape.join(', ')}]`);
    }
    shape = l.outputShapeFor(shape);
  }
}

/** Names unnamed layers 'dense_1', 'dropout_1', ... (counting per model, per type) and checks names are unique. */
export function nameLayers(layers: readonly Layer[]): void {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  for (const layer of layers) {
    const k = (counts.get(layer.type) ?? 0) + 1;
    counts.set(layer.type, k);
    layer.name ??= `${layer.type}_${k}`;
    if (seen.has(layer.name)) throw new RangeError(`simdnet sequential: two layers are named '${layer.name}'; layer names must be unique`);
    seen.add(layer.name);
  }
}
