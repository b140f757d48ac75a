/**
 * The contracts between the model (src/model/) and the training pieces it composes: learning-rate
 * schedules, optimizers, regularizers and initializers (src/train/). Each piece has a serialisable
 * `config` so a saved model can rebuild it, and a registry (`fromConfig`) that throws a clear error on
 * an unknown name.
 */
import type { Backend, F32Buffer, I32Buffer, Kernels } from '../backend/contract.js';
import type { Rng } from '../math/random.js';

/** A plain-data description of a piece: its registry name plus its options. */
export interface PieceConfig {
  /** The registered name ('adam', 'exponentialDecay', 'l2', 'heNormal', ...). */
  readonly name: string;
  readonly [option: string]: unknown;
}

/**
 * A learning-rate schedule: a plain function of the step t (0-based count of `unit`s since training
 * began), so users can plot it. `unit` says whether t counts batches or epochs.
 */
export interface LearningRateSchedule {
  (t: number): number;
  /** What t counts: optimizer steps ('batch') or completed epochs ('epoch'). */
  readonly unit: 'batch' | 'epoch';
  /** The schedule as plain data (saved with a model; scheduleFromConfig makes it again). */
  readonly config: PieceConfig;
  /**
   * For schedules driven by a validation metric (reduceOnPlateau): called by fit() after each epoch
   * with the monitored value. Others do not define it.
   */
  report?(value: number, epoch: number): void;
  /**
   * For stateful schedules (reduceOnPlateau, whose rate depends on the values reported so far, not
   * on t): a copy of the running state as named numbers, so that a saved model (and a model trained
   * in a worker) resumes with it rather than from its config's start. Any number may occur, ±Infinity
   * included. Schedules that are pure functions of t do not define it (their config is their state).
   */
  getState?(): ScheduleState;
  /** Restores a state from getState() of a schedule with the same config; checks every field first. */
  setState?(state: ScheduleState): void;
}

/** A stateful schedule's running state (see LearningRateSchedule.getState). */
export type ScheduleState = Readonly<Record<string, number>>;

/** Where training is, as an optimizer sees it. */
export interface StepInfo {
  /** Batches completed since training began (0-based index of this update). */
  readonly batch: number;
  /** Epochs completed since training began (0-based index of the current epoch). */
  readonly epoch: number;
}

/**
 * A saved optimizer state: the update count, each slot buffer (e.g. Adam's m and v) and, when the
 * learning rate is a stateful schedule (one with getState), that schedule's state.
 */
export interface OptimizerState {
  /** Updates applied so far (Adam's bias correction counts them). */
  readonly step: number;
  /** The state buffers by name (Adam's 'm' and 'v', momentum's 'velocity', ...), each as long as the parameters. */
  readonly slots: Readonly<Record<string, Float32Array>>;
  /** The schedule's getState(); absent for a fixed rate or a schedule without state. */
  readonly schedule?: ScheduleState;
}

/**
 * An optimizer over ONE flat parameter buffer (all of a model's weights, back to back) and its
 * gradient buffer of the same layout: one kernel pass per step (see Kernels.*Step).
 */
export interface Optimizer {
  /** The optimizer and its options as plain data (saved with a model; optimizerFromConfig makes it again). */
  readonly config: PieceConfig;
  /** The schedule when lr is one (fit() calls its report(), if it has one, after each epoch). */
  readonly schedule?: LearningRateSchedule;
  /** The learning rate the next apply() will use at `info` (schedules resolved). */
  learningRate(info: StepInfo): number;
  /**
   * One update: clips the gradient by norm if configured, resolves the learning rate, and runs the
   * kernel. Allocates its slot buffers on `backend` on first use. Returns the learning rate used.
   * `kernels` (default: `backend`) runs the update: fit() passes the backend's kernels without the
   * per-call argument checks for the buffers it owns, whose sizes it has checked once.
   */
  apply(backend: Backend, params: F32Buffer, grads: F32Buffer, size: number, info: StepInfo, kernels?: Kernels): number;
  /** Copies the state out (for saving), the schedule's included, or null before the first apply. */
  getState(): OptimizerState | null;
  /**
   * Restores a state saved by getState() (slots must have the parameter count). A state without
   * `schedule` (e.g. from a file saved before schedules had state) leaves the schedule as it is.
   */
  setState(backend: Backend, state: OptimizerState, size: number): void;
  /** Frees the slot buffers. */
  dispose(): void;
  /**
   * @internal fit()'s online-SGD update (applyUpdate in src/train/step.ts): as apply(), but the gradient of the
   * kernel at the start of the parameters is given as the outer product xᵀ·dy instead of in `grads`
   * (which then holds a stale value there). Returns the learning rate used, or null when this
   * optimizer cannot fuse the update (it changed nothing then; fit() writes the gradient and calls
   * apply()). sgd() without momentum or clipNorm fuses it (Kernels.sgdOuterStep).
   */
  applyRankOne?(backend: Backend, params: F32Buffer, grads: F32Buffer, size: number, info: StepInfo, gradient: RankOneGradient, kernels?: Kernels): number | null;
  /**
   * @internal True when apply() leaves the gradient buffer as it found it (no clipNorm), so fit()
   * may read ‖∇‖² after the update, only when a callback asks for it.
   */
  readonly keepsGradients?: boolean;
}

/**
 * The gradient of a one-row batch for the first kernel W [m, n] of the flat parameter buffer
 * (params[0, m·n)), as the outer product xᵀ·dy: x [m] is the layer's input row, dy [n] its output
 * gradient. The rest of the parameters, [m·n, size), have their gradient in the gradient buffer.
 */
export interface RankOneGradient {
  /** Rows of W (the layer's input width). */
  readonly m: number;
  /** Columns of W (the layer's units). */
  readonly n: number;
  /** The input row x [m] (valid until the next pass). */
  readonly x: F32Buffer;
  /** The output gradient dy [n] (valid until the next pass). */
  readonly dy: F32Buffer;
  /** Views of the parameters and gradients after the kernel, [m·n, size); null when the kernel is all of them. */
  readonly rest: { readonly params: F32Buffer; readonly grads: F32Buffer; readonly length: number } | null;
  /** The kernel's row flags, for Kernels.sgdOuterStep (see KernelRows). */
  readonly rows: KernelRows;
}

/**
 * One flag per row of the first kernel W [m, n] (Kernels.sgdOuterStep's `rows`: 1 when the row is all
 * finite and free of −0), kept by the network between online-SGD steps so the update can leave rows
 * of zero input unread and the forward product skip zero inputs, with the same bits.
 */
export interface KernelRows {
  /** null until the first online-SGD step (then made once, [m]). */
  readonly flags: I32Buffer | null;
  /** The flags describe W as it is (the last writer of W was sgdOuterStep): its `rowsKnown`. */
  readonly known: boolean;
  /** Set by an update that ran sgdOuterStep to what it returned (rows flagged 0); -1 when none ran. */
  notOk: number;
}

/** A weight penalty added to the data loss. */
export interface Regularizer {
  /** The regularizer as plain data (saved with a model's layer configs). */
  readonly config: PieceConfig;
  /** The penalty of w[0..len) (e.g. α·Σw² for l2). */
  penalty(backend: Backend, w: F32Buffer, len: number): number;
  /** g += ∂penalty/∂w (e.g. 2α·w for l2). */
  addGradient(backend: Backend, w: F32Buffer, g: F32Buffer, len: number): void;
}

/** Fills a new weight tensor. */
export interface Initializer {
  /** The initializer as plain data (saved with a model's layer configs). */
  readonly config: PieceConfig;
  /** Fills `out` (a [fanIn, fanOut] kernel, or a bias with fanIn = its length) from `rng`. */
  fill(out: Float32Array, fanIn: number, fanOut: number, rng: Rng): void;
}
