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
 * The most bytes loadCsv and loadCifar10 read from one file unless told more (options.maxBytes):
 * 256 MiB. A CIFAR-10 batch is 30 MB; a gzip bomb of a few hundred KB stops here, not at 2 GiB.
 */
export const DEFAULT_FILE_LIMIT = 2 ** 28;

/**
 * Options of maybeGunzip and the Node loaders' readDataFile: where decompression stops. Output is
 * checked as it streams, so a small .gz that inflates to gigabytes costs at most the limit, not the
 * whole inflation.
 */
export interface GunzipOptions {
  /** Stop with an error once the output passes this many bytes. @default MAX_DATA_BYTES (2 GiB) */
  maxBytes?: number;
  /**
   * Given the first bytes of the output, the exact size the whole output must have (e.g.
   * idxFileBytes: an IDX header's dims give it), null when it needs more bytes, or undefined when the
   * head does not say (the parser then reports what is wrong). Decompression stops just past it.
   * @default undefined
   */
  sizeFromHeader?: (head: Uint8Array) => number | null | undefined;
}

function checkMaxBytes(fn: string, maxBytes: unknown): number {
  if (maxBytes === undefined) return MAX_DATA_BYTES;
  if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_DATA_BYTES) {
    throw new RangeError(`simdnet ${fn}: maxBytes must be an integer from 1 to ${MAX_DATA_BYTES}, got ${String(maxBytes)}`);
  }
  return maxBytes;
}

/**
 * Collects decompressed chunks and stops (a DataFormatError naming the input) as soon as they pass
 * the limit: the size the header gives when sizeFromHeader can tell, else maxBytes. Shared by the
 * browser path (DecompressionStream) and Node's (node:zlib), so both stop at the same byte.
 */
export class BoundedOutput {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  private readonly maxBytes: number;
  /** The header's size once known; undefined while unknown or when the head does not say. */
  private exact: number | undefined;
  private headerDone: boolean;

  constructor(
    private readonly fn: string,
    private readonly name: string,
    private readonly options: GunzipOptions = {},
  ) {
    this.maxBytes = checkMaxBytes(fn, options.maxBytes);
    this.headerDone = options.sizeFromHeader === undefined;
  }

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.total += chunk.length;
    if (!this.headerDone) {
      const size = this.options.sizeFromHeader!(this.head());
      if (size !== null) {
        this.headerDone = true;
        this.exact = size;
      }
    }
    if (this.exact !== undefined && this.total > this.exact && this.exact <= this.maxBytes) {
      formatError(this.fn, this.name, `decompresses to more than the ${this.exact} bytes its header says the file holds: corrupt, or a gzip bomb`);
    }
    if (this.total > this.maxBytes) {
      formatError(this.fn, this.name, `decompresses to more than ${this.maxBytes} bytes, the limit (maxBytes): corrupt, not a data file, or give a higher maxBytes`);
    }
  }

  /** The output so far as one array (the chunks themselves are kept: no copy unless there are several). */
  result(): Uint8Array {
    return concat(this.chunks, this.total);
  }

  /** Up to the first 1028 bytes (an IDX header has at most 4 + 4·255), for sizeFromHeader. */
  private head(): Uint8Array {
    return this.chunks.length === 1 ? this.chunks[0] : concat(this.chunks, Math.min(this.total, 1028));
  }
}

/** The first `length` bytes of `chunks` as one array. */
function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].length === length) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    if (at >= length) break;
    const part = c.length <= length - at ? c : c.subarray(0, length - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Returns `bytes` unchanged, or their decompression when they are gzip (1f 8b), with the web
 * platform's `DecompressionStream('gzip')` (browsers, workers, Node ≥ 18). `name` goes into errors.
 * Decompression streams and stops with an error past options.maxBytes (default 2 GiB) or past the
 * size options.sizeFromHeader reads from the first bytes (e.g. idxFileBytes for IDX files).
 */
export async function maybeGunzip(bytes: Uint8Array, name = 'data', options: GunzipOptions = {}): Promise<Uint8Array> {
  const out = new BoundedOutput('maybeGunzip', name, options);
  if (!isGzip(bytes)) return bytes;
  if (typeof DecompressionStream !== 'function') {
    formatError('maybeGunzip', name, 'is gzip-compressed and this JavaScript engine has no DecompressionStream: decompress it first');
  }
  const input = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  const reader = input.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    if (e instanceof DataFormatError) throw e;
    formatError('maybeGunzip', name, `is not a valid gzip stream (truncated or corrupt): ${e instanceof Error ? e.message : String(e)}`);
  }
  return out.result();
}
