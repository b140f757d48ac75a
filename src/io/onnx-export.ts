/**
 * The package's `exportOnnx`: loads the ONNX writer (onnx.ts and protobufjs, about 10 kB gzipped)
 * only when called, so the bundle of an app that never exports to ONNX does not grow by it.
 */
import type { Sequential } from '../model/sequential.js';
import { resolveOnnxOptions, type OnnxOptions } from './onnx-options.js';

/**
 * The bytes of a `.onnx` file (opset 17, IR version 8) that computes `model`'s outputs for an
 * `input` of shape [batch, ...inputShape], batch dynamic; see OnnxOptions for what `output` holds.
 * Covers dense (every activation), activation, dropout (the identity at inference) and flatten.
 * @example
 *     const bytes = await exportOnnx(model, { outputs: 'probabilities' });
 *     // ONNX Runtime: (await ort.InferenceSession.create(bytes)).run({ input })
 */
export async function exportOnnx(model: Sequential, options: OnnxOptions = {}): Promise<Uint8Array> {
  const resolved = resolveOnnxOptions(model, options);
  const { encodeOnnx } = await import('./onnx.js');
  return encodeOnnx(model, resolved);
}
