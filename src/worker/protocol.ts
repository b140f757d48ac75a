/**
 * The messages between a WorkerTrainer (main thread) and the training worker (worker.ts), and the
 * runtime checks both sides share.
 *
 * Everything that crosses is structured-cloneable plain data: the model travels as model.toBytes()
 * (architecture, weights, compile options, optimizer state, training counters), the data as typed
 * arrays whose buffers are transferred, and the result as the flat weights, the optimizer state (with
 * a stateful schedule's state, e.g. reduceOnPlateau's reduced rate) and the counters, again in
 * transferred buffers. Functions (callbacks, custom schedules) cannot cross, so progress comes back
 * as messages and cancelling is a message.
 *
 *   main                                   worker
 *                      ◀── ready {protocol}       (once, when the worker has loaded)
 *   train {id, model, x, y, options} ──▶
 *                      ◀── batch {id, logs}       (per batch, only when the caller listens)
 *                      ◀── epoch {id, logs}       (per epoch)
 *   abort {id} ──▶                                (fit stops between two batches)
 *                      ◀── done {id, history, state} | error {id, error}
 */
import type { BackendName } from '../backend/contract.js';
import type { BatchLogs, EpochLogs } from '../train/callbacks.js';
import type { Features, Targets } from '../model/data.js';
import type { EarlyStoppingOptions } from '../train/early-stopping.js';
import type { FitOptions, History } from '../train/fit.js';
import type { OptimizerState } from '../train/types.js';

/** Bumped when a message changes shape, so a worker from another simdnet version is refused clearly. */
export const PROTOCOL = 'simdnet-train/1';

/** The fit options that can cross into a worker (callbacks and the signal cannot; see WorkerTrainOptions). */
export type WireFitOptions = Omit<FitOptions, 'callbacks' | 'signal'> & {
  /** Early stopping as options (a callback cannot cross): the worker makes the earlyStopping() callback. */
  earlyStopping?: EarlyStoppingOptions;
};

/** What training changed in the model: applied to the main thread's model when the worker is done. */
export interface TrainedState {
  /** The flat parameter buffer (model.getFlatWeights() layout). */
  readonly weights: Float32Array;
  /** optimizer.getState(): slots, step and (OptimizerState.schedule) a stateful schedule's state. */
  readonly optimizer: OptimizerState | null;
  /** Epochs trained since the model was made (the model's counter after this run). */
  readonly epochs: number;
  /** Batches trained since the model was made. */
  readonly batches: number;
  /** Where the dropout masks' random stream stands, so a later fit() continues it. */
  readonly dropoutStream: number;
  /** The layers' non-trainable state (batch normalization's moving statistics; empty when none). */
  readonly layerState: Float32Array;
}

/** Messages from the main thread to the worker: start a training run, or abort one. */
export type ToWorker =
  | {
    /** Start a run. */
    readonly type: 'train';
    /** Names the run in every message about it (several may be in flight). */
    readonly id: number;
    /** The backend the worker trains on. */
    readonly backend: BackendName;
    /** Its thread count (the model's backend's): the worker's init() takes it, so the bits stay the same. */
    readonly threads: number;
    /** Its wasm build ('plain' or 'relaxed'), so the worker's arithmetic is the main thread's. */
    readonly simd: 'plain' | 'relaxed';
    /** model.toBytes() */
    readonly model: Uint8Array;
    /** The training inputs, as fit() takes them. */
    readonly x: Features;
    /** The training targets, as fit() takes them. */
    readonly y: Targets;
    /** fit()'s options, without what cannot cross (callbacks, signal). */
    readonly options: WireFitOptions;
    /** Post a message per batch (only when the caller listens: it costs one message and one ‖∇‖² per batch). */
    readonly batchEvents: boolean;
  }
  | {
    /** Stop run `id` (its fit() sees an aborted signal). */
    readonly type: 'abort';
    /** The run to stop. */
    readonly id: number;
  };

/** An error as plain data (Error objects do not survive every structured clone with their class). */
export interface WireError {
  /** The error's class name (TypeError, RangeError, ...), to rebuild it as that class. */
  readonly name: string;
  /** The error's message. */
  readonly message: string;
}

/**
 * Messages from the worker to the main thread: 'ready' once (with the protocol it speaks), then per
 * run its 'batch' and 'epoch' progress and one 'done' or 'error'. `id` names the run.
 */
export type FromWorker =
  | {
    /** The worker has started. */
    readonly type: 'ready';
    /** The protocol version it speaks (PROTOCOL): the host refuses a worker of another version. */
    readonly protocol: string;
  }
  | {
    /** A batch finished (sent only when the caller listens for batches). */
    readonly type: 'batch';
    /** The run. */
    readonly id: number;
    /** The batch's logs, as onBatchEnd gets them. */
    readonly logs: BatchLogs;
  }
  | {
    /** An epoch finished. */
    readonly type: 'epoch';
    /** The run. */
    readonly id: number;
    /** The epoch's logs, as onEpochEnd gets them. */
    readonly logs: EpochLogs;
  }
  | {
    /** The run finished (completed, stopped early or aborted). */
    readonly type: 'done';
    /** The run. */
    readonly id: number;
    /** fit()'s history. */
    readonly history: History;
    /** What training changed, for the main thread's model. */
    readonly state: TrainedState;
  }
  | {
    /** The run failed. */
    readonly type: 'error';
    /** The run. */
    readonly id: number;
    /** Why, as plain data. */
    readonly error: WireError;
  };

export function toWireError(e: unknown): WireError {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
}

/** Rebuilds an error with its original class where it is a standard one (RangeError, TypeError, ...). */
export function fromWireError(e: WireError): Error {
  const classes: Record<string, ErrorConstructor> = { RangeError, TypeError, SyntaxError, ReferenceError };
  const error = new (classes[e.name] ?? Error)(e.message);
  if (!(e.name in classes) && e.name !== 'Error') error.name = e.name;
  return error;
}

/** True in Node (the main thread or a worker_threads worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * Imports a Node built-in at run time. The specifier is a parameter rather than a literal and the
 * comments tell webpack and Vite to leave the call alone, so that no bundler building for browsers
 * tries to resolve (and fails on) or stub a Node module: this code only runs in Node.
 */
export function importNodeBuiltin<T>(name: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name) as Promise<T>;
}

/**
 * The buffers of a train message's typed arrays, for the postMessage transfer list. An array that is
 * a view of part of a larger buffer is copied first (transferring would detach the rest of that
 * buffer, and a structured clone would copy all of it); shared memory is shared as it is.
 */
export function transferable<T>(value: T, transfer: Set<ArrayBuffer>): T {
  if (!ArrayBuffer.isView(value)) return value;
  const view = value as unknown as Float32Array | Int32Array;
  if (!(view.buffer instanceof ArrayBuffer)) return value;
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
  const moved = whole ? view : view.slice();
  transfer.add(moved.buffer as ArrayBuffer);
  return moved as unknown as T;
}
