/**
 * The TensorFlow.js layers format: a `model.json` (the Keras Sequential topology under
 * `modelTopology`, and the `weightsManifest`) and a `weights.bin` (the float32 weights, little-endian,
 * in manifest order), what `tf.loadLayersModel` reads and `model.save()` of tfjs-layers writes.
 *
 *     const { modelJson, weightData } = exportTfjsLayers(model);        // write model.json and weights.bin
 *     const again = importTfjsLayers(modelJson, weightData, { backend });
 *
 * Pure functions: no I/O. The layer mapping is one table (tfjs-layers.ts); the manifest and the bytes
 * are tfjs-manifest.ts. On import everything is checked (classes, shapes, the weights against the
 * architecture and the byte length) before the model is built.
 *
 * Softmax: simdnet models end in logits (the softmax lives in the softmaxCrossEntropy loss). Export
 * writes logits, or with `{ outputs: 'probabilities' }` a final softmax. Import drops a final softmax
 * (of a Dense or an Activation/Softmax layer): the imported model's predict() gives logits; compile it
 * with 'softmaxCrossEntropy' to train on, and apply softmax to its outputs for probabilities.
 *
 * Not carried either way: initializers (export writes Keras's defaults), constraints, and the training
 * config (loss, optimizer: compile the imported model yourself). Regularizers are, as Keras's L1L2.
 */
import type { Backend } from '../backend/contract.js';
import { layerFromConfig, type LayerConfig } from '../model/layer-registry.js';
import { shapeSize, type Shape } from '../model/layers.js';
import { Sequential } from '../model/sequential.js';
import { decodeWeights, encodeWeights, type NamedTensor } from './tfjs-manifest.js';
import { layerFromKeras, layerToKeras, TfjsFormatError, type ExpectedWeight, type KerasLayer } from './tfjs-layers.js';

export { TfjsFormatError } from './tfjs-layers.js';

/** The tfjs-layers version whose format this writes (and whose loader the tests run). */
const KERAS_VERSION = 'tfjs-layers 4.22.0';

/** A row of more values than this is refused on import (a sign of a corrupt or hostile model.json). */
const MAX_ROW_VALUES = 2 ** 28;

/** Options of exportTfjsLayers(). */
export interface TfjsExportOptions {
  /**
   * What the exported model outputs: 'logits' (simdnet's outputs as they are) or 'probabilities' (a
   * softmax over the outputs appended, for classifiers trained with softmaxCrossEntropy).
   * @default 'logits'
   */
  outputs?: 'logits' | 'probabilities';
  /**
   * The weights file's name in the manifest (model.json refers to it relative to itself).
   * @default 'weights.bin'
   */
  weightsPath?: string;
}

/** A model in the TensorFlow.js layers format: the content of model.json and of its weights file. */
export interface TfjsArtifacts {
  /** The object to write as model.json (JSON.stringify it). */
  modelJson: unknown;
  /** The bytes of the weights file the manifest names. */
  weightData: Uint8Array;
}

/** Options of importTfjsLayers(). */
export interface TfjsImportOptions {
  /** The backend the model lives on (`await init()` or jsBackend()). Required. */
  backend: Backend;
  /** The model's seed (dropout masks, shuffles when trained on). @default Sequential's default */
  seed?: number;
}

function fail(message: string): never {
  throw new TfjsFormatError(`simdnet tfjs: ${message}`);
}

/**
 * The model in the TensorFlow.js layers format (see the file comment). Refuses, naming the layer,
 * what TensorFlow.js cannot express: the step activation, elu with α ≠ 1, a separate sigmoid or
 * hard-sigmoid layer of a slope Keras lacks. A dense layer with leakyRelu becomes a linear Dense and a
 * LeakyReLU layer; sigmoid and hardSigmoid slopes are folded into the dense layer's weights.
 * @example
 *     const { modelJson, weightData } = exportTfjsLayers(model, { outputs: 'probabilities' });
 *     await writeFile('model.json', JSON.stringify(modelJson));
 *     await writeFile('weights.bin', weightData);
 *     // in TensorFlow.js: await tf.loadLayersModel('file://model.json') (tfjs-node) or an http(s) URL
 */
export function exportTfjsLayers(model: Sequential, options: TfjsExportOptions = {}): TfjsArtifacts {
  if (!(model instanceof Sequential)) throw new TypeError(`simdnet exportTfjsLayers: model must be a Sequential model, got ${String(model)}`);
  const outputs = options.outputs ?? 'logits';
  if (outputs !== 'logits' && outputs !== 'probabilities') throw new RangeError(`simdnet exportTfjsLayers: options.outputs must be 'logits' or 'probabilities', got ${String(outputs)}`);
  const weightsPath = options.weightsPath ?? 'weights.bin';
  if (typeof weightsPath !== 'string' || weightsPath === '') throw new RangeError('simdnet exportTfjsLayers: options.weightsPath must be a non-empty string');
  const values = new Map(model.getWeights().map((w) => [w.name, w]));
  const layers: KerasLayer[] = [];
  const tensors: NamedTensor[] = [];
  for (const layer of model.layers) {
    const exported = layerToKeras(layer.toConfig() as LayerConfig, layer.inputShape);
    layers.push(...exported.layers);
    for (const w of exported.weights) {
      const source = values.get(w.source) ?? fail(`layer '${layer.name}' has no weight '${w.source}'`);
      tensors.push({ name: w.name, shape: source.shape, values: w.scale === 1 ? source.values : source.values.map((v) => v * w.scale) });
    }
  }
  if (outputs === 'probabilities') layers.push({ class_name: 'Activation', config: { activation: 'softmax', name: 'probabilities', trainable: true } });
  const first = layers[0];
  layers[0] = { class_name: first.class_name, config: { ...first.config, batch_input_shape: [null, ...model.inputShape], dtype: 'float32' } };
  const { manifest, data } = encodeWeights(tensors, weightsPath);
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'simdnet',
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: KERAS_VERSION, backend: 'tensor_flow.js' },
    weightsManifest: manifest,
  };
  return { modelJson, weightData: data };
}

// ─── import ────────────────────────────────────────────────────────────────────────────────────────

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${what} must be an object, got ${JSON.stringify(value)?.slice(0, 80)}`);
  return value as Record<string, unknown>;
}

function kerasLayer(value: unknown, i: number): KerasLayer {
  const l = record(value, `layers[${i}]`);
  if (typeof l.class_name !== 'string') fail(`layers[${i}].class_name must be a string, got ${JSON.stringify(l.class_name)}`);
  return { class_name: l.class_name, config: record(l.config ?? {}, `layers[${i}].config`) };
}

/** The Sequential's layer list from a modelTopology (tfjs's own, or a converted Keras file's `model_config`). */
function topologyLayers(json: unknown): KerasLayer[] {
  const root = record(json, 'model.json');
  const topology = record(root.modelTopology, 'model.json modelTopology');
  const model = record(topology.model_config ?? topology, 'modelTopology.model_config');
  if (model.class_name !== 'Sequential') {
    fail(`only Sequential models can be imported, this is ${JSON.stringify(model.class_name)} (a functional model: rebuild it as tf.sequential())`);
  }
  const config = model.config;
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers) || layers.length === 0) fail('modelTopology.config.layers must be a non-empty array of layers');
  return layers.map(kerasLayer);
}

function inputShapeOf(layer: KerasLayer, where: string): Shape | null {
  const c = layer.config;
  const batch = c.batch_input_shape ?? c.batchInputShape ?? c.batch_shape;
  const shape = batch !== undefined && batch !== null
    ? (Array.isArray(batch) && batch.length >= 2 && batch[0] === null ? batch.slice(1) : fail(`${where}: batch_input_shape must be [null, ...dimensions], got ${JSON.stringify(batch)}`))
    : (c.input_shape ?? c.inputShape ?? null);
  if (shape === null) return null;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 1)) {
    fail(`${where}: the input shape must be dimensions that are integers ≥ 1 (no free dimension but the batch), got ${JSON.stringify(shape)}`);
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size > MAX_ROW_VALUES) fail(`${where}: the input shape [${shape.join(', ')}] has ${size} values per row, more than ${MAX_ROW_VALUES}`);
  return shape as number[];
}

function isSoftmax(layer: KerasLayer): boolean {
  if (layer.class_name === 'Softmax') return true;
  const a = layer.config.activation;
  const name = typeof a === 'object' && a !== null ? (a as { class_name?: unknown }).class_name : a;
  return name === 'softmax' && (layer.class_name === 'Activation' || layer.class_name === 'Dense');
}

/**
 * Drops a final softmax (see the file comment): a final Activation/Softmax layer goes, a final Dense
 * with softmax becomes linear. Returns the layers and the softmax layer dropped (null: none).
 */
function withoutFinalSoftmax(layers: KerasLayer[]): { layers: KerasLayer[]; softmax: KerasLayer | null } {
  const last = layers[layers.length - 1];
  if (!isSoftmax(last)) return { layers, softmax: null };
  if (last.class_name === 'Dense') return { layers: [...layers.slice(0, -1), { class_name: 'Dense', config: { ...last.config, activation: 'linear' } }], softmax: last };
  if (layers.length === 1) fail('the model is only a softmax: nothing to import');
  return { layers: layers.slice(0, -1), softmax: last };
}

/** A dropped softmax must be over the features of flat rows: axis −1, or 1 as tfjs writes it for [batch, n]. */
function checkSoftmax(softmax: KerasLayer, outputShape: Shape): void {
  const where = `the final softmax ('${String(softmax.config.name)}')`;
  if (outputShape.length !== 1) fail(`${where} is over outputs of shape [${outputShape.join(', ')}]; only flat outputs (after a Flatten or Dense) can be imported as logits`);
  const raw = softmax.config.axis ?? -1;
  const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (axis !== -1 && axis !== 1) fail(`${where} is over axis ${JSON.stringify(raw)}; only the last axis (−1, or 1 of [batch, features]) is supported`);
}

/** The architecture of a model.json: input shape, simdnet layer configs, and the weights they read. */
function readArchitecture(json: unknown): { inputShape: Shape; configs: LayerConfig[]; weights: ExpectedWeight[] } {
  let layers = topologyLayers(json);
  const inputShape = inputShapeOf(layers[0], `layer '${String(layers[0].config.name ?? 0)}'`);
  if (layers[0].class_name === 'InputLayer') {
    layers = layers.slice(1);
    if (layers.length === 0) fail('the model has an InputLayer and no other layer');
  }
  if (inputShape === null) fail('the first layer has no batch_input_shape (the model\'s input shape), so the architecture is incomplete');
  let shape: Shape = inputShape;
  const dropped = withoutFinalSoftmax(layers);
  layers = dropped.layers;
  const configs: LayerConfig[] = [];
  const weights: ExpectedWeight[] = [];
  layers.forEach((layer, i) => {
    const given = layer.config.name;
    const name = typeof given === 'string' && given !== '' ? given : `${layer.class_name.toLowerCase()}_${i + 1}`;
    const where = `layer '${name}' (${layer.class_name}, layers[${i}])`;
    if (i > 0 && inputShapeOf(layer, where) !== null) fail(`${where} sets an input shape, but only the first layer may`);
    const out = layerFromKeras(layer, { where, name, inputShape: shape });
    if (shapeSize(out.outputShape) > MAX_ROW_VALUES) fail(`${where}: its output of shape [${out.outputShape.join(', ')}] is too large`);
    configs.push(...out.layers);
    weights.push(...out.weights);
    shape = out.outputShape;
  });
  if (dropped.softmax !== null) checkSoftmax(dropped.softmax, shape);
  if (configs.length === 0) fail('the model has no layer simdnet can compute (only linear activations)');
  return { inputShape, configs, weights };
}

/**
 * A simdnet model from a TensorFlow.js layers model: the parsed (or text) model.json and its weight
 * data (every file of the manifest, concatenated in manifest order: for one weights.bin, its bytes).
 * Throws a TfjsFormatError naming what is wrong (an unknown layer class or activation, a shape, a
 * weight missing or of the wrong size, truncated data) before anything is allocated. A final softmax
 * is dropped: predict() gives logits (see the file comment).
 * @example
 *     const json = JSON.parse(await readFile('model.json', 'utf8'));
 *     const model = importTfjsLayers(json, await readFile('weights.bin'), { backend });
 */
export function importTfjsLayers(modelJson: unknown, weightData: Uint8Array | ArrayBuffer, options: TfjsImportOptions): Sequential {
  if (options === null || typeof options !== 'object' || options.backend === undefined) {
    throw new TypeError('simdnet importTfjsLayers: options.backend is required: the ReadyBackend from `await init()` or jsBackend()');
  }
  const bytes = weightData instanceof Uint8Array ? weightData : weightData instanceof ArrayBuffer ? new Uint8Array(weightData)
    : fail(`weightData must be a Uint8Array or an ArrayBuffer, got ${String(weightData)}`);
  let json = modelJson;
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (e) {
      fail(`model.json is not JSON: ${(e as Error).message}`);
    }
  }
  const { inputShape, configs, weights } = readArchitecture(json);
  const tensors = new Map(decodeWeights(record(json, 'model.json').weightsManifest, bytes).map((t) => [t.name, t]));
  const ordered = weights.map((w) => {
    const t = tensors.get(w.name) ?? fail(`the weights manifest has no '${w.name}' (it has ${[...tensors.keys()].map((k) => `'${k}'`).join(', ') || 'none'})`);
    if (t.shape.length !== w.shape.length || t.shape.some((d, i) => d !== w.shape[i])) {
      fail(`weight '${w.name}' has shape [${t.shape.join(', ')}], but the architecture needs [${w.shape.join(', ')}]`);
    }
    tensors.delete(w.name);
    return t;
  });
  if (tensors.size > 0) fail(`the weights manifest has weights no layer reads: ${[...tensors.keys()].map((k) => `'${k}'`).join(', ')}`);
  const model = new Sequential(configs.map((c) => layerFromConfig(c)), { inputShape, backend: options.backend, ...(options.seed === undefined ? {} : { seed: options.seed }) });
  try {
    model.setWeights(ordered);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
