/**
 * What the main thread's side of worker training (host.ts) takes: the workers it can drive and the
 * options of a run.
 */
import type { BatchLogs, EpochLogs } from '../train/callbacks.js';
import type { WireFitOptions } from './protocol.js';

/** A browser (module) Worker, or anything with its shape. */
export interface WebWorkerLike {
  /** Sends a message, transferring the buffers listed. */
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  /** Listens for 'message', 'error' and 'messageerror'. */
  addEventListener(type: string, listener: (event: { data?: unknown; message?: string }) => void): void;
  /** Stops the worker at once. */
  terminate(): void;
}

/** A Node worker_threads Worker, or anything with its shape. */
export interface NodeWorkerLike {
  /** Sends a message, transferring the buffers listed. */
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  /** Listens for 'message', 'error' and 'exit'. */
  on(type: string, listener: (value: unknown) => void): unknown;
  /** Stops the thread; resolves to its exit code. */
  terminate(): Promise<number>;
  /** Keeps the process alive while the worker runs (used only while a training is in flight). */
  ref?(): void;
  /** Lets the process exit although the worker is idle. */
  unref?(): void;
}

/** A worker whose script imports 'simdnet/worker' (the default one does). */
export type TrainingWorker = WebWorkerLike | NodeWorkerLike;

/** Options of a WorkerTrainer: which worker it trains in. */
export interface WorkerTrainerOptions {
  /**
   * The worker to train in; the trainer owns it from then on (terminate() ends it). Give one when your
   * bundler does not bundle `new Worker(new URL(...))` (esbuild, rollup without a worker plugin):
   * a file containing `import 'simdnet/worker';` started as a module Worker.
   * @default a module Worker on simdnet's worker.js (browsers), a worker_threads Worker on it (Node)
   */
  worker?: TrainingWorker;
  /**
   * How long to wait, in milliseconds, for the worker to load and report ready before train() fails
   * (a worker script that never loads would otherwise hang it forever). Infinity waits forever.
   * @default 60000 (room for a slow device compiling the wasm module)
   */
  startTimeout?: number;
}

/** WorkerTrainerOptions.startTimeout's default. */
export const DEFAULT_START_TIMEOUT_MS = 60_000;

export interface WorkerTrainOptions extends WireFitOptions {
  /**
   * Cancels training: the worker stops between two batches, train() resolves with stopReason
   * 'aborted', and the model keeps the weights trained until then (as with fit()).
   * @default undefined (no signal)
   */
  signal?: AbortSignal;
  /**
   * Called after each batch with that batch's logs. Costs one message (and one ‖∇‖²) per batch, so
   * the worker sends batch messages only when this is given.
   * @default undefined
   */
  onBatchEnd?: (logs: BatchLogs) => void;
  /**
   * Called after each epoch with that epoch's logs.
   * @default undefined
   */
  onEpochEnd?: (logs: EpochLogs) => void;
  /**
   * Move x and y (and validationData) to the worker instead of copying them: their buffers are
   * transferred, so they are detached (length 0) here afterwards. Arrays that view part of a larger
   * buffer are copied and that copy moved, so the rest of the buffer stays usable. false copies.
   * @default true
   */
  transfer?: boolean;
}
