/** A ready backend from its kernels, allocator and threads: argument checks on every kernel, frozen. */
import type { Allocator, Backend, BackendName, Kernels } from './contract.js';
import { checked, registerUnchecked } from './checked.js';

/** A backend with its allocator; `liveBuffers` counts what has not been freed (for leak tests). */
export interface ReadyBackend extends Backend {
  /** Buffers allocated and not yet freed: 0 after a model is disposed, so a test can catch a leak. */
  readonly liveBuffers: number;
  /** Threads the kernels use now: 1 for the js backend, for `threads: 1`, and once the helpers ended. */
  readonly threads: number;
  /**
   * Ends the helper threads (no-op without them). The backend stays usable, on one thread. A Node
   * script exits without it (helpers never keep the process alive); call it to free their memory
   * and threads early.
   */
  dispose(): void;
  /** The wasm build in use (init's `simd` option, or 'plain' where relaxed SIMD is missing); 'plain' for js. */
  readonly simd: SimdBuild;
}

/** The wasm builds' arithmetic: 'plain' (the same bits on every host) or 'relaxed' (fused multiply-add). */
export type SimdBuild = 'plain' | 'relaxed';

/** What a backend runs on besides its kernels and allocator: its threads, if any. */
export interface BackendThreads {
  readonly threads: () => number;
  readonly dispose: () => void;
}

const ONE_THREAD: BackendThreads = { threads: () => 1, dispose: () => undefined };

export function assemble(
  name: BackendName, kernels: Kernels, allocator: Allocator & { readonly liveBuffers: number }, threads: BackendThreads = ONE_THREAD, simd: SimdBuild = 'plain',
): ReadyBackend {
  const backend = Object.create(null) as ReadyBackend;
  Object.assign(backend, checked(kernels, name), {
    name,
    f32: allocator.f32.bind(allocator),
    i32: allocator.i32.bind(allocator),
    free: allocator.free.bind(allocator),
    dispose: threads.dispose,
    simd,
  });
  Object.defineProperty(backend, 'liveBuffers', { get: () => allocator.liveBuffers });
  Object.defineProperty(backend, 'threads', { get: threads.threads, enumerable: true });
  // The layers' unchecked calls go to the same kernels (threaded ones on a threaded backend).
  registerUnchecked(backend, kernels);
  return Object.freeze(backend);
}

