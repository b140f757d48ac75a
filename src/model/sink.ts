/**
 * Where `model.save(target)` puts a saved model's bytes: a file path (Node: written to a temporary
 * file, fsynced, then renamed over the path, so a crash never leaves a half-written model) or a sink
 * function (to upload the bytes, ...), or a storage URL ('indexeddb://name', 'localstorage://name',
 * 'downloads://name', 'file://…': src/io/storage.ts).
 */
import { writeFileAtomic } from '../atomic-write.js';
import { excerpt } from '../train/pieces.js';
import { isStorageUrl, writeStorageUrl } from '../io/storage.js';

/** Receives a saved model's bytes (to upload them, store them in IndexedDB, ...). */
export type ModelSink = (bytes: Uint8Array) => void | Promise<void>;

/** Writes `bytes` to a path atomically, or hands them to a sink. */
export async function writeModelBytes(target: string | ModelSink, bytes: Uint8Array): Promise<void> {
  if (typeof target === 'function') {
    await target(bytes);
    return;
  }
  if (typeof target !== 'string' || target === '') {
    throw new TypeError(`simdnet save: target must be a file path or a function receiving the bytes, got ${excerpt(target)}`);
  }
  if (isStorageUrl(target)) await writeStorageUrl(target, bytes);
  else await writeFileAtomic(target, bytes);
}
