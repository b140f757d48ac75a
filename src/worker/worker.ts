/**
 * The training worker: the module a WorkerTrainer starts (a module Worker in browsers, a
 * worker_threads Worker in Node). It loads the model it is sent, trains it with fit(), streams
 * progress, and sends back what changed. Published as `simdnet/worker`, so a bundler that does not
 * follow `new Worker(new URL(...))` can get a worker from a one-line file: `import 'simdnet/worker';`.
 *
 * Importing this module starts serving only inside a worker (a web worker's global scope, or a Node
 * worker thread); in a main thread it does nothing.
 */
import { init, type ReadyBackend } from '../backend/init.js';
import type { Callback } from '../train/callbacks.js';
import { earlyStopping } from '../train/early-stopping.js';
import { plainBatchLogs } from '../train/batch-logs.js';
import { loadModel } from '../model/persist.js';
import type { FitOptions } from '../train/fit.js';
import { importNodeBuiltin, isNode, PROTOCOL, toWireError, type FromWorker, type ToWorker } from './protocol.js';

export type { FromWorker, ToWorker } from './protocol.js';

/** Where the worker reads and writes messages: the web worker scope or Node's parentPort. */
export interface WorkerPort {
  /** Sends a message to the main thread, transferring (not copying) the given buffers. */
  post(message: FromWorker, transfer: ArrayBuffer[]): void;
  /** Calls handler with every message the main thread sends. */
  listen(handler: (message: ToWorker) => void): void;
}

/**
 * One backend per kind and thread count, made on first use and kept: instantiating wasm (and starting
 * helper threads) costs more than a short fit.
 */
const backends = new Map<string, Promise<ReadyBackend>>();

/** Serves train and abort requests on `port` (one training at a time, as a WorkerTrainer sends them). */
export function serveTraining(port: WorkerPort): void {
  const running = new Map<number, AbortController>();
  port.listen((message) => {
    if (message.type === 'abort') {
      running.get(message.id)?.abort();
    } else if (message.type === 'train') {
      const controller = new AbortController();
      running.set(message.id, controller);
      void train(port, message, controller.signal).finally(() => running.delete(message.id));
    }
  });
  port.post({ type: 'ready', protocol: PROTOCOL }, []);
}

async function train(port: WorkerPort, message: Extract<ToWorker, { type: 'train' }>, signal: AbortSignal): Promise<void> {
  const { id } = message;
  let model;
  try {
    const key = `${message.backend}/${message.threads}/${message.simd}`;
    let backend = backends.get(key);
    if (backend === undefined) {
      // The js backend ignores threads; wasm splits its kernels as the main thread's backend does.
      backend = init({ backend: message.backend, threads: message.threads, simd: message.simd });
      backends.set(key, backend);
    }
    model = await loadModel(message.model, { backend: await backend });
    const { earlyStopping: stopping, ...fitOptions } = message.options;
    const progress: Callback = {
      onEpochEnd: (_epoch, logs) => port.post({ type: 'epoch', id, logs }, []),
    };
    // A batch event copies every field of the logs, ‖∇‖² included (a pass over the parameters): only when asked.
    if (message.batchEvents) progress.onBatchEnd = (_batch, logs) => port.post({ type: 'batch', id, logs: plainBatchLogs(logs) }, []);
    const callbacks = stopping === undefined ? [progress] : [earlyStopping(stopping), progress];
    const history = await model.fit(message.x, message.y, { ...(fitOptions as FitOptions), callbacks, signal });
    const weights = model.getFlatWeights();
    const optimizer = model.compiled?.optimizer.getState() ?? null;
    const layerState = model.network.stateValues();
    // getFlatWeights(), getState() and stateValues() return fresh copies: their buffers can move without a second copy.
    const transfer = [weights, layerState, ...Object.values(optimizer?.slots ?? {})].map((a) => a.buffer as ArrayBuffer);
    port.post({
      type: 'done', id, history,
      state: { weights, optimizer, epochs: model.epochsTrained, batches: model.batchesTrained, dropoutStream: model.dropoutStream, layerState },
    }, transfer);
  } catch (e) {
    port.post({ type: 'error', id, error: toWireError(e) }, []);
  } finally {
    model?.dispose();
  }
}

interface WebWorkerScope {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

interface NodeParentPort {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  on(type: 'message', listener: (message: unknown) => void): void;
}

const scope = globalThis as unknown as { WorkerGlobalScope?: abstract new () => unknown };
if (typeof scope.WorkerGlobalScope === 'function' && globalThis instanceof scope.WorkerGlobalScope) {
  const self = globalThis as unknown as WebWorkerScope;
  serveTraining({
    post: (message, transfer) => self.postMessage(message, transfer),
    listen: (handler) => self.addEventListener('message', (event) => handler(event.data as ToWorker)),
  });
} else if (isNode()) {
  // No top-level await: bundlers that emit workers as classic scripts (Vite's default 'iife') refuse it.
  void importNodeBuiltin<{ parentPort: NodeParentPort | null }>('node:worker_threads').then(({ parentPort }) => {
    if (parentPort === null) return; // imported in Node's main thread: nothing to serve
    serveTraining({
      post: (message, transfer) => parentPort.postMessage(message, transfer),
      listen: (handler) => parentPort.on('message', (message) => handler(message as ToWorker)),
    });
  });
}
