/**
 * The BatchLogs object fit() hands each onBatchEnd hook. A class, not an object literal with a
 * getter: V8 builds a literal with an accessor on a slow path, which measured 3% of an online-SGD
 * step (issue 12, 784-128-10 at batch 1); a class instance with its getter on the prototype is as
 * cheap as a plain object. Each batch still gets its own object, as Keras's logs dict is per batch.
 */
import type { BatchLogs } from './callbacks.js';

export class StepLogs implements BatchLogs {
  #norm: number | null;
  #open = true;
  readonly #measure: () => number;

  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly size: number,
    readonly loss: number,
    readonly dataLoss: number,
    readonly penalty: number,
    readonly accuracy: number,
    readonly lr: number,
    norm: number | null,
    measure: () => number,
  ) {
    this.#norm = norm;
    this.#measure = measure;
  }

  /** Computed on the first read while the hooks run (the next batch overwrites the gradient); NaN after. */
  get gradNormSquared(): number {
    if (this.#norm === null && this.#open) this.#norm = this.#measure();
    return this.#norm ?? NaN;
  }

  /** The hooks have returned: a first read from now on gives NaN. */
  close(): void {
    this.#open = false;
  }
}

/** A BatchLogs' values as a plain object, for postMessage (a getter on a prototype is neither spread nor cloned). */
export function plainBatchLogs(logs: BatchLogs): BatchLogs {
  const { epoch, batch, size, loss, dataLoss, penalty, accuracy, lr, gradNormSquared } = logs;
  return { epoch, batch, size, loss, dataLoss, penalty, accuracy, lr, gradNormSquared };
}
