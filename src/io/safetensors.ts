/**
 * safetensors (the weights format of PyTorch and Hugging Face): a model's weights under the names and
 * layouts of its `torch.nn.Sequential` equivalent (pytorch.ts: '0.weight' [out, in], '0.bias', ...),
 * so that `net.load_state_dict(safetensors.torch.load_file(path))` loads them unchanged, and back.
 *
 * The format (https://github.com/huggingface/safetensors, "Format"):
 *
 *   | u64 LE: N | N bytes: JSON header, UTF-8, padded with spaces | data: every tensor, back to back |
 *
 *   header: { "__metadata__": { string: string }, "<name>": { "dtype": "F32", "shape": [..],
 *             "data_offsets": [begin, end] }, ... }, offsets relative to the start of the data,
 *             row-major little-endian values, the tensors covering the data with no hole or overlap.
 *
 * We pad the header so the data starts 8-byte aligned, as the reference writer does. The metadata
 * holds `format: "pt"` (what transformers checks) and the simdnet topology, so that a file written
 * here also rebuilds its model (importSafetensors(bytes, { backend })).
 *
 * decodeSafetensors checks every size against the byte length before anything is allocated; a
 * malformed file is a DataFormatError naming the file and what is wrong (never the file's values).
 */
import type { Backend } from '../backend/contract.js';
import { formatError } from '../data/dataset.js';
import { layerFromConfig, type LayerConfig } from '../model/layer-registry.js';
import { Sequential } from '../model/sequential.js';
import type { ModelTopology } from '../model/format.js';
import { stateDictLayout } from './pytorch.js';

/** Bytes per value of each dtype the format defines. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

const TOPOLOGY_KEY = 'simdnet.topology';

/** A tensor of a decoded file: where its bytes lie (not yet read). */
export interface SafetensorsEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Byte offset of its values in the file, and their byte length. */
  readonly start: number;
  readonly byteLength: number;
}

/** A decoded, checked file: its tensors by name and its metadata. */
export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly bytes: Uint8Array;
}

/** A float32 tensor to write. */
export interface SafetensorsTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A name from a file, shortened for an error message. */
function quote(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name);
}

/** The bytes of a safetensors file of float32 tensors (in the order given) and string metadata. */
export function encodeSafetensors(tensors: readonly SafetensorsTensor[], metadata: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.length * 4] };
    offset += t.values.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++, at += 4) view.setFloat32(at, t.values[i], true);
  }
  return out;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Reads and checks a safetensors file's header (see the file comment); `file` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, file = 'the safetensors file'): SafetensorsFile {
  const fail: (what: string) => never = (what) => formatError('importSafetensors', file, what);
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`simdnet importSafetensors: bytes must be a Uint8Array, got ${String(bytes)}`);
  if (bytes.length < 8) fail(`the file is truncated: it has ${bytes.length} bytes, fewer than the 8 of its header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const high = view.getUint32(4, true);
  const n = view.getUint32(0, true) + high * 2 ** 32;
  if (n > bytes.length - 8) fail(`the header claims ${n} bytes, but the file has only ${bytes.length - 8} after its length: truncated or not a safetensors file`);
  if (n < 2) fail('the header is empty');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    fail('the header is not UTF-8 JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsEntry>();
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
        fail('__metadata__ must be an object of strings');
      }
      metadata = value as Record<string, string>;
      continue;
    }
    const t = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (t === null || typeof t !== 'object') fail(`tensor ${quote(name)} is not an object`);
    const size = typeof t.dtype === 'string' && Object.hasOwn(DTYPE_BYTES, t.dtype) ? DTYPE_BYTES[t.dtype] : fail(`tensor ${quote(name)} has an unknown dtype; expected one of ${Object.keys(DTYPE_BYTES).join(', ')}`);
    if (!Array.isArray(t.shape) || !t.shape.every(isCount)) fail(`tensor ${quote(name)}: shape must be an array of integers ≥ 0`);
    const shape = t.shape as number[];
    const offsets = t.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !isCount(offsets[0]) || !isCount(offsets[1]) || offsets[0] > offsets[1]) {
      fail(`tensor ${quote(name)}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) fail(`tensor ${quote(name)} ends at byte ${end} of the data, but the file holds only ${dataLength} bytes of data: truncated`);
    // In float64 the product cannot wrap around: an absurd shape gives a huge (or infinite) count.
    const count = shape.reduce((a, d) => a * d, 1);
    if (count * size !== end - begin) fail(`tensor ${quote(name)}: its shape [${shape.join(', ')}] of ${t.dtype} needs ${count * size} bytes, but its data_offsets give ${end - begin}`);
    tensors.set(name, { dtype: t.dtype as string, shape, start: dataStart + begin, byteLength: end - begin });
    ranges.push({ name, begin, end });
  }
  // The format requires the tensors to cover the data exactly: no hole, no overlap.
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const r of ranges) {
    if (r.begin !== covered) fail(`tensor ${quote(r.name)} starts at byte ${r.begin} of the data, where ${r.begin < covered ? 'another tensor lies (overlap)' : `byte ${covered} was expected (a hole)`}`);
    covered = r.end;
  }
  if (covered !== dataLength) fail(`the tensors cover ${covered} bytes of data, but the file holds ${dataLength}: corrupt or has trailing bytes`);
  return { tensors, metadata, bytes };
}

/** The values of a float32 tensor of a decoded file (a copy, read little-endian). */
function readF32(f: SafetensorsFile, e: SafetensorsEntry): Float32Array {
  const view = new DataView(f.bytes.buffer, f.bytes.byteOffset + e.start, e.byteLength);
  const out = new Float32Array(e.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** [rows, cols] row-major → [cols, rows]. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

/**
 * The bytes of a `.safetensors` file of `model`'s weights, under the state-dict names and layouts of
 * its nn.Sequential equivalent (toPyTorchSource()): `net.load_state_dict(load_file(path))` loads them.
 * @example
 *     await writeFile('model.safetensors', exportSafetensors(model));
 */
export function exportSafetensors(model: Sequential): Uint8Array {
  const weights = new Map(model.getWeights().map((w) => [w.name, w]));
  const tensors = stateDictLayout(model, 'exportSafetensors').map(({ key, param }) => {
    const w = weights.get(param.weight)!;
    if (param.layout === 'same') return { name: key, shape: w.shape, values: w.values };
    const [rows, cols] = w.shape;
    return { name: key, shape: [cols, rows], values: transpose(w.values, rows, cols) };
  });
  return encodeSafetensors(tensors, { format: 'pt', [TOPOLOGY_KEY]: JSON.stringify(model.toConfig()) });
}

/** Options of importSafetensors() when it builds the model from the file. */
export interface SafetensorsModelOptions {
  /** The backend the new model lives on (`await init()` or jsBackend()). */
  backend: Backend;
}

/** Where importSafetensors() reads from. */
export interface SafetensorsSourceOptions {
  /**
   * The file's name in error messages.
   * @default 'the safetensors file'
   */
  file?: string;
}

/** Sets `model`'s weights from a decoded file: every state-dict key present, F32, of the right shape, and no other. */
function loadInto(model: Sequential, f: SafetensorsFile, file: string): void {
  const fail: (what: string) => never = (what) => formatError('importSafetensors', file, what);
  const layout = stateDictLayout(model, 'importSafetensors');
  const expected = new Set(layout.map((l) => l.key));
  const unexpected = [...f.tensors.keys()].filter((k) => !expected.has(k));
  if (unexpected.length > 0) fail(`it holds tensors the model has no place for: ${unexpected.slice(0, 5).map(quote).join(', ')}${unexpected.length > 5 ? ', ...' : ''} (the model's are ${[...expected].join(', ')})`);
  const byWeight = new Map<string, Float32Array>();
  const shapes = new Map(model.getWeights().map((w) => [w.name, w.shape]));
  for (const { key, param } of layout) {
    const e = f.tensors.get(key) ?? fail(`it has no tensor '${key}' (${param.weight}); the model needs ${[...expected].join(', ')}`);
    if (e.dtype !== 'F32') fail(`tensor '${key}' is ${e.dtype}; simdnet reads F32`);
    const shape = shapes.get(param.weight)!;
    const want = param.layout === 'transpose' ? [shape[1], shape[0]] : shape;
    if (e.shape.length !== want.length || e.shape.some((d, i) => d !== want[i])) fail(`tensor '${key}' has shape [${e.shape.join(', ')}], but ${param.weight} needs [${want.join(', ')}]`);
    const values = readF32(f, e);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) fail(`tensor '${key}' holds a non-finite value at index ${bad}`);
    byWeight.set(param.weight, param.layout === 'transpose' ? transpose(values, want[0], want[1]) : values);
  }
  model.setWeights(model.getWeights().map((w) => ({ shape: w.shape, values: byWeight.get(w.name)! })));
}

/** The parameter count of the model a topology describes, from throwaway layers (built: no memory is allocated). */
function parameterCount(t: ModelTopology): number {
  let shape: readonly number[] = t.inputShape ?? [t.inputSize];
  let count = 0;
  for (const config of t.layers) {
    const layer = layerFromConfig(config);
    shape = layer.build(shape);
    count += layer.params().reduce((a, p) => a + p.length, 0);
  }
  return count;
}

/**
 * Reads weights written by exportSafetensors() (or saved from the equivalent nn.Sequential's
 * state_dict() with safetensors.torch.save_file): into `model` (same architecture; it is returned),
 * or into a new model built from the topology the file's metadata holds, on `{ backend }`. The file
 * is checked in full before any weight changes.
 * @example
 *     importSafetensors(bytes, model);                     // weights trained in PyTorch
 *     const again = importSafetensors(bytes, { backend });  // a file exportSafetensors() wrote
 */
export function importSafetensors(bytes: Uint8Array, target: Sequential | SafetensorsModelOptions, options: SafetensorsSourceOptions = {}): Sequential {
  const file = options.file ?? 'the safetensors file';
  const f = decodeSafetensors(bytes, file);
  if (target instanceof Sequential) {
    loadInto(target, f, file);
    return target;
  }
  if (target === null || typeof target !== 'object' || target.backend === undefined) {
    throw new TypeError('simdnet importSafetensors: the second argument must be the model to load into, or { backend } to build the model the file describes');
  }
  const text = f.metadata[TOPOLOGY_KEY] ?? formatError('importSafetensors', file, `its __metadata__ has no '${TOPOLOGY_KEY}' (it was not written by simdnet): pass the model to load the weights into`);
  let topology: ModelTopology;
  try {
    topology = JSON.parse(text) as ModelTopology;
  } catch {
    return formatError('importSafetensors', file, `its '${TOPOLOGY_KEY}' metadata is not JSON`);
  }
  if (topology === null || typeof topology !== 'object' || !Array.isArray(topology.layers)) formatError('importSafetensors', file, `its '${TOPOLOGY_KEY}' metadata is not a model topology`);
  // A topology that claims more parameters than the file holds values is refused before the model
  // (and its parameter buffer) is made: the metadata must not make us allocate what the file lacks.
  const params = parameterCount(topology);
  const values = [...f.tensors.values()].reduce((a, e) => a + e.byteLength / (DTYPE_BYTES[e.dtype] ?? 1), 0);
  if (!(params <= values)) formatError('importSafetensors', file, `its '${TOPOLOGY_KEY}' metadata describes a model of ${params} parameters, but the file holds ${values} values`);
  const shape = topology.inputShape === undefined ? { inputSize: topology.inputSize } : { inputShape: topology.inputShape };
  const model = new Sequential(topology.layers.map((c: LayerConfig) => layerFromConfig(c)), { ...shape, seed: topology.seed, backend: target.backend });
  try {
    loadInto(model, f, file);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
