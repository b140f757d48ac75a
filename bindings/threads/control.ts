/**
 * The control block shared by the main thread and each helper thread (bindings/threads/pool.ts and
 * helper-source.ts): one slot per helper in shared wasm memory, allocated by the main thread. The
 * main thread writes a job (kernel index, argument count, arguments) and then bumps `GEN`; the helper
 * runs it and stores the same generation in `DONE`. Both wait on these words with Atomics, so a kernel
 * call costs no postMessage. The helper also says in `AWAKE` whether it is spinning (a job now costs
 * no wake-up) or parked in Atomics.wait; a notify on `GEN` that leaves it unchanged (a nudge) only
 * sends a parked helper back to spinning. Error text comes back through the slot too: a main thread that spins or
 * blocks on `DONE` does not run its event loop, so a message would arrive too late.
 *
 * helper-source.ts is plain JavaScript text, so it repeats these offsets as literals; the pool test
 * (tests/threads/pool.test.ts) runs both sides, and a mismatch fails every threaded call.
 */

/** Bytes per slot: a multiple of 64 so two helpers' words never share a cache line. */
export const SLOT_BYTES = 1024;

// Int32 indices into a slot.
/** Job generation, written by the main thread (helpers wait on it). */
export const GEN = 0;
/** Generation of the last finished job, written by the helper (the main thread waits on it). */
export const DONE = 1;
/** Index of the function to run in the pool's name list; STOP ends the helper. */
export const KERNEL = 2;
/** Number of arguments. */
export const ARGC = 3;
/** 0: the job ran; 1: it threw (its message follows). */
export const STATUS = 4;
/** Length of the error message in UTF-16 code units. */
export const MESSAGE_LENGTH = 5;

/**
 * 1 while the helper runs or spins on `GEN`; 0 before it starts, while it is parked in Atomics.wait and
 * after it stopped. Written by the helper only; read by threaded.ts through ThreadPool.awake().
 */
export const AWAKE = 6;
/**
 * Who runs the job: 0 when posted (written after its arguments, before GEN), then 1 once the helper
 * takes it or 2 once the main thread does (Atomics.compareExchange from 0, so exactly one of them
 * runs it). The main thread takes the part of a helper that has not started by the time its own part
 * is done, when the caller allows it (ThreadPool.run's `steal`): a small call then never waits for a
 * helper that has lost its core. A helper reads the job only after taking it.
 */
export const CLAIM = 7;

/**
 * 1 while the main thread may block in Atomics.wait on `DONE` (set before it reads DONE and waits,
 * cleared after); the helper notifies `DONE` only then. Spinning (the usual case, and always on a
 * browser's main thread) costs the helper no Atomics.notify: with sequentially consistent Atomics, a
 * helper that reads 0 here stored DONE before the main thread's read of it, which then does not wait.
 */
export const MAIN_WAITING = 8;

/** KERNEL value that tells a helper to leave its loop. */
export const STOP = -1;

/** Byte offset of the arguments (f64 each). */
export const ARGS_OFFSET = 64;
/** Most arguments a job can have. */
export const MAX_ARGS = 16;
/** Byte offset of the job's return value (f64). */
export const RESULT_OFFSET = ARGS_OFFSET + MAX_ARGS * 8;
/** Byte offset of the error message (UTF-16) and its capacity in code units. */
export const MESSAGE_OFFSET = 256;
export const MESSAGE_CAPACITY = (SLOT_BYTES - MESSAGE_OFFSET) / 2;
