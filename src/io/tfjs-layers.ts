/**
 * The one table between simdnet's layers and the Keras layer classes of the TensorFlow.js layers
 * format, both ways. A simdnet layer kind adds one entry to TO_KERAS (until it has one, export
 * refuses it by name: batch normalization, whose moving statistics are not weights, has none yet)
 * and one to FROM_KERAS per class. Images are channels-last on both sides, and a Conv2D kernel is
 * [kh, kw, in, out] in both, so conv2d and the pools map field by field.
 *
 * Activations: simdnet's dense carries any activation of its table with a parameter alpha; Keras's
 * Dense carries only named activations without one. ACTIVATIONS_TO_KERAS says, per simdnet
 * activation, how it is written:
 *   - a Keras activation name ('relu', 'gelu' (the erf form in tfjs-layers 4.22), 'swish', 'mish');
 *   - sigmoid of slope a and hardSigmoid of slope a: σ(a·z) and clip(a·z + ½) are Keras's sigmoid and
 *     hard_sigmoid (slope 0.2) of a scaled input, so a dense layer writes them exactly by scaling its
 *     kernel and bias (by a, resp. a/0.2); an activation layer has no weights to scale and refuses;
 *   - leakyRelu: a LeakyReLU layer (with its alpha) after a linear Dense;
 *   - step, and elu with α ≠ 1: refused (Keras has no step activation; tfjs-layers loads ELU only
 *     with α = 1, and a Sequential model has no Lambda-free way to compose one). Import still
 *     reads an ELU layer of any alpha (Keras writes them).
 */
import type { ActivationName } from '../backend/contract.js';
import type { LayerConfig } from '../model/layer-registry.js';
import type { Pool2dConfig } from '../model/pool2d.js';
import { outputSize, type Padding } from '../model/conv-geometry.js';
import type { Shape } from '../model/layers.js';
import type { PieceConfig } from '../train/types.js';

/** A Keras layer as tfjs serialises it: `{ class_name, config }` with snake_case keys. */
export interface KerasLayer {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
}

/** tfjs-layers' hard_sigmoid is clip(0.2·x + 0.5, 0, 1) (Keras 2's definition). */
const KERAS_HARD_SIGMOID_SLOPE = 0.2;

/** How a simdnet activation with a given alpha is written in Keras. */
type KerasActivation =
  | { readonly kind: 'name'; readonly name: string; readonly inputScale: number }
  | { readonly kind: 'layer'; readonly layer: KerasLayer }
  | { readonly kind: 'none'; readonly reason: string };

const named = (name: string, inputScale = 1): KerasActivation => ({ kind: 'name', name, inputScale });

/** Per simdnet activation: its Keras form for a given alpha (exhaustive over ActivationName). */
const ACTIVATIONS_TO_KERAS: { readonly [A in ActivationName]: (alpha: number) => KerasActivation } = {
  identity: () => named('linear'),
  step: () => ({ kind: 'none', reason: 'Keras and TensorFlow.js have no step activation' }),
  sigmoid: (a) => named('sigmoid', a),
  tanh: () => named('tanh'),
  relu: () => named('relu'),
  leakyRelu: (a) => ({ kind: 'layer', layer: { class_name: 'LeakyReLU', config: { alpha: a } } }),
  // Keras's ELU layer has an alpha, but tfjs-layers 4.22 refuses to load one other than 1.
  elu: (a) => (a === 1 ? named('elu') : { kind: 'none', reason: `TensorFlow.js supports ELU only with α = 1 (this one has ${a})` }),
  gelu: () => named('gelu'),
  softplus: () => named('softplus'),
  silu: () => named('swish'),
  hardSigmoid: (a) => named('hard_sigmoid', a / KERAS_HARD_SIGMOID_SLOPE),
  mish: () => named('mish'),
};

/** Keras activation names (snake_case as saved, and tfjs's camelCase spellings) → simdnet with its alpha. */
const ACTIVATIONS_FROM_KERAS: Readonly<Record<string, { readonly activation: ActivationName; readonly alpha: number }>> = {
  linear: { activation: 'identity', alpha: 0 },
  relu: { activation: 'relu', alpha: 0 },
  elu: { activation: 'elu', alpha: 1 },
  sigmoid: { activation: 'sigmoid', alpha: 1 },
  hard_sigmoid: { activation: 'hardSigmoid', alpha: Math.fround(KERAS_HARD_SIGMOID_SLOPE) },
  hardSigmoid: { activation: 'hardSigmoid', alpha: Math.fround(KERAS_HARD_SIGMOID_SLOPE) },
  tanh: { activation: 'tanh', alpha: 0 },
  softplus: { activation: 'softplus', alpha: 0 },
  swish: { activation: 'silu', alpha: 0 },
  silu: { activation: 'silu', alpha: 0 },
  gelu: { activation: 'gelu', alpha: 0 },
  mish: { activation: 'mish', alpha: 0 },
};

/** The error of an unsupported model; `where` names the layer. */
export class TfjsFormatError extends Error {
  override readonly name = 'TfjsFormatError';
}

function unsupported(where: string, message: string): never {
  throw new TfjsFormatError(`simdnet tfjs: ${where}: ${message}`);
}

// ─── export ────────────────────────────────────────────────────────────────────────────────────────

/** One exported layer's weights: the simdnet tensor name they come from, and the factor applied. */
export interface ExportedWeight {
  /** The name in the manifest ('dense_1/kernel'). */
  readonly name: string;
  /** The simdnet weight it is ('dense_1/kernel'). */
  readonly source: string;
  /** Multiplies every value (the sigmoid/hard-sigmoid slope folded into a dense layer), usually 1. */
  readonly scale: number;
}

/** What one simdnet layer becomes: Keras layers and the weights they read, in order. */
export interface ExportedLayers {
  readonly layers: KerasLayer[];
  readonly weights: ExportedWeight[];
}

type Exporter<C> = (config: C, inputShape: Shape) => ExportedLayers;

function activationLayer(where: string, name: string, activation: ActivationName, alpha: number): KerasLayer {
  const k = ACTIVATIONS_TO_KERAS[activation](alpha);
  if (k.kind === 'none') unsupported(where, `activation '${activation}' cannot be exported: ${k.reason}`);
  if (k.kind === 'layer') return { class_name: k.layer.class_name, config: { ...k.layer.config, name, trainable: true } };
  if (k.inputScale !== 1) {
    unsupported(where, `activation '${activation}' with slope ${alpha} has no Keras equivalent as a separate layer ` +
      `(Keras's is slope ${activation === 'sigmoid' ? 1 : KERAS_HARD_SIGMOID_SLOPE}); put it in the dense layer before it, which exports it exactly`);
  }
  return { class_name: 'Activation', config: { activation: k.name, name, trainable: true } };
}

function regularizerToKeras(config: PieceConfig | null): KerasLayer | null {
  if (config === null) return null;
  const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
  if (config.name === 'l1') return { class_name: 'L1L2', config: { l1: n(config.alpha), l2: 0 } };
  if (config.name === 'l2') return { class_name: 'L1L2', config: { l1: 0, l2: n(config.alpha) } };
  if (config.name === 'l1l2') return { class_name: 'L1L2', config: { l1: n(config.l1), l2: n(config.l2) } };
  return null;
}

/** tfjs's Dense applies along the last axis; simdnet's takes the flat row, so a Flatten goes first. */
function flattenFor(name: string, inputShape: Shape): KerasLayer[] {
  return inputShape.length > 1 ? [{ class_name: 'Flatten', config: { name: `${name}_flatten`, trainable: true } }] : [];
}

/**
 * A layer's elementwise activation in Keras: the name its Keras layer carries (the slope of a sigmoid
 * folded into its weights by `scale`), or 'linear' and a layer after it (LeakyReLU).
 */
function activationInLayer(where: string, name: string, activation: ActivationName | 'softmax', alpha: number): { name: string; scale: number; after: KerasLayer[] } {
  const k: KerasActivation = activation === 'softmax' ? { kind: 'name', name: 'softmax', inputScale: 1 } : ACTIVATIONS_TO_KERAS[activation](alpha);
  if (k.kind === 'none') unsupported(where, `activation '${activation}' cannot be exported: ${k.reason}`);
  if (k.kind === 'name') return { name: k.name, scale: k.inputScale, after: [] };
  // A layer only for an elementwise activation, never softmax.
  return { name: 'linear', scale: 1, after: [activationLayer(where, `${name}_${k.layer.class_name.toLowerCase()}`, activation as ActivationName, alpha)] };
}

const GLOROT = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform', seed: null } };

/** The kernel and (when used) bias of layer `name`, each multiplied by `scale`. */
function kernelAndBias(name: string, useBias: boolean, scale: number): ExportedWeight[] {
  const weights = [{ name: `${name}/kernel`, source: `${name}/kernel`, scale }];
  if (useBias) weights.push({ name: `${name}/bias`, source: `${name}/bias`, scale });
  return weights;
}

const pool = (className: string) => (c: Pool2dConfig): ExportedLayers => ({
  layers: [{ class_name: className, config: { pool_size: c.poolSize, strides: c.strides, padding: c.padding, data_format: 'channels_last', name: c.name, trainable: true } }],
  weights: [],
});

const TO_KERAS: { readonly [T in LayerConfig['type']]?: Exporter<Extract<LayerConfig, { type: T }>> } = {
  dense: (c, inputShape) => {
    // A softmax dense layer (Keras's classifier head) is Keras's Dense with activation 'softmax'.
    const act = activationInLayer(`layer '${c.name}' (dense)`, c.name, c.activation, c.activationAlpha);
    const dense: KerasLayer = {
      class_name: 'Dense',
      config: {
        units: c.units, activation: act.name, use_bias: c.useBias, kernel_initializer: GLOROT, bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: regularizerToKeras(c.kernelRegularizer), bias_regularizer: regularizerToKeras(c.biasRegularizer),
        activity_regularizer: null, kernel_constraint: null, bias_constraint: null, name: c.name, trainable: true,
      },
    };
    return { layers: [...flattenFor(c.name, inputShape), dense, ...act.after], weights: kernelAndBias(c.name, c.useBias, act.scale) };
  },
  conv2d: (c) => {
    const act = activationInLayer(`layer '${c.name}' (conv2d)`, c.name, c.activation, c.activationAlpha);
    const conv: KerasLayer = {
      class_name: 'Conv2D',
      config: {
        filters: c.filters, kernel_size: c.kernelSize, strides: c.strides, padding: c.padding, data_format: 'channels_last', dilation_rate: c.dilation,
        activation: act.name, use_bias: c.useBias, kernel_initializer: GLOROT, bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: regularizerToKeras(c.kernelRegularizer), bias_regularizer: regularizerToKeras(c.biasRegularizer),
        activity_regularizer: null, kernel_constraint: null, bias_constraint: null, name: c.name, trainable: true,
      },
    };
    return { layers: [conv, ...act.after], weights: kernelAndBias(c.name, c.useBias, act.scale) };
  },
  maxPool2d: pool('MaxPooling2D'),
  avgPool2d: pool('AveragePooling2D'),
  globalAvgPool2d: (c) => ({ layers: [{ class_name: 'GlobalAveragePooling2D', config: { data_format: 'channels_last', name: c.name, trainable: true } }], weights: [] }),
  activation: (c) => ({ layers: [activationLayer(`layer '${c.name}' (activation)`, c.name, c.activation, c.alpha)], weights: [] }),
  dropout: (c) => ({ layers: [{ class_name: 'Dropout', config: { rate: c.rate, noise_shape: null, seed: null, name: c.name, trainable: true } }], weights: [] }),
  flatten: (c) => ({ layers: [{ class_name: 'Flatten', config: { name: c.name, trainable: true } }], weights: [] }),
};

/** The Keras layers and weights of one simdnet layer config (refusing what Keras cannot express). */
export function layerToKeras(config: LayerConfig, inputShape: Shape): ExportedLayers {
  const exporter = TO_KERAS[config.type] as Exporter<LayerConfig> | undefined;
  if (exporter === undefined) unsupported(`layer '${config.name}'`, `layer type '${config.type}' has no TensorFlow.js equivalent yet`);
  return exporter(config, inputShape);
}

// ─── import ────────────────────────────────────────────────────────────────────────────────────────

/** A weight tensor an imported layer expects: its name in the manifest and its shape. */
export interface ExpectedWeight {
  readonly name: string;
  readonly shape: readonly number[];
}

/** What one Keras layer becomes: simdnet layer configs (maybe none), its output shape, its weights. */
export interface ImportedLayer {
  readonly layers: LayerConfig[];
  readonly outputShape: Shape;
  readonly weights: ExpectedWeight[];
}

/** What an importer is told about the layer's place in the model. */
export interface ImportContext {
  readonly where: string;
  readonly name: string;
  readonly inputShape: Shape;
}

type Importer = (config: Readonly<Record<string, unknown>>, ctx: ImportContext) => ImportedLayer;

function field(config: Readonly<Record<string, unknown>>, snake: string, camel: string): unknown {
  return config[snake] ?? config[camel];
}

function positiveInt(value: unknown, where: string, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) unsupported(where, `${what} must be an integer ≥ 1, got ${JSON.stringify(value)}`);
  return value;
}

function number(value: unknown, where: string, what: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) unsupported(where, `${what} must be a finite number, got ${JSON.stringify(value)}`);
  return value;
}

/** A Keras activation (a name, or tfjs's `{ class_name }` form) as simdnet's; 'softmax' is the caller's. */
export function activationFromKeras(value: unknown, where: string): { activation: ActivationName; alpha: number } | 'softmax' {
  const name = value === undefined || value === null ? 'linear'
    : typeof value === 'object' ? (value as { class_name?: unknown }).class_name : value;
  if (name === 'softmax') return 'softmax';
  if (typeof name !== 'string' || !Object.hasOwn(ACTIVATIONS_FROM_KERAS, name)) {
    unsupported(where, `activation ${JSON.stringify(name)} has no simdnet equivalent; supported: ${Object.keys(ACTIVATIONS_FROM_KERAS).join(', ')}, and softmax as the last one`);
  }
  return ACTIVATIONS_FROM_KERAS[name];
}

function regularizerFromKeras(value: unknown, where: string, what: string): PieceConfig | null {
  if (value === undefined || value === null) return null;
  const r = value as { class_name?: unknown; config?: Record<string, unknown> };
  if (r.class_name !== 'L1L2' && r.class_name !== 'l1_l2') unsupported(where, `${what} ${JSON.stringify(r.class_name)} has no simdnet equivalent (supported: L1L2)`);
  return { name: 'l1l2', l1: number(r.config?.l1, where, `${what}.l1`, 0), l2: number(r.config?.l2, where, `${what}.l2`, 0) };
}

function elementwise(layer: LayerConfig | null, ctx: ImportContext): ImportedLayer {
  return { layers: layer === null ? [] : [layer], outputShape: ctx.inputShape, weights: [] };
}

const SOFTMAX_ELSEWHERE = 'softmax is supported only as the last activation (the model is imported as logits)';

/** A Keras size: one integer or a list of two ([height, width]). */
function pairOf(value: unknown, where: string, what: string, fallback?: readonly [number, number]): [number, number] {
  if ((value === undefined || value === null) && fallback !== undefined) return [...fallback];
  const v = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2) unsupported(where, `${what} must be an integer or [height, width], got ${JSON.stringify(value)}`);
  return [positiveInt(v[0], where, what), positiveInt(v[1], where, what)];
}

/** The image [h, w, c] a Keras image layer reads, its padding, and that it is channels-last. */
function imageInput(c: Readonly<Record<string, unknown>>, ctx: ImportContext): { padding: Padding } {
  if (ctx.inputShape.length !== 3) unsupported(ctx.where, `an image layer needs an input [height, width, channels], got [${ctx.inputShape.join(', ')}]`);
  const format = field(c, 'data_format', 'dataFormat');
  if (format !== undefined && format !== null && format !== 'channels_last') unsupported(ctx.where, `data_format ${JSON.stringify(format)} has no simdnet equivalent (simdnet images are channels-last)`);
  const padding = c.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') unsupported(ctx.where, `padding ${JSON.stringify(padding)} has no simdnet equivalent (valid, same)`);
  return { padding };
}

/** The output [outH, outW] of a window over the importing layer's input image (refused when it does not fit). */
function windowShape(ctx: ImportContext, span: readonly [number, number], strides: readonly [number, number], padding: Padding): [number, number] {
  const outH = outputSize(ctx.inputShape[0], span[0], strides[0], padding);
  const outW = outputSize(ctx.inputShape[1], span[1], strides[1], padding);
  if (outH === null || outW === null) unsupported(ctx.where, `a ${span.join('x')} window does not fit its input [${ctx.inputShape.join(', ')}] with padding 'valid'`);
  return [outH, outW];
}

const poolFrom = (type: 'maxPool2d' | 'avgPool2d'): Importer => (c, ctx) => {
  const { padding } = imageInput(c, ctx);
  const poolSize = pairOf(field(c, 'pool_size', 'poolSize'), ctx.where, 'pool_size', [2, 2]);
  const strides = pairOf(c.strides, ctx.where, 'strides', poolSize);
  const [outH, outW] = windowShape(ctx, poolSize, strides, padding);
  return { layers: [{ type, name: ctx.name, poolSize, strides, padding }], outputShape: [outH, outW, ctx.inputShape[2]], weights: [] };
};

const FROM_KERAS: Readonly<Record<string, Importer>> = {
  Dense: (c, ctx) => {
    const units = positiveInt(c.units, ctx.where, 'units');
    if (ctx.inputShape.length > 1) {
      unsupported(ctx.where, `Dense on an input of shape [${ctx.inputShape.join(', ')}] applies along the last axis in Keras; simdnet's dense takes flat rows: put a Flatten before it`);
    }
    const act = activationFromKeras(c.activation, ctx.where);
    if (act === 'softmax') unsupported(ctx.where, SOFTMAX_ELSEWHERE);
    const useBias = field(c, 'use_bias', 'useBias') ?? true;
    if (typeof useBias !== 'boolean') unsupported(ctx.where, `use_bias must be true or false, got ${JSON.stringify(useBias)}`);
    const dense: LayerConfig = {
      type: 'dense', name: ctx.name, units, activation: act.activation, activationAlpha: act.alpha, useBias,
      kernelInitializer: { name: 'glorotUniform' }, biasInitializer: { name: 'zeros' },
      kernelRegularizer: regularizerFromKeras(field(c, 'kernel_regularizer', 'kernelRegularizer'), ctx.where, 'kernel_regularizer'),
      biasRegularizer: regularizerFromKeras(field(c, 'bias_regularizer', 'biasRegularizer'), ctx.where, 'bias_regularizer'),
    };
    const weights = [{ name: `${ctx.name}/kernel`, shape: [ctx.inputShape[0], units] }];
    if (useBias) weights.push({ name: `${ctx.name}/bias`, shape: [units] });
    return { layers: [dense], outputShape: [units], weights };
  },
  Activation: (c, ctx) => {
    const act = activationFromKeras(c.activation, ctx.where);
    if (act === 'softmax') unsupported(ctx.where, SOFTMAX_ELSEWHERE);
    return elementwise(act.activation === 'identity' ? null : { type: 'activation', name: ctx.name, activation: act.activation, alpha: act.alpha }, ctx);
  },
  LeakyReLU: (c, ctx) => elementwise({ type: 'activation', name: ctx.name, activation: 'leakyRelu', alpha: number(c.alpha ?? c.negative_slope, ctx.where, 'alpha', 0.3) }, ctx),
  ELU: (c, ctx) => elementwise({ type: 'activation', name: ctx.name, activation: 'elu', alpha: number(c.alpha, ctx.where, 'alpha', 1) }, ctx),
  ReLU: (c, ctx) => {
    const max = field(c, 'max_value', 'maxValue');
    if (max !== undefined && max !== null) unsupported(ctx.where, `ReLU with max_value ${JSON.stringify(max)} has no simdnet equivalent`);
    return elementwise({ type: 'activation', name: ctx.name, activation: 'relu', alpha: 0 }, ctx);
  },
  Dropout: (c, ctx) => {
    const rate = number(c.rate, ctx.where, 'rate', 0);
    if (rate < 0 || rate >= 1) unsupported(ctx.where, `rate must be in [0, 1), got ${rate}`);
    return elementwise({ type: 'dropout', name: ctx.name, rate }, ctx);
  },
  Conv2D: (c, ctx) => {
    const { padding } = imageInput(c, ctx);
    const filters = positiveInt(c.filters, ctx.where, 'filters');
    const kernelSize = pairOf(field(c, 'kernel_size', 'kernelSize'), ctx.where, 'kernel_size');
    const strides = pairOf(c.strides, ctx.where, 'strides', [1, 1]);
    const dilation = pairOf(field(c, 'dilation_rate', 'dilationRate'), ctx.where, 'dilation_rate', [1, 1]);
    const act = activationFromKeras(c.activation, ctx.where);
    if (act === 'softmax') unsupported(ctx.where, SOFTMAX_ELSEWHERE);
    const useBias = field(c, 'use_bias', 'useBias') ?? true;
    if (typeof useBias !== 'boolean') unsupported(ctx.where, `use_bias must be true or false, got ${JSON.stringify(useBias)}`);
    const span: [number, number] = [(kernelSize[0] - 1) * dilation[0] + 1, (kernelSize[1] - 1) * dilation[1] + 1];
    const [outH, outW] = windowShape(ctx, span, strides, padding);
    const conv: LayerConfig = {
      type: 'conv2d', name: ctx.name, filters, kernelSize, strides, padding, dilation, activation: act.activation, activationAlpha: act.alpha, useBias,
      kernelInitializer: { name: 'glorotUniform' }, biasInitializer: { name: 'zeros' },
      kernelRegularizer: regularizerFromKeras(field(c, 'kernel_regularizer', 'kernelRegularizer'), ctx.where, 'kernel_regularizer'),
      biasRegularizer: regularizerFromKeras(field(c, 'bias_regularizer', 'biasRegularizer'), ctx.where, 'bias_regularizer'),
    };
    const weights = [{ name: `${ctx.name}/kernel`, shape: [kernelSize[0], kernelSize[1], ctx.inputShape[2], filters] }];
    if (useBias) weights.push({ name: `${ctx.name}/bias`, shape: [filters] });
    return { layers: [conv], outputShape: [outH, outW, filters], weights };
  },
  MaxPooling2D: poolFrom('maxPool2d'),
  AveragePooling2D: poolFrom('avgPool2d'),
  GlobalAveragePooling2D: (c, ctx) => {
    imageInput({ ...c, padding: 'valid' }, ctx);
    if (c.keepdims === true) unsupported(ctx.where, 'GlobalAveragePooling2D with keepdims has no simdnet equivalent');
    return { layers: [{ type: 'globalAvgPool2d', name: ctx.name }], outputShape: [ctx.inputShape[2]], weights: [] };
  },
  Flatten: (c, ctx) => {
    const format = field(c, 'data_format', 'dataFormat');
    if (format === 'channels_first' && ctx.inputShape.length > 2) unsupported(ctx.where, 'Flatten with data_format channels_first has no simdnet equivalent (simdnet rows are channels-last)');
    return { layers: [{ type: 'flatten', name: ctx.name }], outputShape: [ctx.inputShape.reduce((a, b) => a * b, 1)], weights: [] };
  },
};

/** The class names import understands (for error messages and docs). */
export const KERAS_CLASSES: readonly string[] = [...Object.keys(FROM_KERAS), 'InputLayer', 'Softmax'];

/** simdnet's layers, weights and output shape for one Keras layer; an unknown class is an error naming the known ones. */
export function layerFromKeras(layer: KerasLayer, ctx: ImportContext): ImportedLayer {
  const importer = Object.hasOwn(FROM_KERAS, layer.class_name) ? FROM_KERAS[layer.class_name] : undefined;
  if (importer === undefined) {
    unsupported(ctx.where, `layer class ${JSON.stringify(layer.class_name)} has no simdnet equivalent; supported: ${KERAS_CLASSES.join(', ')}`);
  }
  return importer(layer.config, ctx);
}

