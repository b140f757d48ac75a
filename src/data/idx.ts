/**
 * The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):
 *
 *   byte 0..1  0x00 0x00
 *   byte 2     data type: 0x08 = unsigned byte (the only one MNIST uses, and the only one read here)
 *   byte 3     number of dimensions d
 *   then d big-endian uint32 sizes, then the data, row-major, with nothing after it.
 *
 * So labels start with 0x00000801 (d = 1: [count]) and images with 0x00000803 (d = 3: [count, rows,
 * cols]). Works on bytes, so it runs in browsers too; gzip is handled by maybeGunzip / the Node loaders.
 */
import { isGzip, MAX_DATA_BYTES } from './bytes.js';
import { formatError } from './dataset.js';

/** A parsed IDX file: its sizes and its unsigned bytes (a view into the input, not a copy). */
export interface IdxArray {
  /** The size of each dimension, outermost first (e.g. [60000, 28, 28]). */
  readonly dims: readonly number[];
  /** The values, row-major, one byte each. */
  readonly data: Uint8Array;
}

const IDX_UBYTE = 0x08;

const TYPE_NAMES: Record<number, string> = { 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

function hex32(bytes: Uint8Array): string {
  let s = '0x';
  for (let i = 0; i < 4; i++) s += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

/**
 * Parses an uncompressed IDX file of unsigned bytes. `name` (a file name) goes into error messages,
 * which say what is wrong: wrong magic number (or gzip bytes not decompressed), unsupported data type,
 * a header or data shorter than the header says, extra bytes, or sizes past MAX_DATA_BYTES.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  const fail = (what: string): never => formatError('parseIdx', name, what);
  if (isGzip(bytes)) fail('is gzip-compressed (starts with 1f 8b): decompress it first (maybeGunzip, or the Node loaders do it)');
  if (bytes.length < 4) fail(`is truncated: ${bytes.length} bytes, but an IDX header alone needs at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`wrong magic number ${hex32(bytes)}: an IDX file starts with 0x0000TTDD (TT = data type, DD = dimensions), e.g. 0x00000803 for MNIST images, 0x00000801 for labels`);
  }
  if (bytes[2] !== IDX_UBYTE) {
    const type = TYPE_NAMES[bytes[2]];
    fail(
      type === undefined
        ? `wrong magic number ${hex32(bytes)}: data type 0x${bytes[2].toString(16).padStart(2, '0')} is not an IDX type`
        : `data type ${type} (magic number ${hex32(bytes)}) is not supported: only unsigned bytes (0x08), as in MNIST, are read`,
    );
  }
  const d = bytes[3];
  if (d === 0) fail(`wrong magic number ${hex32(bytes)}: 0 dimensions`);
  const headerBytes = 4 + 4 * d;
  if (bytes.length < headerBytes) fail(`is truncated: ${bytes.length} bytes, but the header of ${d} dimensions needs ${headerBytes}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < d; i++) {
    const dim = view.getUint32(4 + 4 * i, false);
    dims.push(dim);
    size *= dim;
  }
  const shown = dims.join('×');
  if (size > MAX_DATA_BYTES) fail(`header sizes ${shown} ask for ${size} bytes, more than the ${MAX_DATA_BYTES}-byte (2 GiB) limit: corrupt header`);
  const have = bytes.length - headerBytes;
  if (have < size) fail(`is truncated: header sizes ${shown} need ${size} data bytes, but the file has ${have} after its ${headerBytes}-byte header`);
  if (have > size) fail(`has ${have - size} bytes more than its header sizes ${shown} = ${size} data bytes: header and file length disagree`);
  return { dims, data: bytes.subarray(headerBytes) };
}

/**
 * The whole size in bytes of the IDX file whose first bytes are `head`, from its header (4 + 4·d +
 * the product of the dims): null when `head` is too short to tell, undefined when it is no IDX header
 * of unsigned bytes (parseIdx then says what is wrong). For GunzipOptions.sizeFromHeader, so a
 * decompression stops as soon as it passes what the header promises.
 */
export function idxFileBytes(head: Uint8Array): number | null | undefined {
  if (head.length < 4) return null;
  if (head[0] !== 0 || head[1] !== 0 || head[2] !== IDX_UBYTE || head[3] === 0) return undefined;
  const d = head[3];
  const headerBytes = 4 + 4 * d;
  if (head.length < headerBytes) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let size = 1;
  for (let i = 0; i < d; i++) size *= view.getUint32(4 + 4 * i, false);
  return headerBytes + size;
}

/** Writes an IDX file of unsigned bytes (the inverse of parseIdx), e.g. to save a subset of MNIST. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 255) throw new RangeError(`simdnet encodeIdx: dims must have 1..255 sizes, got ${dims.length}`);
  let size = 1;
  for (const [i, dim] of dims.entries()) {
    if (!Number.isInteger(dim) || dim < 0 || dim > 0xffffffff) throw new RangeError(`simdnet encodeIdx: dims[${i}] = ${dim} is not a uint32`);
    size *= dim;
  }
  if (data.length !== size) throw new RangeError(`simdnet encodeIdx: data has ${data.length} bytes, but dims ${dims.join('×')} hold ${size}`);
  const headerBytes = 4 + 4 * dims.length;
  const out = new Uint8Array(headerBytes + size);
  const view = new DataView(out.buffer);
  out[2] = IDX_UBYTE;
  out[3] = dims.length;
  dims.forEach((dim, i) => view.setUint32(4 + 4 * i, dim, false));
  out.set(data, headerBytes);
  return out;
}
