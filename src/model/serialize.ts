/**
 * Saving and loading models: `model.save(path | sink)`, `model.toBytes()`, `loadModel(path | bytes, { backend })`.
 *
 * The format (version 1), little-endian throughout:
 *
 *   offset 0   8 bytes  magic "SIMDNETM"
 *          8   u32      format version (1)
 *         12   u32      header length h (bytes of UTF-8 JSON)
 *         16   h bytes  header: { format, version, model: { inputSize, seed, layers }, compile: { loss,
 *                       optimizer (config), metrics } | null, training: { epochs, batches, dropoutStream },
 *                       weights: [{ name, shape }], optimizerState: { step, slots, schedule? } | null,
 *                       blocks: [{ name, length }] }
 *                       (schedule: a stateful schedule's state, e.g. reduceOnPlateau's; optional, so
 *                       files written before it existed load, with the schedule at its start)
 *              0–3 zero bytes, so the blocks start at a multiple of 4
 *              f32 × Σ blocks[i].length: the blocks in header order — 'weights' (the flat parameter
 *                       buffer, Keras order), then 'optimizer/<slot>' for each optimizer slot
 *   end − 4    u32      CRC-32 (IEEE) of every byte before it
 *
 * Loading checks the magic, the version, the lengths (a short file is reported as truncated) and the
 * checksum (any flipped byte is reported as corrupt) before building anything. Restored are the
 * architecture, the weights, the loss and optimizer (with its state: Adam's moments and step count),
 * a stateful schedule's running state (reduceOnPlateau's current rate, best value and counters) and
 * the training counters (epochs, batches, dropout stream), so fit() continues exactly where it stopped.
 *
 * Node's file system is imported dynamically, only for a path, so browsers use toBytes()/loadModel(bytes).
 */
import type { Backend } from '../backend/contract.js';
import type { OptimizerState, PieceConfig, ScheduleState } from '../train/types.js';
import { optimizerFromConfig } from '../train/optimizers.js';
import type { LayerConfig } from './layers.js';
import { layerFromConfig } from './layer-registry.js';
import type { LossName } from './losses.js';
import type { MetricName } from './metrics.js';
import { Sequential } from './sequential.js';
import { writeFileAtomic } from '../atomic-write.js';

const MAGIC = 'SIMDNETM';
export const FORMAT_VERSION = 1;
const FIXED = 16; // magic, version, header length
const CRC_BYTES = 4;

/** Receives a saved model's bytes (to upload them, store them in IndexedDB, ...). */
export type ModelSink = (bytes: Uint8Array) => void | Promise<void>;

export interface LoadOptions {
  /** The backend the loaded model lives on (`await init()` or jsBackend()). Required. */
  backend: Backend;
}

interface Header {
  format: 'simdnet-model';
  version: number;
  model: { inputSize: number; seed: number; layers: LayerConfig[] };
  compile: { loss: LossName; optimizer: PieceConfig; metrics: MetricName[] } | null;
  training: { epochs: number; batches: number; dropoutStream: number };
  weights: Array<{ name: string; shape: number[] }>;
  optimizerState: { step: number; slots: string[]; schedule?: JsonScheduleState } | null;
  blocks: Array<{ name: string; length: number }>;
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
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('the file is corrupt: its schedule state is not an object');
  return Object.fromEntries(Object.entries(json).map(([key, v]) => {
    const value: unknown = typeof v === 'string' && NON_FINITE.includes(v) ? Number(v) : v;
    if (typeof value !== 'number') fail(`the file is corrupt: its schedule state's ${key} is not a number`);
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

/** The model as bytes in the format above. */
export function modelToBytes(model: Sequential): Uint8Array {
  const compiled = model.compiled;
  const state: OptimizerState | null = compiled?.optimizer.getState() ?? null;
  const slotNames = state === null ? [] : Object.keys(state.slots).sort();
  const blocks = [{ name: 'weights', data: model.getFlatWeights() }, ...slotNames.map((s) => ({ name: `optimizer/${s}`, data: state!.slots[s] }))];
  const header: Header = {
    format: 'simdnet-model',
    version: FORMAT_VERSION,
    model: model.toConfig() as Header['model'],
    compile: compiled === null ? null : { loss: compiled.loss.name, optimizer: compiled.optimizer.config, metrics: [...compiled.metrics] },
    training: { epochs: model.epochsTrained, batches: model.batchesTrained, dropoutStream: model.dropoutStream },
    weights: model.getWeights().map((w) => ({ name: w.name, shape: [...w.shape] })),
    optimizerState: state === null ? null : {
      step: state.step,
      slots: slotNames,
      // Written only when there is one, so other models' files are the bytes they were before it existed.
      ...(state.schedule === undefined ? {} : { schedule: scheduleToJson(state.schedule) }),
    },
    blocks: blocks.map((b) => ({ name: b.name, length: b.data.length })),
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

/** Saves to a path (Node: temp file, fsync, rename over the path) or hands the bytes to a sink. */
export async function saveModel(model: Sequential, target: string | ModelSink): Promise<void> {
  const bytes = modelToBytes(model);
  if (typeof target === 'function') {
    await target(bytes);
    return;
  }
  if (typeof target !== 'string' || target === '') {
    throw new TypeError(`simdnet save: target must be a file path or a function receiving the bytes, got ${String(target)}`);
  }
  await writeFileAtomic(target, bytes);
}

function fail(message: string): never {
  throw new Error(`simdnet loadModel: ${message}`);
}

/** Reads and checks the header; `total` is the file's length. */
function readHeader(bytes: Uint8Array, view: DataView): { header: Header; start: number; expected: number } {
  const len = view.getUint32(12, true);
  if (FIXED + len > bytes.length - CRC_BYTES) fail(`the file is truncated: it has ${bytes.length} bytes, fewer than its ${len}-byte header needs`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(FIXED, FIXED + len))) as Header;
  } catch (e) {
    fail(`the file is corrupt: its header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || header.format !== 'simdnet-model' || !Array.isArray(header.blocks)) {
    fail('the file is corrupt: its header does not describe a simdnet model');
  }
  let floats = 0;
  for (const b of header.blocks) {
    if (b === null || typeof b !== 'object' || !Number.isSafeInteger(b.length) || b.length < 0) fail('the file is corrupt: a weight block has a bad length');
    floats += b.length;
  }
  const start = align4(FIXED + len);
  return { header, start, expected: start + floats * 4 + CRC_BYTES };
}

/** Checks everything that can be checked before building the model; returns the header and the blocks. */
function parse(bytes: Uint8Array): { header: Header; blocks: Map<string, Float32Array> } {
  if (bytes.length < FIXED + CRC_BYTES) fail(`the file is truncated or not a simdnet model: it has only ${bytes.length} bytes`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) fail(`not a simdnet model: the file does not start with '${MAGIC}'`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) {
    fail(`unsupported format version ${version}: this simdnet reads version ${FORMAT_VERSION}${version > FORMAT_VERSION ? ' (the file was written by a newer simdnet)' : ''}`);
  }
  const stored = view.getUint32(bytes.length - CRC_BYTES, true);
  if (crc32(bytes.subarray(0, bytes.length - CRC_BYTES)) !== stored) {
    // Tell a short file from a damaged one by the lengths its prefix and header declare.
    const headerEnd = FIXED + view.getUint32(12, true) + CRC_BYTES;
    if (headerEnd > bytes.length) fail(`the file is truncated: it has ${bytes.length} bytes, but its header alone needs ${headerEnd}`);
    let expected = -1;
    try {
      expected = readHeader(bytes, view).expected;
    } catch {
      // The header itself is damaged: the checksum message below covers it.
    }
    if (expected > bytes.length) fail(`the file is truncated: it has ${bytes.length} bytes, expected ${expected}`);
    fail('the file is corrupt: its checksum does not match its contents');
  }
  const { header, start, expected } = readHeader(bytes, view);
  if (expected !== bytes.length) fail(`the file is corrupt: it has ${bytes.length} bytes, its header describes ${expected}`);
  if (header.version !== FORMAT_VERSION) fail(`the file is corrupt: its header says version ${header.version}, its prefix ${FORMAT_VERSION}`);
  const blocks = new Map<string, Float32Array>();
  let at = start;
  for (const b of header.blocks) {
    const data = new Float32Array(b.length);
    for (let i = 0; i < b.length; i++, at += 4) data[i] = view.getFloat32(at, true);
    blocks.set(b.name, data);
  }
  return { header, blocks };
}

/** Builds a model from its header and blocks; any failure frees what was built. */
function build(header: Header, blocks: Map<string, Float32Array>, backend: Backend): Sequential {
  const m = header.model;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.layers)) fail('the file is corrupt: its header has no model topology');
  const model = new Sequential(m.layers.map((c) => layerFromConfig(c)), { inputSize: m.inputSize, seed: m.seed, backend });
  try {
    const weights = blocks.get('weights');
    if (weights === undefined || weights.length !== model.parameterCount) {
      fail(`the file is corrupt: it holds ${weights?.length ?? 0} weights for an architecture of ${model.parameterCount} parameters`);
    }
    model.setFlatWeights(weights);
    if (header.compile !== null) {
      const { loss, optimizer, metrics } = header.compile;
      model.compile({ loss, optimizer: optimizerFromConfig(optimizer), metrics });
      if (header.optimizerState !== null) {
        const slots: Record<string, Float32Array> = {};
        for (const s of header.optimizerState.slots) {
          const data = blocks.get(`optimizer/${s}`);
          if (data === undefined) fail(`the file is corrupt: the optimizer slot '${s}' is missing`);
          slots[s] = data;
        }
        const { step, schedule } = header.optimizerState;
        const state: OptimizerState = schedule === undefined ? { step, slots } : { step, slots, schedule: scheduleFromJson(schedule) };
        model.compiled!.optimizer.setState(backend, state, model.parameterCount);
      }
    }
    const t = header.training;
    model.restoreProgress(t.epochs, t.batches, t.dropoutStream);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Loads a model saved by save() or toBytes(): from a file path (Node) or from the bytes. The result
 * predicts exactly as the saved model did and, when it was compiled, resumes training exactly.
 */
export async function loadModel(source: string | Uint8Array | ArrayBuffer, options: LoadOptions): Promise<Sequential> {
  if (options === null || typeof options !== 'object' || options.backend === undefined) {
    throw new TypeError('simdnet loadModel: options.backend is required: the ReadyBackend from `await init()` or jsBackend()');
  }
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    const fs = await import('node:fs/promises');
    bytes = new Uint8Array(await fs.readFile(source));
  } else if (source instanceof Uint8Array) {
    bytes = source;
  } else if (source instanceof ArrayBuffer) {
    bytes = new Uint8Array(source);
  } else {
    throw new TypeError(`simdnet loadModel: source must be a file path, a Uint8Array or an ArrayBuffer, got ${String(source)}`);
  }
  const { header, blocks } = parse(bytes);
  return build(header, blocks, options.backend);
}
