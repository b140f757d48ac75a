/** A backend whose n-th allocation fails, as an exhausted wasm memory would: for tests that nothing leaks then. */
import type { F32Buffer, I32Buffer, ReadyBackend } from '../../src/index.js';

/** The message of an injected failure. */
export const INJECTED = 'simdnet: out of wasm memory (injected by the test)';

/**
 * `base` with its f32()/i32() counting allocations and throwing a RangeError on the `failAt`-th
 * (1-based; Infinity: never). `allocations` counts the calls made so far.
 */
export function failingBackend(base: ReadyBackend, failAt: number): ReadyBackend & { readonly allocations: number } {
  let allocations = 0;
  const count = (): void => {
    if (++allocations === failAt) throw new RangeError(INJECTED);
  };
  const backend = Object.create(null) as ReadyBackend & { allocations: number };
  for (const key of Object.keys(base)) (backend as unknown as Record<string, unknown>)[key] = (base as unknown as Record<string, unknown>)[key];
  Object.assign(backend, {
    f32(lengthOrValues: number | ArrayLike<number>): F32Buffer {
      count();
      return base.f32(lengthOrValues);
    },
    i32(lengthOrValues: number | ArrayLike<number>): I32Buffer {
      count();
      return base.i32(lengthOrValues);
    },
  });
  Object.defineProperty(backend, 'liveBuffers', { get: () => base.liveBuffers });
  Object.defineProperty(backend, 'allocations', { get: () => allocations });
  return Object.freeze(backend);
}
