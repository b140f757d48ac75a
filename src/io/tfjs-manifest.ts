/**
 * The `weightsManifest` of a TensorFlow.js model.json and the bytes of its weights.bin, both ways, as
 * pure functions over named tensors. The manifest lists groups, each with the files ('paths') whose
 * concatenation holds the group's weights in order; the weight data given to import is every file of
 * every group concatenated in manifest order (what tfjs's own loaders hand to the model).
 *
 * Every size is checked against the byte length before anything is allocated: a manifest that claims
 * more bytes than there are, or fewer, is refused, as is any dtype but float32 (quantised and integer
 * weights have no place in simdnet's float32 parameters).
 */
import { TfjsFormatError } from './tfjs-layers.js';

/** One entry of a manifest group's `weights`. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/** One group of the manifest. */
export interface WeightsGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
}

/** A tensor read from the weight data: its name (without a Keras ':0' suffix), shape and values. */
export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

function fail(message: string): never {
  throw new TfjsFormatError(`simdnet tfjs: ${message}`);
}

/** Writes named float32 tensors as one manifest group over one file, and its little-endian bytes. */
export function encodeWeights(tensors: readonly NamedTensor[], path: string): { manifest: WeightsGroup[]; data: Uint8Array } {
  const total = tensors.reduce((n, t) => n + t.values.length, 0);
  const data = new Uint8Array(total * 4);
  const view = new DataView(data.buffer);
  let offset = 0;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++, offset += 4) view.setFloat32(offset, t.values[i], true);
  }
  return { manifest: [{ paths: [path], weights: tensors.map((t) => ({ name: t.name, shape: [...t.shape], dtype: 'float32' })) }], data };
}

function readSpec(spec: unknown, where: string): { name: string; shape: number[]; count: number } {
  if (spec === null || typeof spec !== 'object') fail(`${where} must be { name, shape, dtype }, got ${JSON.stringify(spec)}`);
  const s = spec as Record<string, unknown>;
  if (typeof s.name !== 'string' || s.name === '') fail(`${where}.name must be a non-empty string`);
  const at = `${where} ('${s.name}')`;
  if (s.dtype !== 'float32') fail(`${at} has dtype ${JSON.stringify(s.dtype)}; only float32 weights can be imported`);
  if (s.quantization !== undefined && s.quantization !== null) fail(`${at} is quantized; only unquantized float32 weights can be imported`);
  if (!Array.isArray(s.shape) || s.shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
    fail(`${at}.shape must be an array of integers ≥ 0, got ${JSON.stringify(s.shape)}`);
  }
  const shape = s.shape as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count * 4)) fail(`${at}.shape [${shape.join(', ')}] claims an absurd number of values`);
  return { name: s.name.replace(/:0$/, ''), shape, count };
}

/**
 * The tensors a manifest describes, read from `data` (all its files concatenated). Throws naming the
 * manifest entry at fault when the sizes disagree with the byte length, before allocating anything.
 */
export function decodeWeights(manifest: unknown, data: Uint8Array): NamedTensor[] {
  if (!Array.isArray(manifest)) fail(`weightsManifest must be an array of { paths, weights } groups, got ${JSON.stringify(manifest)?.slice(0, 80)}`);
  const specs: { name: string; shape: number[]; count: number; offset: number }[] = [];
  let bytes = 0;
  manifest.forEach((group: unknown, g) => {
    const weights = (group as { weights?: unknown } | null)?.weights;
    if (!Array.isArray(weights)) fail(`weightsManifest[${g}].weights must be an array`);
    weights.forEach((w: unknown, i) => {
      const spec = readSpec(w, `weightsManifest[${g}].weights[${i}]`);
      specs.push({ ...spec, offset: bytes });
      bytes += spec.count * 4;
      if (bytes > data.byteLength) {
        fail(`the weights are truncated: weightsManifest[${g}].weights[${i}] ('${spec.name}', shape [${spec.shape.join(', ')}]) ends at byte ${bytes}, but the weight data has ${data.byteLength} bytes`);
      }
    });
  });
  if (bytes !== data.byteLength) fail(`the weights manifest describes ${bytes} bytes of weights, but the weight data has ${data.byteLength}`);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) fail(`the weights manifest lists '${s.name}' twice`);
    seen.add(s.name);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return specs.map((s) => {
    const values = new Float32Array(s.count);
    for (let i = 0; i < s.count; i++) values[i] = view.getFloat32(s.offset + i * 4, true);
    return { name: s.name, shape: s.shape, values };
  });
}
