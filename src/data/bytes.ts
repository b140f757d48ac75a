/**
 * Byte-level helpers shared by the readers: gzip detection and browser-side decompression. Nothing
 * here touches Node: in Node, src/data/node.ts decompresses with node:zlib instead.
 */
import { DataFormatError, formatError } from './dataset.js';

/**
 * The most bytes a reader will produce or accept for one file: 2 GiB. Past it a typed array cannot be
 * indexed by an int32 and the Float32Array of pixels would be 8 GiB, so a header asking for more is
 * taken as corrupt rather than tried.
 */
export const MAX_DATA_BYTES = 2 ** 31;

/** Whether `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Returns `bytes` unchanged, or their decompression when they are gzip (1f 8b), with the web
 * platform's `DecompressionStream('gzip')` (browsers, workers, Node ≥ 18). `name` goes into errors.
 * Decompression stops with an error past MAX_DATA_BYTES (a gzip bomb or a corrupt file).
 */
export async function maybeGunzip(bytes: Uint8Array, name = 'data'): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  if (typeof DecompressionStream !== 'function') {
    formatError('maybeGunzip', name, 'is gzip-compressed and this JavaScript engine has no DecompressionStream: decompress it first');
  }
  const input = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = input.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_DATA_BYTES) {
        await reader.cancel();
        formatError('maybeGunzip', name, `decompresses to more than ${MAX_DATA_BYTES} bytes (2 GiB): corrupt, or not a data file`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    formatError('maybeGunzip', name, `is not a valid gzip stream (truncated or corrupt): ${e instanceof Error ? e.message : String(e)}`);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
