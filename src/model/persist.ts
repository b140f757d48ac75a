/**
 * `loadModel(path | bytes, { backend })`: a model back from a saved file. The bytes are decoded and
 * checked first (format.ts); the model is built from the snapshot only then, and freed again if the
 * snapshot does not fit the architecture it describes. Saving is `model.save()` / `model.toBytes()`.
 *
 * Node's file system is imported dynamically, only for a path, so browsers use loadModel(bytes).
 */
import type { Backend } from '../backend/contract.js';
import { optimizerFromConfig } from '../train/optimizers.js';
import type { CompileOptions } from './compile.js';
import { decodeModel, type ModelSnapshot } from './format.js';
import { clip, failLoad } from './header-checks.js';
import type { Layer, Shape } from './layers.js';
import { isResponse, isStorageUrl, readResponse, readStorageUrl } from '../io/storage.js';
import { layerFromConfig } from './layer-registry.js';
import { layOut } from './network.js';
import { Sequential } from './sequential.js';
import { excerpt } from '../train/pieces.js';

/** Options of loadModel(). */
export interface LoadOptions {
  /** The backend the loaded model lives on (`await init()` or jsBackend()). Required. */
  backend: Backend;
}

/** The snapshot's layers, rebuilt from their configs; a config the layers refuse is a corrupt file. */
function layersOf(snapshot: ModelSnapshot): Layer[] {
  return snapshot.topology.layers.map((c, i) => {
    try {
      return layerFromConfig(c);
    } catch (e) {
      return failLoad(`the file is corrupt: its header's model.layers[${i}] is not a layer simdnet can build (${clip((e as Error).message)})`);
    }
  });
}

/**
 * Checks that the architecture needs exactly the weights the file holds, by laying out a copy of its
 * layers (which allocates nothing): the file's length bounds the weights block, so it bounds every
 * buffer the model will allocate too. Without this, a small file naming huge layers would have the
 * model allocate them before its weight count was found wrong (and wasm memory never shrinks).
 */
function checkArchitecture(snapshot: ModelSnapshot, inputShape: Shape): void {
  let layout;
  try {
    layout = layOut(inputShape, layersOf(snapshot));
  } catch (e) {
    return rethrow(e);
  }
  if (layout.size !== snapshot.flatWeights.length) {
    failLoad(`the file is corrupt: it holds ${snapshot.flatWeights.length} weights for an architecture of ${layout.size} parameters`);
  }
  const shapes = (list: ReadonlyArray<{ readonly shape: readonly number[] }>): string => list.map((w) => `[${w.shape.join(',')}]`).join();
  if (shapes(layout.entries) !== shapes(snapshot.weights)) failLoad("the file is corrupt: its weight list's shapes are not those of its architecture");
  const state = snapshot.layerState;
  if ((state?.values.length ?? 0) !== layout.stateSize || shapes(layout.stateEntries) !== shapes(state?.tensors ?? [])) {
    failLoad(`the file is corrupt: it holds ${state?.values.length ?? 0} values of layer state for an architecture with ${layout.stateSize}`);
  }
}

/** An error from building the saved model as loadModel's (an out-of-memory error stays as it is). */
function rethrow(e: unknown): never {
  const message = e instanceof Error ? e.message : String(e);
  if (message.startsWith('simdnet loadModel:') || message.startsWith('simdnet: out of wasm memory')) throw e;
  return failLoad(`the file is corrupt: ${clip(message)}`);
}

/** Builds a model from a decoded snapshot; any failure frees what was built. */
export function modelFromSnapshot(snapshot: ModelSnapshot, backend: Backend): Sequential {
  const t = snapshot.topology;
  const inputShape = t.inputShape ?? [t.inputSize];
  checkArchitecture(snapshot, inputShape);
  let compile: CompileOptions | null = null;
  if (snapshot.compile !== null) {
    const { loss, optimizer, metrics } = snapshot.compile;
    try {
      compile = { loss, optimizer: optimizerFromConfig(optimizer), metrics };
    } catch (e) {
      failLoad(`the file is corrupt: its header's compile.optimizer is not an optimizer simdnet can build (${clip((e as Error).message)})`);
    }
  }
  const shape = t.inputShape === undefined ? { inputSize: t.inputSize } : { inputShape: t.inputShape };
  let model: Sequential;
  try {
    model = new Sequential(layersOf(snapshot), { ...shape, seed: t.seed, backend });
  } catch (e) {
    return rethrow(e);
  }
  try {
    model.setFlatWeights(snapshot.flatWeights);
    if (snapshot.layerState !== undefined) model.network.setStateValues(snapshot.layerState.values);
    if (compile !== null) {
      model.compile(compile);
      if (snapshot.optimizerState !== null) model.compiled!.optimizer.setState(backend, snapshot.optimizerState, model.parameterCount);
    }
    const { epochs, batches, dropoutStream } = snapshot.training;
    model.restoreProgress(epochs, batches, dropoutStream);
    return model;
  } catch (e) {
    model.dispose();
    return rethrow(e);
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
    throw new TypeError(`simdnet loadModel: source must be a file path, a Uint8Array or an ArrayBuffer, a storage URL (indexeddb://, localstorage://, http(s)://, file://) or a fetch Response, got ${excerpt(source)}`);
  }
  return modelFromSnapshot(decodeModel(bytes), options.backend);
}
