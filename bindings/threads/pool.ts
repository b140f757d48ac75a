/**
 * The helper threads: a pool of workers that run kernel parts on the main thread's shared wasm memory.
 *
 * One compiled module (the shared build, bindings/loader.ts), instantiated once per thread on one
 * `WebAssembly.Memory({ shared: true })`. The main thread owns the allocator; each helper gets a
 * scratch block and a control slot (control.ts), both allocated here by the main thread, and waits on
 * its slot. `run()` writes each helper's part into its slot, wakes it (Atomics.notify), runs part 0
 * itself, then waits for the helpers: a short spin, then Atomics.wait where the thread may block (Node,
 * workers), spinning only on a browser's main thread, where Atomics.wait throws.
 *
 * Awake or parked: after a job a helper spins HELPER_SPIN times, then parks in Atomics.wait, and says
 * which in its slot's AWAKE word. `awake(i)` reads it, so the caller can split a small call only onto
 * helpers that cost no wake-up, and `nudge(i)` wakes a parked one without a job (it spins again), so
 * the next call of a burst finds it awake.
 *
 * Failure: a helper's kernel that throws reports through its slot and run() throws a ThreadPoolError
 * naming it; a helper that exits (Node's 'exit', a worker's 'error') or stops answering (DEAD_AFTER_MS)
 * breaks the pool. A broken pool ends its helpers and refuses further runs; the caller
 * (src/backend/threaded.ts) goes on with one thread.
 *
 * Node: helpers are unref()'d, so they never keep a process alive; dispose() ends them.
 */
import type { WasmExports } from '../exports.js';
import { ThreadPoolError } from './error.js';
import { HELPER_SOURCE } from './helper-source.js';
import {
  ARGC, ARGS_OFFSET, AWAKE, CLAIM, DONE, GEN, KERNEL, MAIN_WAITING, MAX_ARGS, MESSAGE_CAPACITY, MESSAGE_LENGTH, MESSAGE_OFFSET, RESULT_OFFSET, SLOT_BYTES, STATUS, STOP,
} from './control.js';

// A failure of a helper thread; the pool is unusable afterwards (see ThreadPool.broken).
export { ThreadPoolError };

/**
 * `f` (a wasm export) on the part's arguments, passed one by one: a wasm export ignores arguments past
 * its own (undefined ones included), and this costs ~15 ns where a spread of the array took ~200
 * (measured, Node 20). Parts have at most MAX_ARGS (16) arguments.
 */
function callPart(f: (...args: number[]) => unknown, p: readonly number[]): unknown {
  return f(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
}

/** A worker_threads Worker or a browser Worker, as far as the pool uses it. */
interface HelperWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/**
 * Spins a helper makes before it blocks in Atomics.wait (each an Atomics.load, a few ns): about 50 µs,
 * longer than the gap between the kernels of one training step, so a busy helper is not put to sleep
 * and woken for every call, and short enough that an idle one sleeps at once.
 */
const HELPER_SPIN = 20_000;
/** Spins the main thread makes on a helper's DONE word before it blocks (where it may). */
const MAIN_SPIN = 20_000;
/**
 * A helper that has not finished its part this long after the main thread finished its own (and at
 * least 100 times as long as the main thread's part took) is taken for dead: its part is the same size.
 */
const DEAD_AFTER_MS = 5000;
/** How long init() waits for the helpers to instantiate the module. */
const START_TIMEOUT_MS = 30_000;

export interface PoolOptions {
  /** The shared build, compiled. */
  readonly module: WebAssembly.Module;
  /** The main thread's instance on the shared memory (it allocates the slots and scratch). */
  readonly exports: WasmExports;
  /** Helper threads to start (threads in use = helpers + 1). */
  readonly helpers: number;
  /** The functions a job may name, by index. */
  readonly names: readonly string[];
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Imports a Node built-in opaquely to bundlers (as src/worker/protocol.ts does; bindings/ cannot import from src/). */
function importNodeBuiltin<T>(name: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name) as Promise<T>;
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

interface Helper {
  readonly worker: HelperWorker;
  readonly slot: number;
  readonly scratch: number;
  // Views of the slot. Made once: a view of a shared memory that has grown keeps its old length (and
  // stays valid), and the slot lies inside it.
  readonly words: Int32Array;
  readonly args: Float64Array;
  readonly result: Float64Array;
  readonly message: Uint16Array;
}

export class ThreadPool {
  private readonly fns: ((...args: number[]) => unknown)[];
  private readonly blocking = mayBlock();
  private gen = 0;
  private failure: Error | null = null;
  private disposed = false;
  /** The return value of each part of the last run (part 0: the main thread's). */
  readonly results: Float64Array;
  /** Calls of run() that reached the helpers, and of nudge() that woke one: counters for the tests. */
  runs = 0;
  nudges = 0;
  /** Helper parts this thread ran itself (run's `steal`). */
  stolen = 0;

  private constructor(
    private readonly exports: WasmExports,
    private readonly helpers: Helper[],
    private readonly names: readonly string[],
  ) {
    this.fns = names.map((n) => (exports as unknown as Record<string, (...args: number[]) => unknown>)[n]);
    this.results = new Float64Array(helpers.length + 1);
  }

  /** Starts `helpers` workers and resolves once each has instantiated the module. */
  static async start(options: PoolOptions): Promise<ThreadPool> {
    const { module, exports, names } = options;
    const memory = exports.memory;
    const scratchBytes = exports.threadScratchBytes();
    const helpers: Helper[] = [];
    const ready: Promise<void>[] = [];
    let pool: ThreadPool | null = null;
    const onFailure = (which: number, why: string): void => {
      const error = new ThreadPoolError(`simdnet: helper thread ${which + 1} ${why}`);
      if (pool) pool.fail(error);
      else startFailure ??= error;
    };
    let startFailure: Error | null = null;
    try {
      for (let i = 0; i < options.helpers; i++) {
        const slot = exports.alloc(SLOT_BYTES) >>> 0;
        new Uint8Array(memory.buffer, slot, SLOT_BYTES).fill(0);
        const scratch = exports.alloc(scratchBytes) >>> 0;
        const { worker, started } = await startWorker(i, onFailure);
        helpers.push({ worker, slot, scratch, ...views(memory, slot) });
        worker.postMessage({ module, memory, slot, scratch, names, spin: HELPER_SPIN });
        ready.push(started);
      }
      await withTimeout(Promise.all(ready), START_TIMEOUT_MS, 'simdnet: the helper threads did not start');
      if (startFailure) throw startFailure;
    } catch (e) {
      for (const h of helpers) void h.worker.terminate();
      for (const h of helpers) {
        exports.free(h.slot);
        exports.free(h.scratch);
      }
      throw e;
    }
    pool = new ThreadPool(exports, helpers, names);
    return pool;
  }

  /** Threads a run uses: the helpers and the calling thread. */
  get size(): number {
    return this.helpers.length + 1;
  }

  /** Whether helper i is spinning (a job costs it no wake-up), not parked in Atomics.wait or stopped. */
  awake(i: number): boolean {
    return this.broken === null && Atomics.load(this.helpers[i].words, AWAKE) === 1;
  }

  /**
   * Sends helper i back to spinning if it is parked, without a job: GEN stays as it is, so the helper
   * runs nothing (helper-source.ts). Costs this thread one Atomics.notify, never a wait.
   */
  nudge(i: number): void {
    if (this.broken !== null) return;
    const words = this.helpers[i].words;
    if (Atomics.load(words, AWAKE) === 1) return;
    Atomics.notify(words, GEN);
    this.nudges++;
  }

  /** True once dispose() was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Why the pool cannot run any more (a helper failed, or dispose() was called), or null. */
  get broken(): Error | null {
    return this.failure ?? (this.disposed ? new ThreadPoolError('simdnet: the thread pool was disposed') : null);
  }

  /**
   * Runs function `kernel` (an index into the names) once per part: `parts[0]` on this thread, part i
   * on helper i. Returns when every part is done; each part's return value is in `results`.
   * With `steal`, a helper's part that it has not started when part 0 is done runs on this thread
   * (control.ts, CLAIM): a small call costs at most about its one-thread time when a helper has lost
   * its core. (Not for the failure tests' deliberately bad parts, which must run in the helper.)
   * @throws ThreadPoolError when a helper failed (the pool is then broken), or what part 0 (or a
   *   part taken back) threw.
   */
  run(kernel: number, parts: readonly (readonly number[])[], steal = false): void {
    const broken = this.broken;
    if (broken) throw broken;
    const gen = (this.gen = (this.gen + 1) | 0);
    const used = parts.length - 1;
    if (used > this.helpers.length) throw new RangeError(`simdnet: ${parts.length} parts for ${this.size} threads`);
    if (used > 0) this.runs++;
    for (let i = 0; i < used; i++) {
      const h = this.helpers[i];
      const p = parts[i + 1];
      if (p.length > MAX_ARGS) throw new RangeError(`simdnet: a job takes at most ${MAX_ARGS} arguments`);
      for (let j = 0; j < p.length; j++) h.args[j] = p[j];
      h.words[KERNEL] = kernel;
      h.words[ARGC] = p.length;
      Atomics.store(h.words, CLAIM, 0);
      Atomics.store(h.words, GEN, gen);
      // A spinning helper sees GEN change by itself; only a parked one needs the notify. If it parks
      // after the AWAKE read below, its Atomics.wait finds GEN already changed (seq-cst order).
      if (Atomics.load(h.words, AWAKE) === 0) Atomics.notify(h.words, GEN);
    }
    // Date.now, not performance.now (a third of the cost): only the patience for a dead helper
    // (at least DEAD_AFTER_MS) is derived from it.
    const t0 = Date.now();
    let own: unknown;
    let ownError: unknown = null;
    try {
      own = callPart(this.fns[kernel], parts[0]);
    } catch (e) {
      ownError = e;
    }
    const ownMs = Date.now() - t0;
    this.results[0] = typeof own === 'number' ? own : 0;
    let helperError: Error | null = null;
    for (let i = 0; i < used; i++) {
      const h = this.helpers[i];
      if (steal && ownError === null && Atomics.compareExchange(h.words, CLAIM, 0, 2) === 0) {
        this.stolen++;
        try {
          const r = callPart(this.fns[kernel], parts[i + 1]);
          this.results[i + 1] = typeof r === 'number' ? r : 0;
        } catch (e) {
          ownError = e;
        }
        continue;
      }
      this.await(i, gen, ownMs);
      if (h.words[STATUS] !== 0 && helperError === null) {
        const text = String.fromCharCode(...h.message.subarray(0, Math.min(h.words[MESSAGE_LENGTH], MESSAGE_CAPACITY)));
        helperError = new ThreadPoolError(`simdnet: ${String(this.nameOf(kernel))} threw in helper thread ${i + 1}: ${text}`);
      }
      this.results[i + 1] = h.result[0];
    }
    if (ownError !== null) throw ownError;
    if (helperError) {
      this.fail(helperError);
      throw helperError;
    }
  }

  /** Ends helper i abruptly, as a crash would: for the tests of the failure path (tests/threads/failure.test.ts). */
  killHelper(i: number): Promise<unknown> {
    return Promise.resolve(this.helpers[i].worker.terminate());
  }

  /** Ends the helpers (they leave their loop; Node workers are also terminated) and frees their blocks. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopAll();
  }

  private nameOf(kernel: number): string {
    return this.names[kernel] ?? `function ${kernel}`;
  }

  /** Waits until helper i has finished generation `gen`. */
  private await(i: number, gen: number, ownMs: number): void {
    const words = this.helpers[i].words;
    for (let s = 0; s < MAIN_SPIN; s++) if (Atomics.load(words, DONE) === gen) return;
    const patience = Math.max(DEAD_AFTER_MS, 100 * ownMs);
    const deadline = performance.now() + patience;
    while (Atomics.load(words, DONE) !== gen) {
      if (this.blocking) {
        // MAIN_WAITING first, then DONE's value: a helper that finishes in between sees the flag and
        // notifies (control.ts).
        Atomics.store(words, MAIN_WAITING, 1);
        const done = Atomics.load(words, DONE);
        if (done !== gen) Atomics.wait(words, DONE, done, 50);
        Atomics.store(words, MAIN_WAITING, 0);
      }
      if (performance.now() > deadline) {
        const error = new ThreadPoolError(`simdnet: helper thread ${i + 1} did not finish its part within ${Math.round(patience)} ms; taken for dead`);
        this.fail(error);
        throw error;
      }
    }
  }

  private fail(error: Error): void {
    if (this.failure || this.disposed) return;
    this.failure = error;
    this.stopAll();
  }

  private stopAll(): void {
    for (const h of this.helpers) {
      h.words[KERNEL] = STOP;
      Atomics.store(h.words, GEN, (Atomics.load(h.words, GEN) + 1) | 0);
      Atomics.notify(h.words, GEN);
      void Promise.resolve(h.worker.terminate()).catch(() => undefined);
    }
    // The blocks are freed only when no helper can still be writing them: a failed pool keeps them.
    if (this.failure === null) {
      for (const h of this.helpers) {
        this.exports.free(h.slot);
        this.exports.free(h.scratch);
      }
    }
  }
}

function views(memory: WebAssembly.Memory, slot: number): Pick<Helper, 'words' | 'args' | 'result' | 'message'> {
  const buffer = memory.buffer;
  return {
    words: new Int32Array(buffer, slot, ARGS_OFFSET / 4),
    args: new Float64Array(buffer, slot + ARGS_OFFSET, MAX_ARGS),
    result: new Float64Array(buffer, slot + RESULT_OFFSET, 1),
    message: new Uint16Array(buffer, slot + MESSAGE_OFFSET, MESSAGE_CAPACITY),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ThreadPoolError(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Starts helper `i`: a worker_threads Worker (Node) or a classic Worker from a Blob URL (browsers). */
async function startWorker(i: number, onFailure: (i: number, why: string) => void): Promise<{ worker: HelperWorker; started: Promise<void> }> {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const started = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Handled by start()'s Promise.all, which may attach only after the next helper started.
  started.catch(() => undefined);
  const onMessage = (m: { ready?: boolean; failed?: string }): void => {
    if (m.ready) resolve();
    if (m.failed !== undefined) {
      reject(new ThreadPoolError(`simdnet: helper thread ${i + 1} could not instantiate the module: ${m.failed}`));
      onFailure(i, `could not instantiate the module: ${m.failed}`);
    }
  };
  if (isNode()) {
    type NodeWorker = HelperWorker & { on(e: string, f: (x: never) => void): void; unref(): void };
    const { Worker } = await importNodeBuiltin<{ Worker: new (src: string, o: { eval: true }) => NodeWorker }>('node:worker_threads');
    const worker = new Worker(HELPER_SOURCE, { eval: true });
    worker.on('message', onMessage);
    const died = (why: string): void => {
      reject(new ThreadPoolError(`simdnet: helper thread ${i + 1} ${why}`));
      onFailure(i, why);
    };
    worker.on('error', (e: Error) => died(`failed: ${e.message}`));
    worker.on('exit', (code: number) => died(`exited (code ${code})`));
    // After the listeners: adding a 'message' listener refs the worker again (measured: a script then
    // never exits). A helper blocked in Atomics.wait does not hold the process once unref'd.
    worker.unref();
    return { worker, started };
  }
  let url: string;
  let worker: Worker;
  try {
    url = URL.createObjectURL(new Blob([HELPER_SOURCE], { type: 'text/javascript' }));
    worker = new Worker(url);
  } catch (e) {
    throw new ThreadPoolError(
      `simdnet: could not start a helper thread from a blob: URL (${String(e)}); a Content-Security-Policy ` +
        "must allow worker-src blob: for threads, or use init({ threads: 1 })",
      { cause: e },
    );
  }
  worker.addEventListener('message', (e) => onMessage(e.data as { ready?: boolean; failed?: string }));
  worker.addEventListener('error', (e) => {
    const why = e.message ? `failed: ${e.message}` : 'did not load (a Content-Security-Policy without worker-src blob:?)';
    reject(new ThreadPoolError(`simdnet: helper thread ${i + 1} ${why}`));
    onFailure(i, why);
  });
  void started.finally(() => URL.revokeObjectURL(url));
  return { worker, started };
}
