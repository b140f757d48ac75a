/**
 * Loads the simdnet wasm module with one code path for Node, browsers, module Workers and bundlers.
 *
 * The bytes are embedded (see scripts/embed-wasm.mjs for why) and compiled with the asynchronous
 * `WebAssembly.instantiate`: browsers refuse large synchronous compiles on the main thread, and nothing
 * happens at import time: loading starts only when `loadWasm()` is called (from `init()`).
 */
import { WASM_BASE64 } from './wasm-bytes.generated.js';
import type { WasmExports } from './exports.js';

/**
 * The smallest module that uses a SIMD instruction: (func (result v128) (v128.const i32x4 0 0 0 0)).
 * `WebAssembly.validate` on it tells whether this host runs WebAssembly SIMD, without compiling ours.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
]);

/** Whether this host has WebAssembly with the fixed-width SIMD proposal. */
export function hasWasmSimd(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(SIMD_PROBE);
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  // atob exists in browsers, workers and Node ≥ 16: no Buffer, so bundlers need no polyfill.
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Reads an AssemblyScript string (UTF-16, byte length stored just before it) for abort messages. */
function readString(memory: WebAssembly.Memory, pointer: number): string {
  // i32 arguments arrive signed: an address past 2 GiB would be negative.
  const ptr = pointer >>> 0;
  if (ptr === 0) return '';
  const byteLength = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, byteLength >>> 1));
}

/** Instantiates the module. Throws a clear error when the host lacks WebAssembly SIMD. */
export async function loadWasm(): Promise<WasmExports> {
  if (!hasWasmSimd()) {
    throw new Error(
      'simdnet: this JavaScript engine does not support WebAssembly SIMD (Node ≥ 16.4, Chrome ≥ 91, ' +
        "Firefox ≥ 89, Safari ≥ 16.4 do). Use init({ backend: 'js' }) or init({ backend: 'auto' }) to fall back to pure JavaScript.",
    );
  }
  let memory: WebAssembly.Memory | undefined; // eslint-disable-line prefer-const -- set by instantiate below, read by abort() before that
  const imports = {
    env: {
      abort(message: number, file: number, line: number, column: number): never {
        const where = memory ? `${readString(memory, file)}:${line}:${column}` : `${line}:${column}`;
        throw new Error(`simdnet wasm abort: ${memory ? readString(memory, message) : ''} at ${where}`);
      },
    },
  };
  const { instance } = await WebAssembly.instantiate(decodeBase64(WASM_BASE64), imports);
  const exports = instance.exports as unknown as WasmExports;
  memory = exports.memory;
  return exports;
}
