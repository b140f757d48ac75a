/**
 * Training in a worker: `trainInWorker(model, x, y, options)` for one run, or a `WorkerTrainer` that
 * keeps its worker (and the worker's compiled wasm) for several runs.
 *
 * The main thread's model stays where it is: the worker gets a copy (model.toBytes()), trains it with
 * the same fit(), and sends back the weights, the optimizer state (a reduceOnPlateau schedule's
 * running state included) and the counters, which are then written into the main thread's model.
 * Same model, data, options and backend, so the weights are the same bits as model.fit() in the main
 * thread would give (tests/worker/worker.test.ts and tests/browser/identical.test.ts check it in Node and
 * Chromium).
 *
 * Worker choice, no configuration needed:
 * - browsers (and any runtime with a global Worker): a module Worker made with
 *   `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`, the form Vite, webpack 5
 *   and Parcel recognise and bundle as a worker entry;
 * - Node: a worker_threads Worker on the same file.
 * For other bundlers (esbuild, rollup without a worker plugin), pass `worker`: any Worker whose script
 * imports 'simdnet/worker'.
 */
import type { Features, Targets } from '../model/data.js';
import type { History } from '../train/fit.js';
import { validationObject } from '../train/fit-options.js';
import type { Sequential } from '../model/sequential.js';
import {
  DEFAULT_START_TIMEOUT_MS, type NodeWorkerLike, type TrainingWorker, type WebWorkerLike, type WorkerTrainerOptions, type WorkerTrainOptions,
} from './host-options.js';
import {
  fromWireError, importNodeBuiltin, isNode, PROTOCOL, transferable,
  type FromWorker, type ToWorker, type TrainedState,
} from './protocol.js';

export { DEFAULT_START_TIMEOUT_MS, type NodeWorkerLike, type TrainingWorker, type WebWorkerLike, type WorkerTrainerOptions, type WorkerTrainOptions };

/**
 * What fixes the usual cause of a worker script that did not load: a bundler (esbuild, rollup) that
 * leaves `new URL('./worker.js', import.meta.url)` alone, so the page asks for a file that is not there.
 */
const BUNDLER_HINT = "Bundled with esbuild or rollup? They do not bundle simdnet's worker: build a one-line file " +
  "(import 'simdnet/worker') as a second entry and pass { worker: new Worker(url, { type: 'module' }) } " +
  "(README, 'Bundlers and workers').";

/** One connection to a worker: failures are remembered, so a train() started after a crash fails at once. */
class Endpoint {
  private readonly listeners = new Set<{ message(m: FromWorker): void; failure(e: Error): void }>();
  private failure: Error | null = null;

  constructor(private readonly worker: TrainingWorker) {
    if (isNodeWorker(worker)) {
      worker.on('message', (m) => this.emit(m as FromWorker));
      worker.on('error', (e) => this.fail(new Error(`the training worker failed: ${(e as Error).message}`)));
      worker.on('messageerror', () => this.fail(new Error('the training worker sent a message that could not be read')));
      worker.on('exit', (code) => this.fail(new Error(`the training worker exited (code ${String(code)})`)));
    } else {
      worker.addEventListener('message', (e) => this.emit(e.data as FromWorker));
      // A module Worker whose script fails to load or throws reports only an 'error' event.
      worker.addEventListener('error', (e) => this.fail(new Error(`the training worker failed: ${e.message || `its script did not load. ${BUNDLER_HINT}`}`)));
      worker.addEventListener('messageerror', () => this.fail(new Error('the training worker sent a message that could not be read')));
    }
  }

  subscribe(listener: { message(m: FromWorker): void; failure(e: Error): void }): () => void {
    if (this.failure !== null) listener.failure(this.failure);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  post(message: ToWorker, transfer: ArrayBuffer[]): void {
    try {
      this.worker.postMessage(message, transfer);
    } catch (e) {
      // A buffer that cannot be detached (e.g. a view of wasm memory that spans all of it): copy instead.
      if (transfer.length === 0 || (e as Error).name !== 'DataCloneError') throw e;
      this.worker.postMessage(message, []);
    }
  }

  /** Node: an idle worker must not keep the process alive; a training one must. */
  keepAlive(active: boolean): void {
    if (isNodeWorker(this.worker)) (active ? this.worker.ref : this.worker.unref)?.call(this.worker);
  }

  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const l of [...this.listeners]) l.failure(error);
  }

  async terminate(): Promise<void> {
    this.fail(new Error('the WorkerTrainer was terminated'));
    await this.worker.terminate();
  }

  private emit(message: FromWorker): void {
    for (const l of [...this.listeners]) l.message(message);
  }
}

function isNodeWorker(worker: TrainingWorker): worker is NodeWorkerLike {
  return typeof (worker as NodeWorkerLike).on === 'function';
}

/** The worker script's path relative to this module: the same in build/ (tsc) and dist/ (rollup). */
const WORKER_FILE = './worker.js';

async function defaultWorker(): Promise<TrainingWorker> {
  if (typeof globalThis.Worker === 'function') {
    // Keep this expression exactly in this form: bundlers recognise it syntactically and emit worker.js
    // (with its imports) as a separate worker bundle, rewriting the URL.
    return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) as unknown as TrainingWorker;
  }
  if (isNode()) {
    // Not the `new URL('literal', import.meta.url)` form: browser bundlers would emit worker.js a second
    // time as a plain asset (Vite) or bundle all of dist/ as a context module (webpack) for this branch.
    const threads = await importNodeBuiltin<{ Worker: new (url: URL) => NodeWorkerLike }>('node:worker_threads');
    const here = import.meta.url;
    return new threads.Worker(new URL(WORKER_FILE, here));
  }
  throw new Error('simdnet WorkerTrainer: this JavaScript environment has no Worker; pass options.worker');
}

/** Waits (at most `timeout` ms) for the worker's 'ready' and checks it speaks this version's protocol. */
function connect(worker: TrainingWorker, timeout: number): Promise<Endpoint> {
  const endpoint = new Endpoint(worker);
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = endpoint.subscribe({
      message(m) {
        if (m.type !== 'ready') return;
        unsubscribe();
        clearTimeout(timer);
        if (m.protocol === PROTOCOL) resolve(endpoint);
        else reject(new Error(`the worker speaks '${m.protocol}', this simdnet '${PROTOCOL}' (its script imports another version of simdnet/worker)`));
      },
      failure(e) {
        unsubscribe();
        clearTimeout(timer);
        reject(e);
      },
    });
    if (Number.isFinite(timeout)) {
      // Failing the endpoint also fails any later train() on this trainer at once.
      timer = setTimeout(() => endpoint.fail(new Error(`the worker did not report ready within ${timeout} ms (its script did not load or does not import simdnet/worker; see startTimeout). ${BUNDLER_HINT}`)), timeout);
    }
  });
}

/**
 * A TypeError when a typed array's buffer was detached, e.g. moved to a worker by an earlier
 * trainInWorker: posting it would fail (or train on nothing).
 */
function checkNotDetached(name: string, value: unknown): void {
  if (!ArrayBuffer.isView(value) || !(value.buffer instanceof ArrayBuffer)) return;
  const buffer = value.buffer as ArrayBuffer & { detached?: boolean };
  // `detached` is recent (Node 22, 2024 browsers); before it, a detached buffer is one of 0 bytes.
  if (buffer.detached ?? (buffer.byteLength === 0 && value.byteLength === 0)) {
    throw new TypeError(
      `simdnet trainInWorker: ${name}'s buffer is detached: an earlier trainInWorker moved it to its worker. ` +
        `Pass a copy (${name}.slice()) to each call, or transfer: false to copy instead of moving`,
    );
  }
}

/**
 * Writes what the worker's training changed into the main thread's model. The optimizer's setState()
 * also restores a stateful schedule (the main thread's own schedule object, as fit() would leave it).
 */
function applyTrainedState(model: Sequential, state: TrainedState): void {
  model.setFlatWeights(state.weights);
  model.network.setStateValues(state.layerState);
  if (state.optimizer !== null) model.requireCompiled('trainInWorker').optimizer.setState(model.backend, state.optimizer, model.parameterCount);
  model.restoreProgress(state.epochs, state.batches, state.dropoutStream);
}

function isFunctionOrUndefined(value: unknown): boolean {
  return value === undefined || typeof value === 'function';
}

/** A worker that trains models; several train() calls reuse it (one at a time). */
export class WorkerTrainer {
  private readonly given: TrainingWorker | undefined;
  private readonly startTimeout: number;
  /** Started by the first train(), after its arguments are checked: a refused call costs no worker. */
  private endpoint: Promise<Endpoint> | null = null;
  private busy = false;
  private terminated = false;
  private nextId = 1;

  constructor(options: WorkerTrainerOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`simdnet WorkerTrainer: options must be an object, got ${String(options)}`);
    const given = options.worker;
    if (given !== undefined && (given === null || typeof given.postMessage !== 'function' || typeof given.terminate !== 'function')) {
      throw new TypeError(`simdnet WorkerTrainer: options.worker must be a Worker (web or worker_threads), got ${String(given)}`);
    }
    this.given = given;
    const { startTimeout = DEFAULT_START_TIMEOUT_MS } = options;
    if (typeof startTimeout !== 'number' || !(startTimeout > 0)) {
      throw new RangeError(`simdnet WorkerTrainer: options.startTimeout must be a number of milliseconds > 0 (or Infinity), got ${String(startTimeout)}`);
    }
    this.startTimeout = startTimeout;
  }

  private connection(): Promise<Endpoint> {
    this.endpoint ??= (this.given !== undefined ? Promise.resolve(this.given) : defaultWorker()).then((w) => connect(w, this.startTimeout));
    return this.endpoint;
  }

  /**
   * Trains `model` in the worker on x, y with fit()'s options (minus callbacks: see
   * WorkerTrainOptions), then writes the trained weights, optimizer state and counters into `model`.
   * The model is marked as training meanwhile (fit() and compile() on it are refused).
   */
  async train(model: Sequential, x: Features, y: Targets, options: WorkerTrainOptions = {}): Promise<History> {
    if (this.terminated) throw new Error('simdnet WorkerTrainer: this trainer was terminated; make a new one');
    if (model === null || typeof model !== 'object' || typeof (model as Partial<Sequential>).toBytes !== 'function') {
      throw new TypeError(`simdnet trainInWorker: model must be a model made by sequential() or mlp(), got ${String(model)}`);
    }
    model.requireCompiled('trainInWorker');
    if (model.training) throw new Error('simdnet trainInWorker: this model is already training (await the running fit() or train() first)');
    if (this.busy) throw new Error('simdnet WorkerTrainer: this trainer is already training a model; await it, or use another WorkerTrainer');
    if (options === null || typeof options !== 'object') throw new TypeError(`simdnet trainInWorker: options must be an object, got ${String(options)}`);
    const { signal, onBatchEnd, onEpochEnd, transfer = true, ...fitOptions } = options;
    if ('callbacks' in fitOptions) {
      throw new TypeError('simdnet trainInWorker: callbacks cannot run in a worker (functions do not cross to it); use onBatchEnd, onEpochEnd, earlyStopping and signal');
    }
    if (!isFunctionOrUndefined(onBatchEnd)) throw new TypeError(`simdnet trainInWorker: onBatchEnd must be a function, got ${typeof onBatchEnd}`);
    if (!isFunctionOrUndefined(onEpochEnd)) throw new TypeError(`simdnet trainInWorker: onEpochEnd must be a function, got ${typeof onEpochEnd}`);
    if (typeof transfer !== 'boolean') throw new TypeError(`simdnet trainInWorker: transfer must be true or false, got ${String(transfer)}`);
    if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
      throw new TypeError(`simdnet trainInWorker: signal must be an AbortSignal, got ${String(signal)}`);
    }

    checkNotDetached('x', x);
    checkNotDetached('y', y);
    const validation = validationObject(fitOptions.validationData);
    if (validation !== null && typeof validation === 'object') {
      checkNotDetached('validationData.x', validation.x);
      checkNotDetached('validationData.y', validation.y);
    }

    const id = this.nextId++;
    const bytes = model.toBytes();
    const buffers = new Set<ArrayBuffer>([bytes.buffer as ArrayBuffer]);
    const move = <T>(value: T): T => (transfer ? transferable(value, buffers) : value);
    const message: ToWorker = {
      type: 'train', id, backend: model.backend.name, threads: threadsOf(model.backend), simd: simdOf(model.backend), model: bytes, x: move(x), y: move(y),
      options: validation ? { ...fitOptions, validationData: { x: move(validation.x), y: move(validation.y) } } : fitOptions,
      batchEvents: onBatchEnd !== undefined,
    };

    this.busy = true;
    model.training = true;
    let endpoint: Endpoint | undefined;
    let unsubscribe = (): void => undefined;
    let onAbort = (): void => undefined;
    try {
      endpoint = await this.connection().catch((e: Error) => {
        throw new Error(`simdnet trainInWorker: could not start the worker: ${e.message}`);
      });
      const ep = endpoint;
      ep.keepAlive(true);
      return await new Promise<History>((resolve, reject) => {
        // An exception thrown by a listener stops the worker's training and is what train() rejects with.
        let listenerError: unknown = null;
        const notify = <L>(listener: ((logs: L) => void) | undefined, logs: L): void => {
          if (listener === undefined || listenerError !== null) return;
          try {
            listener(logs);
          } catch (e) {
            listenerError = e;
            ep.post({ type: 'abort', id }, []);
          }
        };
        unsubscribe = ep.subscribe({
          message(m) {
            if (m.type === 'ready' || m.id !== id) return;
            if (m.type === 'batch') notify(onBatchEnd, m.logs);
            else if (m.type === 'epoch') notify(onEpochEnd, m.logs);
            else if (listenerError !== null) reject(listenerError);
            else if (m.type === 'error') reject(fromWireError(m.error));
            else if (model.disposed) reject(new Error('simdnet trainInWorker: the model was disposed while it trained in the worker'));
            else {
              try {
                applyTrainedState(model, m.state);
                resolve(m.history);
              } catch (e) {
                reject(e);
              }
            }
          },
          failure(e) {
            reject(new Error(`simdnet trainInWorker: ${e.message}`));
          },
        });
        onAbort = () => ep.post({ type: 'abort', id }, []);
        signal?.addEventListener('abort', onAbort);
        try {
          ep.post(message, [...buffers]);
        } catch (e) {
          // A value that cannot be cloned (a structured-clone DataCloneError): say what, not the engine's words alone.
          reject(new TypeError(`simdnet trainInWorker: x, y or the options could not be sent to the worker: ${(e as Error).message}`));
          return;
        }
        // After the train message, so the worker knows the id it aborts (fit() then stops before its first batch).
        if (signal?.aborted) onAbort();
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      endpoint?.keepAlive(false);
      model.training = false;
      this.busy = false;
    }
  }

  /** Ends the worker. A train() in progress rejects; the model keeps the weights it had before it. */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    if (this.endpoint === null) {
      // Never started: end only a worker the caller handed over (it belongs to the trainer).
      await this.given?.terminate();
      return;
    }
    const endpoint = await this.endpoint.catch(() => null);
    if (endpoint !== null) await endpoint.terminate();
    else await this.given?.terminate();
  }
}

/**
 * Trains `model` in a new worker (see WorkerTrainer.train), then ends the worker. To train several
 * times, a WorkerTrainer saves starting a worker and instantiating the wasm module each time.
 */
export async function trainInWorker(
  model: Sequential, x: Features, y: Targets, options: WorkerTrainOptions & WorkerTrainerOptions = {},
): Promise<History> {
  const { worker, startTimeout, ...trainOptions } = options ?? {};
  const trainer = new WorkerTrainer({ worker, startTimeout });
  try {
    return await trainer.train(model, x, y, trainOptions);
  } finally {
    await trainer.terminate();
  }
}

/** The wasm build of a model's backend ('plain' for one that does not say, e.g. a hand-made Backend). */
function simdOf(backend: object): 'plain' | 'relaxed' {
  return (backend as { simd?: unknown }).simd === 'relaxed' ? 'relaxed' : 'plain';
}

/** The thread count of a model's backend (1 for one without threads, e.g. a hand-made Backend). */
function threadsOf(backend: object): number {
  const threads = (backend as { threads?: unknown }).threads;
  return typeof threads === 'number' && Number.isInteger(threads) && threads >= 1 ? threads : 1;
}
