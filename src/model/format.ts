/**
 * The saved-model file format as pure functions over bytes: encodeModel(snapshot) and
 * decodeModel(bytes), where a ModelSnapshot is plain data (topology configs, compile settings, flat
 * weights, optimizer state, counters). No model object is involved: persist.ts builds one from a
 * snapshot only after the bytes are known good; Sequential.toBytes() encodes its snapshot().
 *
 * The format (version 1), little-endian throughout:
 *
 *   offset 0   8 bytes  magic "SIMDNETM"
 *          8   u32      format version (1)
 *         12   u32      header length h (bytes of UTF-8 JSON)
 *         16   h bytes  header: { format, version, model: { inputSize, seed, layers, inputShape? },
 *                       compile: { loss,
 *                       optimizer (config), metrics } | null, training: { epochs, batches, dropoutStream },
 *                       weights: [{ name, shape }], optimizerState: { step, slots, schedule? } | null,
 *                       blocks: [{ name, length }], layerState?: [{ name, shape }] }
 *                       (schedule: a stateful schedule's state, e.g. reduceOnPlateau's; inputShape: the
 *                       input row's shape when it has more than one axis. Both are optional and
 *                       written only when present: a file without them loads, and a model without
 *                       them leaves no trace of them in its bytes; so is layerState, the layers'
 *                       non-trainable state: batch normalization's moving statistics)
 *              0–3 zero bytes, so the blocks start at a multiple of 4
 *              f32 × Σ blocks[i].length: the blocks in header order — 'weights' (the flat parameter
 *                       buffer, Keras order), then 'optimizer/<slot>' for each optimizer slot, then
 *                       'layerState' (the flat state buffer) when the header lists layerState
 *   end − 4    u32      CRC-32 (IEEE) of every byte before it
 *
 * decodeModel checks the magic, the version, the lengths (a short file is reported as truncated; the
 * header is at most MAX_HEADER_BYTES, and the block lengths it declares are checked against the byte
 * length before any block is allocated), the checksum (any flipped byte is reported as corrupt), each
 * header field's kind (header-checks.ts) and that every saved value is finite. A snapshot holds the
 * architecture, the weights, the loss and optimizer config with its state (Adam's moments and step
 * count, a stateful schedule's running state) and the training counters (epochs, batches, dropout
 * stream), so a model built from it continues training exactly where the saved one stopped.
 *
 */
import type { OptimizerState, PieceConfig, ScheduleState } from '../train/types.js';
import type { LayerConfig } from './layer-registry.js';
import type { LossName } from './losses.js';
import type { MetricSpec } from './metrics.js';
import { arrayField, badField, checkHeaderFields, isObject, clip, countField, failLoad, objectField, shapeField, stringField } from './header-checks.js';

export { failLoad } from './header-checks.js';

const MAGIC = 'SIMDNETM';
/** The block of the layers' state (ModelSnapshot.layerState). */
const LAYER_STATE = 'layerState';
/** The version of the file format this simdnet writes and reads. */
export const FORMAT_VERSION = 1;
const FIXED = 16; // magic, version, header length
const CRC_BYTES = 4;

/** A model's architecture as plain data (the topology of a saved file). */
export interface ModelTopology {
  /** Values per input row (the product of inputShape). */
  readonly inputSize: number;
  readonly seed: number;
  readonly layers: readonly LayerConfig[];
  /** The input row's shape, present only when it has more than one axis (else it is [inputSize]). */
  readonly inputShape?: readonly number[];
}

/** A model as plain data: everything a saved file holds (see the file comment). */
export interface ModelSnapshot {
  readonly topology: ModelTopology;
  /** compile()'s settings as configs, or null for an uncompiled model. */
  readonly compile: { readonly loss: LossName; readonly optimizer: PieceConfig; readonly metrics: readonly MetricSpec[] } | null;
  readonly training: { readonly epochs: number; readonly batches: number; readonly dropoutStream: number };
  /** Each parameter tensor's name and shape, in the order of flatWeights. */
  readonly weights: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[] }>;
  /** The flat parameter buffer (Keras order). */
  readonly flatWeights: Float32Array;
  /** The optimizer's state (null when uncompiled or when it has none saved). */
  readonly optimizerState: OptimizerState | null;
  /**
   * The layers' non-trainable state (batch normalization's moving statistics): each tensor's name and
   * shape, and the flat state buffer. Absent when no layer has state (files of such models are as before).
   */
  readonly layerState?: LayerStateSnapshot;
}

/** The layers' non-trainable state in a snapshot (ModelSnapshot.layerState). */
export interface LayerStateSnapshot {
  /** Each state tensor, in the flat buffer's order. */
  readonly tensors: ReadonlyArray<StateTensorEntry>;
  /** The flat state buffer. */
  readonly values: Float32Array;
}

/** One state tensor's place in the flat state buffer. */
export interface StateTensorEntry {
  /** 'batchNormalization_1/movingMean' */
  readonly name: string;
  /** Its shape ([channels] for the moving statistics). */
  readonly shape: readonly number[];
}

interface Header {
  format: 'simdnet-model';
  version: number;
  model: ModelTopology;
  compile: ModelSnapshot['compile'];
  training: ModelSnapshot['training'];
  weights: ModelSnapshot['weights'];
  optimizerState: { step: number; slots: string[]; schedule?: JsonScheduleState } | null;
  blocks: Array<{ name: string; length: number }>;
  layerState?: Array<{ name: string; shape: readonly number[] }>;
}

/**
 * A schedule state as JSON: JSON has no Infinity or NaN (JSON.stringify writes null), and a state may
 * hold them (reduceOnPlateau's best value is Infinity before its first report), so non-finite numbers
 * are written as the strings String() gives ('Infinity', '-Infinity', 'NaN').
 */
type JsonScheduleState = Record<string, number | string>;
const NON_FINITE = ['Infinity', '-Infinity', 'NaN'];

function scheduleToJson(state: ScheduleState): JsonScheduleState {
  return Object.fromEntries(Object.entries(state).map(([key, v]) => [key, Number.isFinite(v) ? v : String(v)]));
}

function scheduleFromJson(json: unknown): ScheduleState {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) failLoad('the file is corrupt: its schedule state is not an object');
  return Object.fromEntries(Object.entries(json).map(([key, v]) => {
    const value: unknown = typeof v === 'string' && NON_FINITE.includes(v) ? Number(v) : v;
    if (typeof value !== 'number') failLoad(`the file is corrupt: its schedule state's ${key} is not a number`);
    return [key, value];
  }));
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as in zip and PNG). */
function crc32(bytes: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const align4 = (n: number): number => (n + 3) & ~3;

/** The snapshot as bytes in the format above. */
export function encodeModel(snapshot: ModelSnapshot): Uint8Array {
  const state = snapshot.optimizerState;
  const slotNames = state === null ? [] : Object.keys(state.slots).sort();
  const layerState = snapshot.layerState;
  const blocks = [
    { name: 'weights', data: snapshot.flatWeights }, ...slotNames.map((s) => ({ name: `optimizer/${s}`, data: state!.slots[s] })),
    ...(layerState === undefined ? [] : [{ name: LAYER_STATE, data: layerState.values }]),
  ];
  const t = snapshot.topology;
  const header: Header = {
    format: 'simdnet-model',
    version: FORMAT_VERSION,
    // Key order is part of the bytes: inputSize, seed, layers as ever, then the optional shape.
    model: { inputSize: t.inputSize, seed: t.seed, layers: t.layers, ...(t.inputShape === undefined ? {} : { inputShape: t.inputShape }) },
    compile: snapshot.compile,
    training: snapshot.training,
    weights: snapshot.weights,
    optimizerState: state === null ? null : {
      step: state.step,
      slots: slotNames,
      ...(state.schedule === undefined ? {} : { schedule: scheduleToJson(state.schedule) }),
    },
    blocks: blocks.map((b) => ({ name: b.name, length: b.data.length })),
    ...(layerState === undefined ? {} : { layerState: layerState.tensors.map((t) => ({ name: t.name, shape: t.shape })) }),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const floats = blocks.reduce((s, b) => s + b.data.length, 0);
  const start = align4(FIXED + json.length);
  const bytes = new Uint8Array(start + floats * 4 + CRC_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, FIXED);
  let at = start;
  for (const b of blocks) {
    for (let i = 0; i < b.data.length; i++, at += 4) view.setFloat32(at, b.data[i], true);
  }
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

/**
 * The largest header this simdnet reads: a topology of thousands of layers is a few hundred KiB, so
 * a larger length is a damaged or hostile file, refused before its bytes are decoded.
 */
export const MAX_HEADER_BYTES = 16 * 2 ** 20;

interface Block { readonly name: string; readonly length: number }

/** Reads and checks the header's JSON and its block list; `expected` is the file length they describe. */
function readHeader(bytes: Uint8Array, view: DataView): { header: Record<string, unknown>; blocks: Block[]; start: number; expected: number } {
  const len = view.getUint32(12, true);
  if (len > MAX_HEADER_BYTES) failLoad(`the file is corrupt: its header length ${len} is over the limit of ${MAX_HEADER_BYTES} bytes`);
  if (FIXED + len > bytes.length - CRC_BYTES) failLoad(`the file is truncated: it has ${bytes.length} bytes, fewer than its ${len}-byte header needs`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(FIXED, FIXED + len)));
  } catch (e) {
    failLoad(`the file is corrupt: its header is not valid JSON (${clip((e as Error).message, 80)})`);
  }
  const header = checkHeaderFields(json);
  const names = new Set<string>();
  let floats = 0;
  const blocks = arrayField('blocks', header.blocks, (field, b) => {
    const o = objectField(field, b);
    const name = stringField(`${field}.name`, o.name);
    if (names.has(name)) badField(`${field}.name`, name, 'a name no other block has');
    names.add(name);
    const length = countField(`${field}.length`, o.length);
    floats += length;
    return { name, length };
  });
  const start = align4(FIXED + len);
  return { header, blocks, start, expected: start + floats * 4 + CRC_BYTES };
}

/** Checks everything that can be checked before building the model; returns the header and the blocks. */
function parse(bytes: Uint8Array): { header: Record<string, unknown>; blocks: Map<string, Float32Array> } {
  if (bytes.length < FIXED + CRC_BYTES) failLoad(`the file is truncated or not a simdnet model: it has only ${bytes.length} bytes`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) failLoad(`not a simdnet model: the file does not start with '${MAGIC}'`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) {
    failLoad(`unsupported format version ${version}: this simdnet reads version ${FORMAT_VERSION}${version > FORMAT_VERSION ? ' (the file was written by a newer simdnet)' : ''}`);
  }
  const stored = view.getUint32(bytes.length - CRC_BYTES, true);
  if (crc32(bytes.subarray(0, bytes.length - CRC_BYTES)) !== stored) {
    // Tell a short file from a damaged one by the lengths its prefix and header declare.
    const headerEnd = FIXED + view.getUint32(12, true) + CRC_BYTES;
    if (headerEnd > bytes.length) failLoad(`the file is truncated: it has ${bytes.length} bytes, but its header alone needs ${headerEnd}`);
    let expected = -1;
    try {
      expected = readHeader(bytes, view).expected;
    } catch {
      // The header itself is damaged: the checksum message below covers it.
    }
    if (expected > bytes.length) failLoad(`the file is truncated: it has ${bytes.length} bytes, expected ${expected}`);
    failLoad('the file is corrupt: its checksum does not match its contents');
  }
  const { header, blocks: list, start, expected } = readHeader(bytes, view);
  // Every block length is checked against the byte length here, before any block is allocated.
  if (expected !== bytes.length) failLoad(`the file is corrupt: it has ${bytes.length} bytes, its header describes ${expected}`);
  if (header.version !== FORMAT_VERSION) badField('version', header.version, `${FORMAT_VERSION}, as its prefix says`);
  const blocks = new Map<string, Float32Array>();
  let at = start;
  list.forEach((b, k) => {
    const data = new Float32Array(b.length);
    for (let i = 0; i < b.length; i++, at += 4) {
      data[i] = view.getFloat32(at, true);
      // A saved weight or optimizer slot is finite (fit() stops before a step makes one non-finite).
      if (!Number.isFinite(data[i])) failLoad(`the file is corrupt: its block ${k} ('${clip(b.name, 40)}') holds a non-finite value (${data[i]}) at index ${i}`);
    }
    blocks.set(b.name, data);
  });
  return { header, blocks };
}

/** The header's model topology, checked field by field (the layer configs by the layers themselves). */
function readTopology(v: unknown): ModelTopology {
  const m = objectField('model', v);
  const inputSize = countField('model.inputSize', m.inputSize, 1);
  const seed = countField('model.seed', m.seed);
  if (seed >= 2 ** 32) badField('model.seed', seed, 'an integer < 2^32');
  const layers = arrayField('model.layers', m.layers, (field, c) => {
    stringField(`${field}.type`, objectField(field, c).type);
    return c as unknown as LayerConfig;
  });
  if (layers.length === 0) badField('model.layers', m.layers, 'a non-empty array');
  if (m.inputShape === undefined) return { inputSize, seed, layers };
  const inputShape = shapeField('model.inputShape', m.inputShape);
  if (inputShape.reduce((a, b) => a * b, 1) !== inputSize) badField('model.inputShape', m.inputShape, `a shape of model.inputSize = ${inputSize} values`);
  return { inputSize, seed, layers, inputShape };
}

/** A metric: its name, or { name, k } for topKAccuracy (compile() checks the name itself). */
function metricField(field: string, v: unknown): MetricSpec {
  if (typeof v === 'string') return v as MetricSpec;
  if (!isObject(v)) badField(field, v, "a string (a metric's name) or { name, k }");
  const o = v;
  return { name: stringField(`${field}.name`, o.name) as 'topKAccuracy', k: countField(`${field}.k`, o.k, 1) };
}

function readCompile(v: unknown): ModelSnapshot['compile'] {
  if (v === null) return null;
  const c = objectField('compile', v);
  const optimizer = objectField('compile.optimizer', c.optimizer);
  stringField('compile.optimizer.name', optimizer.name);
  return {
    loss: stringField('compile.loss', c.loss) as LossName,
    optimizer: optimizer as PieceConfig,
    metrics: arrayField('compile.metrics', c.metrics, metricField),
  };
}

function readTraining(v: unknown): ModelSnapshot['training'] {
  const t = objectField('training', v);
  return {
    epochs: countField('training.epochs', t.epochs),
    batches: countField('training.batches', t.batches),
    dropoutStream: countField('training.dropoutStream', t.dropoutStream),
  };
}

/** The optimizer state the header describes, its slots taken from `blocks` (each marked in `used`). */
function readOptimizerState(v: unknown, blocks: Map<string, Float32Array>, weights: number, used: Set<string>): OptimizerState {
  const o = objectField('optimizerState', v);
  const step = countField('optimizerState.step', o.step);
  const slots: Record<string, Float32Array> = {};
  for (const s of arrayField('optimizerState.slots', o.slots, stringField)) {
    const data = blocks.get(`optimizer/${s}`);
    if (data === undefined || used.has(`optimizer/${s}`)) failLoad(`the file is corrupt: the optimizer slot '${clip(s, 40)}' is missing`);
    if (data.length !== weights) failLoad(`the file is corrupt: the optimizer slot '${clip(s, 40)}' holds ${data.length} values for ${weights} weights`);
    used.add(`optimizer/${s}`);
    slots[s] = data;
  }
  return o.schedule === undefined ? { step, slots } : { step, slots, schedule: scheduleFromJson(o.schedule) };
}

/**
 * The snapshot saved in `bytes` (from encodeModel, save() or toBytes()); throws 'simdnet loadModel: …'
 * naming what is wrong with a truncated, corrupt or foreign file: every header field is checked for
 * its kind, every block length against the byte length, the weight list against the weights block,
 * and every saved value for being finite. The architecture itself (layer options, its weight count)
 * is checked when a model is built from the snapshot, before anything is allocated (persist.ts).
 */
export function decodeModel(bytes: Uint8Array): ModelSnapshot {
  const { header, blocks } = parse(bytes);
  const topology = readTopology(header.model);
  const compile = readCompile(header.compile);
  const training = readTraining(header.training);
  const flatWeights = blocks.get('weights');
  if (flatWeights === undefined) failLoad('the file is corrupt: it has no weights block');
  let listed = 0;
  const weights = arrayField('weights', header.weights, (field, w) => {
    const o = objectField(field, w);
    const entry = { name: stringField(`${field}.name`, o.name), shape: arrayField(`${field}.shape`, o.shape, countField) };
    listed += entry.shape.reduce((a, b) => a * b, 1);
    return entry;
  });
  if (listed !== flatWeights.length) failLoad(`the file is corrupt: its weight list describes ${listed} values, its weights block holds ${flatWeights.length}`);
  const used = new Set(['weights']);
  let optimizerState: OptimizerState | null = null;
  if (header.optimizerState !== null) {
    if (compile === null) badField('optimizerState', header.optimizerState, 'null in the file of an uncompiled model');
    optimizerState = readOptimizerState(header.optimizerState, blocks, flatWeights.length, used);
  }
  const layerState = header.layerState === undefined ? undefined : readLayerState(header.layerState, blocks, used);
  if (used.size !== blocks.size) failLoad(`the file is corrupt: it has ${blocks.size - used.size} block(s) that neither the weights nor the optimizer state use`);
  const snapshot = { topology, compile, training, weights, flatWeights, optimizerState };
  return layerState === undefined ? snapshot : { ...snapshot, layerState };
}

/** The layers' state the header lists, its values taken from the 'layerState' block (marked in `used`). */
function readLayerState(v: unknown, blocks: Map<string, Float32Array>, used: Set<string>): LayerStateSnapshot {
  let listed = 0;
  const tensors = arrayField('layerState', v, (field, t) => {
    const o = objectField(field, t);
    const entry = { name: stringField(`${field}.name`, o.name), shape: arrayField(`${field}.shape`, o.shape, countField) };
    listed += entry.shape.reduce((a, b) => a * b, 1);
    return entry;
  });
  const values = blocks.get(LAYER_STATE);
  if (values === undefined) failLoad("the file is corrupt: its header lists the layers' state, but it has no layerState block");
  if (values.length !== listed) failLoad(`the file is corrupt: its layer state list describes ${listed} values, its layerState block holds ${values.length}`);
  used.add(LAYER_STATE);
  return { tensors, values };
}
