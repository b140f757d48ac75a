/** The error of a failed helper thread (bindings/threads/pool.ts); its own module, so the main bundle can export it without the pool. */

/** A helper thread failed (it exited, or its kernel threw); the backend goes on with one thread. */
export class ThreadPoolError extends Error {
  override name = 'ThreadPoolError';
}
