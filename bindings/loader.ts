/**
 * Loads the simdnet wasm module with one code path for Node, browsers, module Workers and bundlers.
 *
 * The bytes are embedded (see scripts/embed-wasm.mjs for why) and compiled with the asynchronous
 * `WebAssembly.instantiate`: browsers refuse large synchronous compiles on the main thread, and nothing
 * happens at import time: loading starts only when `loadWasm()` is called (from `init()`).
 */
import { WASM_BASE64 } from './wasm-bytes.generated.js';
import type { WasmExports } from './exports.js';
import { hasRelaxedSimd, RELAXED_SIMD_MISSING } from './relaxed-probe.js';

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

/**
 * The wasm builds, one per asconfig.json release target (embedded by scripts/embed-wasm.mjs), by their
 * axes: `memory` is 'plain' (the module's own memory; one thread: today's build) or 'shared' (an
 * imported shared memory, for helper threads: bindings/threads/); `simd` is 'plain' (mul then add:
 * the same bits on every host) or 'relaxed' (the matrix products' multiply-adds are
 * f32x4.relaxed_madd, fused where the host has FMA: assembly/madd.ts). The plain/plain build is
 * imported statically (it is what init() loads by default); every other is a dynamic import, a chunk
 * of its own that a bundle fetches only when init() picks it.
 */
export interface BuildVariant {
  readonly memory: 'plain' | 'shared';
  readonly simd: 'plain' | 'relaxed';
}

const BUILDS: Readonly<Record<`${BuildVariant['memory']}/${BuildVariant['simd']}`, () => Promise<string>>> = {
  'plain/plain': () => Promise.resolve(WASM_BASE64),
  'shared/plain': async () => (await import('./wasm-bytes-shared.generated.js')).WASM_BASE64,
  'plain/relaxed': async () => (await import('./wasm-bytes-relaxed.generated.js')).WASM_BASE64,
  'shared/relaxed': async () => (await import('./wasm-bytes-relaxed-shared.generated.js')).WASM_BASE64,
};

/** The embedded bytes of a build, compiled. */
export async function compileBuild(variant: BuildVariant): Promise<WebAssembly.Module> {
  checkSimd();
  if (variant.simd === 'relaxed' && !hasRelaxedSimd()) throw new Error(`simdnet: ${RELAXED_SIMD_MISSING}`);
  return WebAssembly.compile(decodeBase64(await BUILDS[`${variant.memory}/${variant.simd}`]()));
}

/** A WebAssembly SIMD module's wasm32 memory: at most 65 536 pages (4 GiB). */
const MAX_PAGES = 65536;
/** The shared build's declared initial memory (asconfig.json's initialMemory); the memory given must have at least that. */
const SHARED_INITIAL_PAGES = 16;

/**
 * A shared memory for the shared build. Its maximum is reserved up front (a shared buffer cannot move
 * when it grows), so the largest maximum the engine grants is taken: 4 GiB, else 2 or 1 GiB.
 */
export function sharedMemory(): WebAssembly.Memory {
  let failure: unknown;
  for (const maximum of [MAX_PAGES, MAX_PAGES / 2, MAX_PAGES / 4]) {
    try {
      return new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum, shared: true });
    } catch (e) {
      failure = e;
    }
  }
  throw new Error(`simdnet: this engine cannot make a shared WebAssembly memory of 1 GiB or more (${String(failure)})`, { cause: failure });
}

function checkSimd(): void {
  if (!hasWasmSimd()) {
    throw new Error(
      'simdnet: this JavaScript engine does not support WebAssembly SIMD (Node ≥ 16.4, Chrome ≥ 91, ' +
        "Firefox ≥ 89, Safari ≥ 16.4 do). Use init({ backend: 'js' }) or init({ backend: 'auto' }) to fall back to pure JavaScript.",
    );
  }
}

/**
 * The imports of every build: `abort`, and for the shared build its memory. Helper threads
 * (bindings/threads/helper-source.ts) pass the same shape.
 */
function importsFor(memory: WebAssembly.Memory | undefined): { imports: WebAssembly.Imports; bind(m: WebAssembly.Memory): void } {
  let mem = memory;
  const imports = {
    env: {
      abort(message: number, file: number, line: number, column: number): never {
        const where = mem ? `${readString(mem, file)}:${line}:${column}` : `${line}:${column}`;
        throw new Error(`simdnet wasm abort: ${mem ? readString(mem, message) : ''} at ${where}`);
      },
      ...(memory ? { memory } : {}),
    },
  };
  return { imports, bind: (m) => (mem = m) };
}

/** Instantiates a compiled build; the shared build on `memory` (required for it). */
export async function instantiateBuild(module: WebAssembly.Module, memory?: WebAssembly.Memory): Promise<WasmExports> {
  const { imports, bind } = importsFor(memory);
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as WasmExports;
  bind(exports.memory);
  return exports;
}

/** Instantiates the plain module (one thread). Throws a clear error when the host lacks WebAssembly SIMD. */
export async function loadWasm(simd: BuildVariant['simd'] = 'plain'): Promise<WasmExports> {
  return instantiateBuild(await compileBuild({ memory: 'plain', simd }));
}
