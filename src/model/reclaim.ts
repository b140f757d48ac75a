/**
 * The safety net for models that are dropped without dispose(): a FinalizationRegistry frees a
 * model's memory once the model itself has been garbage-collected. Without it, wasm memory held by
 * undisposed models is lost for good (100 of them took the memory from 16.5 to 528 MiB, and wasm
 * memory never shrinks). dispose() stays the way to free memory: collection happens when the engine
 * decides, maybe never before the memory runs out, and an explicit dispose() unregisters the model.
 *
 * The registry holds only what must be freed (the network's buffers, the optimizer's slots, predict()'s
 * staging buffer),
 * never the model: holding it would keep it reachable, and it would never be collected.
 */
import type { Optimizer } from '../train/types.js';
import type { Network } from './network.js';
import type { PredictStage } from './predict-into.js';

/** What a model owns on its backend; `optimizer` follows compile(). Refers to nothing that refers to the model. */
export interface Owned {
  readonly network: Network;
  optimizer: Optimizer | null;
  /** predict()'s staging buffer, made on the first predict(). */
  stage: PredictStage | null;
}

function release(owned: Owned): void {
  // Both are idempotent, so a model disposed while its finalization was pending is not freed twice.
  owned.optimizer?.dispose();
  owned.stage?.free();
  owned.network.dispose();
}

// Every engine simdnet supports has FinalizationRegistry (ES2021); without one, dispose() is all there is.
const registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Owned>(release) : null;

/** Frees `owned` once `model` has been collected (unless unwatch() comes first). */
export function watch(model: object, owned: Owned): void {
  registry?.register(model, owned, owned);
}

/** The model is being disposed explicitly: its collection must not free anything. */
export function unwatch(owned: Owned): void {
  registry?.unregister(owned);
}
