/**
 * The buffer types both backends hand out (the wasm allocator here in bindings/, the js one in
 * src/backend/js/): what a kernel call receives. They live here, below src/, so that bindings/ imports
 * nothing from src/ (src/backend/contract.ts re-exports them).
 */

/** Which implementation of the kernels a buffer or backend belongs to: WebAssembly SIMD or pure JS. */
export type BackendName = 'wasm' | 'js';

/** A run of f32 values owned by a backend. */
export interface F32Buffer {
  /** The element type: always 'f32' (what tells an F32Buffer from an I32Buffer). */
  readonly dtype: 'f32';
  /** Number of elements. */
  readonly length: number;
  /** Byte address in wasm linear memory (`wasm`), or -1 (`js`). */
  readonly ptr: number;
  /**
   * A view of the values. On `wasm` it is remade when the memory has grown, so always read `.data`
   * again after any allocation or kernel call rather than keeping an old view.
   */
  readonly data: Float32Array;
  /** The backend that allocated it; kernels refuse a buffer of another backend. */
  readonly backend: BackendName;
  /** True once freed (or once the buffer it is a view of was freed). */
  readonly disposed: boolean;
  /** A view of `length` elements starting at element `offset`; shares storage, is not freed on its own. */
  view(offset: number, length: number): F32Buffer;
}

/** A run of i32 values (labels, argmax results) owned by a backend. */
export interface I32Buffer {
  /** The element type: always 'i32'. */
  readonly dtype: 'i32';
  /** Number of elements. */
  readonly length: number;
  /** Byte address in wasm linear memory (`wasm`), or -1 (`js`). */
  readonly ptr: number;
  /** A view of the values; on `wasm`, read it again after any allocation or kernel call (see F32Buffer.data). */
  readonly data: Int32Array;
  /** The backend that allocated it. */
  readonly backend: BackendName;
  /** True once freed (or once the buffer it is a view of was freed). */
  readonly disposed: boolean;
  /** A view of `length` elements starting at element `offset`; shares storage, is not freed on its own. */
  view(offset: number, length: number): I32Buffer;
}

/** Allocation of buffers on a backend. */
export interface Allocator {
  /** A new zero-filled buffer of `length` elements, or a copy of `values`. */
  f32(lengthOrValues: number | ArrayLike<number>): F32Buffer;
  /** A new zero-filled i32 buffer of `length` elements, or a copy of `values` (which must be integers). */
  i32(lengthOrValues: number | ArrayLike<number>): I32Buffer;
  /** Frees a buffer made by f32() or i32(); its views become disposed too. Freeing twice is an error. */
  free(buffer: F32Buffer | I32Buffer): void;
}

