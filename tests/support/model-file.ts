/** Editing saved model files as a foreign writer would: the JSON header, the blocks, the CRC-32. */
import { crc32 } from 'node:zlib';

const align4 = (n: number): number => (n + 3) & ~3;

/** The header as free JSON: the tests edit it like a foreign writer would. */
export type JsonHeader = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- edited as free JSON, as a foreign writer would

const headerLength = (bytes: Uint8Array): number => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);

/** The JSON header of a saved model (see the format in src/model/format.ts). */
export function header(bytes: Uint8Array): JsonHeader {
  return JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength(bytes))));
}

/** The byte offset of the first block (after the header and its padding). */
export function blocksStart(bytes: Uint8Array): number {
  return align4(16 + headerLength(bytes));
}

/** Rewrites the last 4 bytes as the CRC-32 of the rest (so a corruption reaches the parsing behind the checksum). */
export function withCrc(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length >= 4) new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** The same file with its header edited: the header length, the padding and the CRC-32 are redone. */
export function withHeader(bytes: Uint8Array, edit: (header: JsonHeader) => unknown, blocks = bytes.subarray(blocksStart(bytes), bytes.length - 4)): Uint8Array {
  const h = header(bytes);
  edit(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  const start = align4(16 + json.length);
  const out = new Uint8Array(start + blocks.length + 4);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(blocks, start);
  return withCrc(out);
}
