/**
 * The buffer types both backends hand out (the wasm allocator here in bindings/, the js one in
 * src/backend/js/): what a kernel call receives. They live here, below src/, so that bindings/ imports
 * nothing from src/ (src/backend/contract.ts re-exports them).
 */

export type BackendName = 'wasm' | 'js';

/** A run of f32 values owned by a backend. */
export interface F32Buffer {
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
  readonly backend: BackendName;
  /** True once freed (or once the buffer it is a view of was freed). */
  readonly disposed: boolean;
  /** A view of `length` elements starting at element `offset`; shares storage, is not freed on its own. */
  view(offset: number, length: number): F32Buffer;
}

/** A run of i32 values (labels, argmax results) owned by a backend. */
export interface I32Buffer {
  readonly dtype: 'i32';
  readonly length: number;
  readonly ptr: number;
  readonly data: Int32Array;
  readonly backend: BackendName;
  readonly disposed: boolean;
  view(offset: number, length: number): I32Buffer;
}

/** Allocation of buffers on a backend. */
export interface Allocator {
  /** A new zero-filled buffer of `length` elements, or a copy of `values`. */
  f32(lengthOrValues: number | ArrayLike<number>): F32Buffer;
  i32(lengthOrValues: number | ArrayLike<number>): I32Buffer;
  /** Frees a buffer made by f32() or i32(); its views become disposed too. Freeing twice is an error. */
  free(buffer: F32Buffer | I32Buffer): void;
}

