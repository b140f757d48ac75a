/**
 * The numeric core of a Sequential model: its layers, the ONE flat parameter buffer (every kernel and
 * bias back to back, Keras order) with its matching flat gradient buffer, the scratch arena, and the
 * forward and backward passes. It knows nothing of losses, optimizers or the training loop: Sequential
 * (the public API) and the training step (src/train/step.ts) drive it.
 *
 *   params: | dense_1/kernel [in,h] | dense_1/bias [h] | dense_2/kernel [h,out] | dense_2/bias [out] |
 *   grads:  | same layout                                                                          |
 *   state:  | batchNormalization_1/movingMean [c] | .../movingVariance [c] | ...  (no gradients)       |
 *
 * Layers hold views of both, so an optimizer step is one kernel pass over `size` floats.
 */
import type { Backend, F32Buffer, I32Buffer } from '../backend/contract.js';
import { uncheckedKernels } from '../backend/checked.js';
import { Rng } from '../math/random.js';
import type { RankOneGradient } from '../train/types.js';
import { Arena } from './arena.js';
import { Dense } from './dense.js';
import { PackedWeights } from './packed-weights.js';
import { shapeSize, type Layer, type RunContext, type Shape } from './layers.js';

/** Where one parameter tensor sits in the flat buffer. */
export interface ParamEntry {
  /** 'dense_1/kernel' */
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

/** Where a stack of layers puts its parameters: what a Network allocates, known before it does. */
export interface Layout {
  readonly outputShape: Shape;
  readonly entries: readonly ParamEntry[];
  /** Floats in the flat parameter buffer. */
  readonly size: number;
  /** The index of the first layer with parameters. */
  readonly firstTrainable: number;
  /** Where the layers' non-trainable state tensors sit in the flat state buffer (Layer.stateSpecs). */
  readonly stateEntries: readonly ParamEntry[];
  /** Floats in the flat state buffer (0 when no layer has state). */
  readonly stateSize: number;
}

/**
 * Builds `layers` for `inputShape` (no allocation) and lays out their parameters in the flat buffer.
 * Every shape is checked before any layer is built, so a refused stack leaves its layers usable.
 * loadModel lays out a copy of a saved topology this way to check its weight count before a model
 * allocates anything.
 */
export function layOut(inputShape: Shape, layers: readonly Layer[]): Layout {
  let shape = inputShape;
  for (const layer of layers) shape = layer.outputShapeFor(shape);
  shape = inputShape;
  for (const layer of layers) shape = layer.build(shape);
  const entries: ParamEntry[] = [];
  let offset = 0;
  for (const layer of layers) {
    for (const p of layer.params()) {
      entries.push({ name: `${layer.name}/${p.name}`, shape: p.shape, offset, length: p.length });
      offset += p.length;
    }
  }
  const firstTrainable = layers.findIndex((l) => l.params().length > 0);
  if (firstTrainable < 0) throw new RangeError('simdnet sequential: the model has no layer with parameters (add a dense layer)');
  const stateEntries: ParamEntry[] = [];
  let stateSize = 0;
  for (const layer of layers) {
    for (const p of layer.stateSpecs()) {
      stateEntries.push({ name: `${layer.name}/${p.name}`, shape: p.shape, offset: stateSize, length: p.length });
      stateSize += p.length;
    }
  }
  return { outputShape: shape, entries, size: offset, firstTrainable, stateEntries, stateSize };
}

/** A stack of built layers over one flat parameter buffer: see the file comment. */
export class Network {
  /** Values per input row (the product of inputShape). */
  readonly inputSize: number;
  /** The shape of one output row (the last layer's). */
  readonly outputShape: Shape;
  /** Values per output row. */
  readonly outputSize: number;
  readonly params: F32Buffer;
  readonly grads: F32Buffer;
  /** Number of parameters (floats in `params`). */
  readonly size: number;
  readonly entries: readonly ParamEntry[];
  /** The layers' non-trainable state (batch normalization's moving statistics), or null when none has any. */
  readonly state: F32Buffer | null;
  /** Where each state tensor sits in `state`. */
  readonly stateEntries: readonly ParamEntry[];
  /** True when some layer has a regularizer (penalties are computed only then). */
  readonly regularized: boolean;
  /** Counter-based dropout: masks are a function of (dropoutSeed, stream). */
  readonly dropoutSeed: number;
  /** The next dropout stream; advanced once per mask, saved with the model. */
  dropoutStream = 0;
  private readonly firstTrainable: number;
  private arena: Arena | null = null;
  /** Each layer's forward input, kept for the backward pass (reused: no per-step allocation). */
  private readonly inputs: F32Buffer[];
  private readonly ctx: RunContext;
  private disposed = false;
  /**
   * The first trainable layer when it is dense and nothing is regularized: its kernel gradient of a
   * one-row batch may then be deferred (backward(..., deferKernel)), null otherwise.
   */
  private readonly rankOneLayer: Dense | null;
  /** The deferred gradient's description, filled by each deferring backward pass (one object, reused). */
  private readonly rankOne: { m: number; n: number; x: F32Buffer; dy: F32Buffer; rest: RankOneGradient['rest']; rows: { flags: I32Buffer | null; known: boolean; notOk: number } };
  /**
   * The rank-one layer's row flags (KernelRows) describe its kernel as it is: set by an update that ran
   * sgdOuterStep, cleared by every other writer (weightsChanged).
   */
  private kernelRowsKnown = false;
  /** True from a deferring backward pass until the gradient is written or dropped. */
  private deferred = false;
  /** The dense kernels packed for inference (wasm only). */
  private readonly packed: PackedWeights | null;

  constructor(
    readonly backend: Backend,
    readonly inputShape: Shape,
    readonly layers: readonly Layer[],
    seed: number,
  ) {
    this.inputSize = shapeSize(inputShape);
    const layout = layOut(inputShape, layers);
    this.outputShape = layout.outputShape;
    this.outputSize = shapeSize(layout.outputShape);
    this.firstTrainable = layout.firstTrainable;
    this.size = layout.size;
    this.entries = layout.entries;
    this.regularized = layers.some((l) => l.regularized);

    // Initialisation draws every tensor from one Rng in Keras order, so the seed fixes all weights.
    const rng = new Rng(seed);
    this.stateEntries = layout.stateEntries;
    this.params = backend.f32(this.size);
    let grads: F32Buffer | null = null;
    let state: F32Buffer | null = null;
    try {
      grads = backend.f32(this.size);
      state = layout.stateSize > 0 ? backend.f32(layout.stateSize) : null;
      this.grads = grads;
      this.state = state;
      this.initialize(rng);
    } catch (e) {
      backend.free(this.params);
      if (grads !== null) backend.free(grads);
      if (state !== null) backend.free(state);
      throw e;
    }
    this.dropoutSeed = rng.fork() & 0x7fffffff;
    this.inputs = new Array<F32Buffer>(layers.length);
    const kernels = uncheckedKernels(backend);
    this.packed = backend.name === 'wasm' ? new PackedWeights(backend, kernels) : null;
    this.ctx = { backend, kernels, packed: this.packed, finiteKernel: null, dropoutSeed: this.dropoutSeed, nextDropoutStream: () => this.dropoutStream++ };
    // The first trainable layer's first parameter is at offset 0 (layOut places them in layer order).
    const first = layers[this.firstTrainable];
    this.rankOneLayer = first instanceof Dense && !this.regularized ? first : null;
    const kernel = first.inputSize * (first instanceof Dense ? first.units : 0);
    const rest = kernel > 0 && kernel < this.size ? { params: this.params.view(kernel, this.size - kernel), grads: this.grads.view(kernel, this.size - kernel), length: this.size - kernel } : null;
    this.rankOne = { m: first.inputSize, n: first instanceof Dense ? first.units : 0, x: this.params, dy: this.params, rest, rows: { flags: null, known: false, notOk: -1 } };
  }

  /**
   * Every writer of `params` calls this after writing (the weights' packed panels for inference are
   * then repacked before their next use; packed-weights.ts).
   */
  weightsChanged(): void {
    this.packed?.invalidate();
    this.kernelRowsKnown = false;
    this.ctx.finiteKernel = null;
  }

  /**
   * An optimizer step is about to write the parameters (applyUpdate): as weightsChanged(), and returns
   * the deferred kernel gradient (or null), its row flags marked as known when they still describe
   * the kernel. Call updated() once the step has run.
   */
  beginUpdate(): RankOneGradient | null {
    const known = this.kernelRowsKnown;
    this.weightsChanged();
    const rows = this.rankOne.rows;
    // Made on the first online-SGD step: a model that never takes one holds no flags.
    if (this.deferred) rows.flags ??= this.backend.i32(this.rankOne.m);
    rows.known = known;
    rows.notOk = -1;
    return this.deferredGradient;
  }

  /**
   * The step begun by beginUpdate() has run: when it was sgdOuterStep, its row flags describe the new
   * kernel, and when it flagged no row the kernel is all finite, which the next forward pass's
   * product may use (RunContext.finiteKernel).
   */
  updated(): void {
    const { notOk } = this.rankOne.rows;
    if (notOk < 0) return;
    this.kernelRowsKnown = true;
    this.ctx.finiteKernel = notOk === 0 ? this.rankOneLayer : null;
  }

  /** True when backward(..., deferKernel) can defer the first kernel's gradient of a one-row batch. */
  get canDeferKernelGradient(): boolean {
    return this.rankOneLayer !== null;
  }

  /**
   * The first kernel's gradient of the last backward pass, deferred as xᵀ·dy (not in `grads`), or
   * null when that pass wrote it (or it was written or dropped since).
   */
  get deferredGradient(): RankOneGradient | null {
    return this.deferred ? this.rankOne : null;
  }

  /** Writes a deferred kernel gradient into `grads`, which is then the whole gradient of that pass. */
  writeDeferredGradient(): void {
    if (!this.deferred || this.rankOneLayer === null) return;
    this.deferred = false;
    this.rankOneLayer.writeKernelGradient(this.ctx, this.rankOne.x, this.rankOne.dy, 1);
  }

  /** Forgets a deferred gradient (its part of `grads` stays stale: the next backward pass rewrites it). */
  dropDeferredGradient(): void {
    this.deferred = false;
  }

  /** Gives each layer views of its parameters and gradients, and fills its parameters from `rng`. */
  private initialize(rng: Rng): void {
    const values = this.params.data;
    let at = 0;
    for (const layer of this.layers) {
      const specs = layer.params();
      if (specs.length === 0) continue;
      const params: F32Buffer[] = [];
      const grads: F32Buffer[] = [];
      let end = at;
      for (const p of specs) {
        params.push(this.params.view(end, p.length));
        grads.push(this.grads.view(end, p.length));
        end += p.length;
      }
      layer.initialize(values.subarray(at, end), rng);
      layer.attach(params, grads);
      at = end;
    }
    let stateAt = 0;
    for (const layer of this.layers) {
      const specs = layer.stateSpecs();
      const state = this.state;
      if (specs.length === 0 || state === null) continue;
      const start = stateAt;
      const views = specs.map((p) => {
        const v = state.view(stateAt, p.length);
        stateAt += p.length;
        return v;
      });
      layer.initializeState(state.data.subarray(start, stateAt));
      layer.attachState(views);
    }
  }

  /** A copy of the flat state buffer (the layers' non-trainable state, stateEntries' layout); empty when none. */
  stateValues(): Float32Array {
    return this.state === null ? new Float32Array(0) : this.state.data.slice(0, this.state.length);
  }

  /** Sets the flat state buffer from `values` (stateValues()' layout and length, finite values). */
  setStateValues(values: ArrayLike<number>): void {
    const size = this.state?.length ?? 0;
    if (values.length !== size) throw new RangeError(`simdnet: the layers' state holds ${size} values, got ${values.length}`);
    for (let i = 0; i < size; i++) {
      if (!Number.isFinite(values[i])) throw new RangeError(`simdnet: the layers' state must be finite, got ${values[i]} at index ${i}`);
    }
    this.state?.data.set(values);
  }

  /** The arena for a batch of m rows: the current one when it is large enough, else a larger one. */
  arenaFor(m: number, inputGradient = false): Arena {
    this.checkAlive();
    const a = this.arena;
    if (a !== null && a.capacity >= m && (a.inputGradient || !inputGradient)) return a;
    const capacity = Math.max(m, a?.capacity ?? 0);
    const withInput = inputGradient || (a?.inputGradient ?? false);
    const needs = this.layers.map((_, i) => withInput || i > this.firstTrainable);
    // Free the old arena first so the new one can reuse its memory.
    a?.dispose();
    this.arena = null;
    this.arena = new Arena(this.backend, capacity, this.layers, needs, withInput, this.outputSize);
    return this.arena;
  }

  /** Rows the current arena holds (0 before the first pass). */
  get arenaCapacity(): number {
    return this.arena?.capacity ?? 0;
  }

  /** Runs x [m, inputSize] through every layer; returns the outputs [m, outputSize] (an arena view). */
  forward(arena: Arena, x: F32Buffer, m: number, training: boolean): F32Buffer {
    // A pass overwrites the arena that holds a deferred gradient's dy: write the gradient out first
    // (a callback's predict() between a training step and its ‖∇‖²).
    if (this.deferred) this.writeDeferredGradient();
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      this.inputs[i] = h;
      h = this.layers[i].forward(this.ctx, h, m, training, arena.scratch[i], arena.indices[i]);
    }
    return h;
  }

  /**
   * Backpropagates dOut = ∂L/∂outputs (overwritten) through the layers of the forward pass just run,
   * writing every parameter gradient. Layers before the first trainable one are skipped, and so is the
   * first trainable layer's ∂x, unless `inputGradient` (then ∂L/∂x [m, inputSize] is returned).
   * `deferKernel` (a one-row batch, canDeferKernelGradient, no inputGradient): the first kernel's
   * gradient is not written but left as deferredGradient, for the optimizer to fuse into its update.
   */
  backward(arena: Arena, dOut: F32Buffer, m: number, training: boolean, inputGradient: boolean, deferKernel = false): F32Buffer | null {
    let dy: F32Buffer | null = dOut;
    const stop = inputGradient ? 0 : this.firstTrainable;
    const defer = deferKernel && m === 1 && !inputGradient && this.rankOneLayer !== null;
    for (let i = this.layers.length - 1; i >= stop && dy !== null; i--) {
      if (defer && i === stop) {
        this.rankOneLayer!.backwardWithoutKernel(this.ctx, dy, m, arena.scratch[i]);
        this.rankOne.x = this.inputs[i];
        this.rankOne.dy = dy;
        this.deferred = true;
        return null;
      }
      dy = this.layers[i].backward(this.ctx, this.inputs[i], dy, m, training, inputGradient || i > stop, arena.scratch[i], arena.indices[i]);
    }
    return inputGradient ? dy : null;
  }

  /** Σ of every layer's regularizer penalties (0 without regularizers). */
  penalty(): number {
    if (!this.regularized) return 0;
    let p = 0;
    for (const layer of this.layers) p += layer.penalty(this.backend);
    return p;
  }

  /** grads += ∂penalty/∂params. */
  addPenaltyGradient(): void {
    if (!this.regularized) return;
    for (const layer of this.layers) layer.addPenaltyGradient(this.backend);
  }

  /** Throws when the model was disposed (every public entry point calls this first). */
  checkAlive(): void {
    if (this.disposed) throw new Error('simdnet: this model was disposed');
  }

  /** True once dispose() has run. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees the parameters, gradients and arena (the optimizer's state is its own). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.arena?.dispose();
    this.arena = null;
    this.packed?.dispose();
    if (this.rankOne.rows.flags !== null) this.backend.free(this.rankOne.rows.flags);
    this.backend.free(this.params);
    this.backend.free(this.grads);
    if (this.state !== null) this.backend.free(this.state);
  }
}
