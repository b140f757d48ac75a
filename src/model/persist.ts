/**
 * `loadModel(path | bytes, { backend })`: a model back from a saved file. The bytes are decoded and
 * checked first (format.ts); the model is built from the snapshot only then, and freed again if the
 * snapshot does not fit the architecture it describes. Saving is `model.save()` / `model.toBytes()`.
 *
 * Node's file system is imported dynamically, only for a path, so browsers use loadModel(bytes).
 */
import type { Backend } from '../backend/contract.js';
import { optimizerFromConfig } from '../train/optimizers.js';
import { isResponse, isStorageUrl, readResponse, readStorageUrl } from '../io/storage.js';
import { decodeModel, failLoad, type ModelSnapshot } from './format.js';
import { layerFromConfig } from './layer-registry.js';
import { Sequential } from './sequential.js';

/** Options of loadModel(). */
export interface LoadOptions {
  /** The backend the loaded model lives on (`await init()` or jsBackend()). Required. */
  backend: Backend;
}

/** Builds a model from a decoded snapshot; any failure frees what was built. */
export function modelFromSnapshot(snapshot: ModelSnapshot, backend: Backend): Sequential {
  const t = snapshot.topology;
  const shape = t.inputShape === undefined ? { inputSize: t.inputSize } : { inputShape: t.inputShape };
  const model = new Sequential(t.layers.map((c) => layerFromConfig(c)), { ...shape, seed: t.seed, backend });
  try {
    if (snapshot.flatWeights.length !== model.parameterCount) {
      failLoad(`the file is corrupt: it holds ${snapshot.flatWeights.length} weights for an architecture of ${model.parameterCount} parameters`);
    }
    model.setFlatWeights(snapshot.flatWeights);
    if (snapshot.compile !== null) {
      const { loss, optimizer, metrics } = snapshot.compile;
      model.compile({ loss, optimizer: optimizerFromConfig(optimizer), metrics });
      if (snapshot.optimizerState !== null) model.compiled!.optimizer.setState(backend, snapshot.optimizerState, model.parameterCount);
    }
    const { epochs, batches, dropoutStream } = snapshot.training;
    model.restoreProgress(epochs, batches, dropoutStream);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Loads a model saved by save() or toBytes(): from a file path (Node), a storage URL
 * ('indexeddb://name', 'localstorage://name', 'http(s)://…', 'file://…': src/io/storage.ts), a fetch
 * Response, or the bytes. The result
 * predicts exactly as the saved model did and, when it was compiled, resumes training exactly.
 * @example
 *     await model.save('model.simdnet');
 *     const again = await loadModel('model.simdnet', { backend });
 */
export async function loadModel(source: string | Uint8Array | ArrayBuffer | Response, options: LoadOptions): Promise<Sequential> {
  if (options === null || typeof options !== 'object' || options.backend === undefined) {
    throw new TypeError('simdnet loadModel: options.backend is required: the ReadyBackend from `await init()` or jsBackend()');
  }
  let bytes: Uint8Array;
  if (typeof source === 'string' && isStorageUrl(source)) {
    bytes = await readStorageUrl(source);
  } else if (isResponse(source)) {
    bytes = await readResponse(source);
  } else if (typeof source === 'string') {
    const fs = await import('node:fs/promises');
    bytes = new Uint8Array(await fs.readFile(source));
  } else if (source instanceof Uint8Array) {
    bytes = source;
  } else if (source instanceof ArrayBuffer) {
    bytes = new Uint8Array(source);
  } else {
    throw new TypeError(`simdnet loadModel: source must be a file path, a Uint8Array or an ArrayBuffer, a storage URL (indexeddb://, localstorage://, http(s)://, file://) or a fetch Response, got ${String(source)}`);
  }
  return modelFromSnapshot(decodeModel(bytes), options.backend);
}
