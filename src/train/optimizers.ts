/**
 * Optimizers over one flat parameter buffer: thin factories (sgd, adam, adamw, rmsprop, adagrad)
 * over one general optimizer that owns what they share (the learning rate or its schedule, gradient
 * clipping, the update count, the slot buffers and their saving, a stateful schedule's state with
 * them), and an update rule per factory that runs its single-pass kernel (Kernels.sgdStep,
 * momentumStep, adamStep, rmspropStep, adagradStep).
 *
 * Defaults are Keras' (the API is Keras-like); each option's JSDoc gives PyTorch's value where it
 * differs. Weight decay is decoupled (AdamW, Loshchilov & Hutter): w −= lr·λ·w, then the update. For
 * plain SGD that equals PyTorch's (coupled) weight_decay λ; for a coupled L2 penalty with momentum or
 * Adam (PyTorch Adam's weight_decay), use the l2 regularizer with α = λ/2 instead.
 */
import type { Backend, F32Buffer, Kernels } from '../backend/contract.js';
import type { KernelRows, LearningRateSchedule, Optimizer, OptimizerState, PieceConfig, RankOneGradient, StepInfo } from './types.js';
import { OptionReader, Registry, excerpt } from './pieces.js';
import { scheduleFromConfig } from './schedules.js';

/** A learning rate: fixed, or a schedule evaluated at every update. */
export type LearningRate = number | LearningRateSchedule;

/** Options all optimizers share (each factory documents its own `lr` default). */
export interface OptimizerCommonOptions {
  /**
   * Before each update, scale the whole flat gradient down so its L2 norm is at most this
   * (Keras' global_clipnorm, PyTorch's clip_grad_norm_ over all parameters). null: no clipping.
   * The gradient buffer is scaled in place.
   * @default null
   */
  clipNorm?: number | null;
  /**
   * Decoupled weight decay λ: w −= lr·λ·w each update, before the gradient step.
   * @default 0 (adamw: 0.01)
   */
  weightDecay?: number;
}

/**
 * One update of one optimizer family: the slot buffers it keeps (named as in its kernel's
 * parameters, e.g. Adam's m and v) and the kernel call.
 */
interface UpdateRule {
  readonly slots: readonly string[];
  /** The value the slots start at (Adagrad's initial accumulator; 0 for the others). */
  readonly slotInit: number;
  run(b: Kernels, w: F32Buffer, g: F32Buffer, s: Readonly<Record<string, F32Buffer>>, len: number, lr: number, step: number, weightDecay: number): void;
  /** run() of a slot-less rule for w [m, n] with the gradient xᵀ·dy, never written out (the same bits); sets rows.notOk. */
  runRankOne?(b: Kernels, w: F32Buffer, x: F32Buffer, dy: F32Buffer, m: number, n: number, lr: number, weightDecay: number, rows: KernelRows): void;
}

/** Scales g[0..len) so that its L2 norm is at most maxNorm. */
function clipByGlobalNorm(b: Kernels, g: F32Buffer, len: number, maxNorm: number): void {
  const norm = Math.sqrt(b.sumSquares(g, len));
  // A non-finite norm means a non-finite gradient, which no scaling repairs: it is left for fit()'s
  // divergence check rather than turned into zeros or NaNs here.
  if (norm > maxNorm && Number.isFinite(norm)) b.scale(g, len, maxNorm / norm);
}

/** The general optimizer: everything but the kernel call. */
class FlatOptimizer implements Optimizer {
  readonly schedule?: LearningRateSchedule;
  private readonly fixedLr: number;
  /** Where the slots live, and for how many parameters; null until the first apply() or setState(). */
  private owner: Backend | null = null;
  private size = 0;
  private slots: Record<string, F32Buffer> = {};
  private step = 0;

  constructor(
    readonly config: PieceConfig,
    lr: LearningRate,
    private readonly clipNorm: number | null,
    private readonly weightDecay: number,
    private readonly rule: UpdateRule,
  ) {
    if (typeof lr === 'number') this.fixedLr = lr;
    else {
      this.schedule = lr;
      this.fixedLr = NaN;
    }
  }

  private fail(method: string, what: string): never {
    throw new RangeError(`simdnet ${this.config.name}.${method}: ${what}`);
  }

  learningRate(info: StepInfo): number {
    for (const key of ['batch', 'epoch'] as const) {
      const t = info?.[key];
      if (!Number.isInteger(t) || t < 0) this.fail('learningRate', `info.${key} must be an integer ≥ 0, got ${String(t)}`);
    }
    return this.schedule ? this.schedule(info[this.schedule.unit]) : this.fixedLr;
  }

  get keepsGradients(): boolean {
    return this.clipNorm === null;
  }

  /** Allocates the slots on first use, and refuses another backend or parameter count. */
  private claim(backend: Backend, size: number): void {
    this.checkSize('apply', size);
    if (this.owner === null) this.allocate(backend, size, null);
    else if (backend !== this.owner) this.fail('apply', `the optimizer's state lives on another '${this.owner.name}' backend; one optimizer serves one backend`);
    else if (size !== this.size) this.fail('apply', `size is ${size} but the optimizer's state is for ${this.size} parameters; one optimizer serves one parameter buffer`);
  }

  apply(backend: Backend, params: F32Buffer, grads: F32Buffer, size: number, info: StepInfo, kernels: Kernels = backend): number {
    const lr = this.learningRate(info);
    this.claim(backend, size);
    if (this.clipNorm !== null) clipByGlobalNorm(kernels, grads, size, this.clipNorm);
    // The count moves only once the kernel has run, so a rejected call leaves the state as it was.
    this.rule.run(kernels, params, grads, this.slots, size, lr, this.step + 1, this.weightDecay);
    this.step++;
    return lr;
  }

  applyRankOne(backend: Backend, params: F32Buffer, _grads: F32Buffer, size: number, info: StepInfo, gradient: RankOneGradient, kernels: Kernels = backend): number | null {
    // Clipping needs the whole gradient's norm first; a rule with slots has no fused kernel.
    const fused = this.rule.runRankOne;
    if (this.clipNorm !== null || fused === undefined) return null;
    const lr = this.learningRate(info);
    this.claim(backend, size);
    const { m, n, x, dy, rest } = gradient;
    if (m * n + (rest?.length ?? 0) !== size) this.fail('applyRankOne', `a ${m}×${n} kernel and ${rest?.length ?? 0} more parameters are not ${size}`);
    // The kernel, then the rest of the buffer: elementwise updates, so the split changes no bit.
    fused(kernels, params, x, dy, m, n, lr, this.weightDecay, gradient.rows);
    if (rest !== null) this.rule.run(kernels, rest.params, rest.grads, this.slots, rest.length, lr, this.step + 1, this.weightDecay);
    this.step++;
    return lr;
  }

  getState(): OptimizerState | null {
    if (this.owner === null) return null;
    const slots: Record<string, Float32Array> = {};
    for (const name of this.rule.slots) slots[name] = this.slots[name].data.slice(0, this.size);
    const schedule = this.schedule?.getState?.();
    return schedule === undefined ? { step: this.step, slots } : { step: this.step, slots, schedule };
  }

  setState(backend: Backend, state: OptimizerState, size: number): void {
    this.checkSize('setState', size);
    if (state === null || typeof state !== 'object') this.fail('setState', `state must be an object from getState(), got ${excerpt(state)}`);
    if (!Number.isInteger(state.step) || state.step < 0) this.fail('setState', `state.step must be an integer ≥ 0, got ${String(state.step)}`);
    const given = Object.keys(state.slots ?? {}).sort();
    const expected = [...this.rule.slots].sort();
    if (given.join() !== expected.join()) {
      this.fail('setState', `state.slots must be {${expected.join(', ')}} for ${this.config.name}, got {${given.join(', ')}}`);
    }
    for (const name of expected) {
      const s = state.slots[name];
      if (!(s instanceof Float32Array) || s.length !== size) {
        this.fail('setState', `state.slots.${name} must be a Float32Array of ${size} values, got ${s instanceof Float32Array ? `${s.length} values` : excerpt(s)}`);
      }
    }
    if (state.schedule !== undefined) {
      const setSchedule = this.schedule?.setState;
      if (setSchedule === undefined) {
        this.fail('setState', `state.schedule is given, but the learning rate (${this.schedule?.config.name ?? 'a fixed number'}) keeps no state`);
      }
      // Last of the checks (it checks its fields before changing anything), so a refused state changes nothing.
      setSchedule.call(this.schedule, state.schedule);
    }
    this.dispose();
    this.allocate(backend, size, state.slots);
    this.step = state.step;
  }

  /** Frees the slot buffers; the next apply() starts afresh (step 0, new slots). */
  dispose(): void {
    if (this.owner !== null) for (const name of this.rule.slots) this.owner.free(this.slots[name]);
    this.owner = null;
    this.slots = {};
    this.size = 0;
    this.step = 0;
  }

  private checkSize(method: string, size: number): void {
    if (!Number.isSafeInteger(size) || size < 1) this.fail(method, `size must be a positive integer, got ${String(size)}`);
  }

  private allocate(backend: Backend, size: number, values: Readonly<Record<string, Float32Array>> | null): void {
    const slots: Record<string, F32Buffer> = {};
    try {
      for (const name of this.rule.slots) {
        slots[name] = values ? backend.f32(values[name]) : backend.f32(size);
        // Read .data after the allocation: on wasm an allocation may grow the memory and remake views.
        if (!values && this.rule.slotInit !== 0) slots[name].data.fill(this.rule.slotInit);
      }
    } catch (e) {
      // Adam's m allocated and its v refused: m is freed here, since dispose() would not know of it.
      for (const buffer of Object.values(slots)) backend.free(buffer);
      throw e;
    }
    this.owner = backend;
    this.size = size;
    this.slots = slots;
  }
}

/** Reads the shared options; `own` lists the factory's other option names. */
function readCommon(name: string, options: unknown, own: readonly string[], defaults: { lr: number; weightDecay: number }) {
  const r = new OptionReader(name, options, ['lr', 'clipNorm', 'weightDecay', ...own]);
  const raw = r.raw('lr');
  let lr: LearningRate;
  if (typeof raw === 'function') {
    const s = raw as LearningRateSchedule;
    if (typeof s.config !== 'object' || (s.unit !== 'batch' && s.unit !== 'epoch')) {
      r.fail('lr', 'a number or a LearningRateSchedule (made by a schedule factory, with unit and config)', 'a plain function');
    }
    lr = s;
  } else {
    lr = r.number('lr', defaults.lr, { min: 0 });
  }
  const clipNorm = r.optionalNumber('clipNorm', null, { above: 0 });
  const weightDecay = r.number('weightDecay', defaults.weightDecay, { min: 0 });
  const config = { name, lr: typeof lr === 'number' ? lr : lr.config, clipNorm, weightDecay };
  return { r, config, make: (extra: object, rule: UpdateRule): Optimizer => new FlatOptimizer({ ...config, ...extra }, lr, clipNorm, weightDecay, rule) };
}

const UNIT_INTERVAL = { min: 0, below: 1 } as const;

/** Options of sgd(). */
export interface SgdOptions extends OptimizerCommonOptions {
  /**
   * The learning rate (PyTorch's default: 0.001).
   * @default 0.01
   */
  lr?: LearningRate;
  /**
   * μ in v = μ·v + g; w −= lr·v (PyTorch's form; Keras' equals it with lr folded into v). 0: plain SGD.
   * @default 0
   */
  momentum?: number;
  /**
   * Nesterov momentum: w −= lr·(g + μ·v). Needs momentum > 0.
   * @default false
   */
  nesterov?: boolean;
}

/** Stochastic gradient descent, with optional (Nesterov) momentum. */
export function sgd(options: SgdOptions = {}): Optimizer {
  const c = readCommon('sgd', options, ['momentum', 'nesterov'], { lr: 0.01, weightDecay: 0 });
  const momentum = c.r.number('momentum', 0, UNIT_INTERVAL);
  const nesterov = c.r.boolean('nesterov', false);
  if (nesterov && momentum === 0) c.r.fail('momentum', '> 0 when nesterov is true', momentum);
  const rule: UpdateRule = momentum === 0
    ? { slots: [], slotInit: 0, run: (b, w, g, _s, len, lr, _t, wd) => b.sgdStep(w, g, len, lr, wd), runRankOne: (b, w, x, dy, m, n, lr, wd, rows) => { rows.notOk = b.sgdOuterStep(w, x, dy, m, n, lr, wd, rows.flags, rows.known); } }
    : { slots: ['v'], slotInit: 0, run: (b, w, g, s, len, lr, _t, wd) => b.momentumStep(w, g, s.v, len, lr, momentum, nesterov, wd) };
  return c.make({ momentum, nesterov }, rule);
}

/** Options of adam(). */
export interface AdamOptions extends OptimizerCommonOptions {
  /** @default 0.001 */
  lr?: LearningRate;
  /**
   * Decay of the first-moment average m.
   * @default 0.9
   */
  beta1?: number;
  /**
   * Decay of the second-moment average v.
   * @default 0.999
   */
  beta2?: number;
  /**
   * Added to √v̂ in the denominator (PyTorch's default: 1e-8).
   * @default 1e-7
   */
  epsilon?: number;
}

function adamFamily(name: 'adam' | 'adamw', options: AdamOptions, weightDecay: number): Optimizer {
  const c = readCommon(name, options, ['beta1', 'beta2', 'epsilon'], { lr: 0.001, weightDecay });
  const beta1 = c.r.number('beta1', 0.9, UNIT_INTERVAL);
  const beta2 = c.r.number('beta2', 0.999, UNIT_INTERVAL);
  const epsilon = c.r.number('epsilon', 1e-7, { above: 0 });
  return c.make({ beta1, beta2, epsilon }, {
    slots: ['m', 'v'],
    slotInit: 0,
    run: (b, w, g, s, len, lr, t, wd) => b.adamStep(w, g, s.m, s.v, len, lr, beta1, beta2, epsilon, t, wd),
  });
}

/** Adam (Kingma & Ba) with bias correction. weightDecay, if given, is decoupled (making it AdamW). */
export function adam(options: AdamOptions = {}): Optimizer {
  return adamFamily('adam', options, 0);
}

/** Options of adamw(). */
export interface AdamWOptions extends AdamOptions {
  /**
   * Decoupled weight decay λ (PyTorch AdamW's default; Keras': 0.004).
   * @default 0.01
   */
  weightDecay?: number;
}

/** AdamW: Adam with decoupled weight decay, on by default. */
export function adamw(options: AdamWOptions = {}): Optimizer {
  return adamFamily('adamw', options, 0.01);
}

/** Options of rmsprop(). */
export interface RmspropOptions extends OptimizerCommonOptions {
  /**
   * The learning rate (PyTorch's default: 0.01).
   * @default 0.001
   */
  lr?: LearningRate;
  /**
   * Decay of the mean square s = ρ·s + (1−ρ)·g² (PyTorch's alpha, default 0.99).
   * @default 0.9
   */
  rho?: number;
  /**
   * Added to √s in the denominator (PyTorch's default: 1e-8).
   * @default 1e-7
   */
  epsilon?: number;
}

/** RMSprop: w −= lr·g/(√s + ε) with s a moving mean of g². */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  const c = readCommon('rmsprop', options, ['rho', 'epsilon'], { lr: 0.001, weightDecay: 0 });
  const rho = c.r.number('rho', 0.9, UNIT_INTERVAL);
  const epsilon = c.r.number('epsilon', 1e-7, { above: 0 });
  return c.make({ rho, epsilon }, {
    slots: ['s'],
    slotInit: 0,
    run: (b, w, g, s, len, lr, _t, wd) => b.rmspropStep(w, g, s.s, len, lr, rho, epsilon, wd),
  });
}

/** Options of adagrad(). */
export interface AdagradOptions extends OptimizerCommonOptions {
  /**
   * The learning rate (PyTorch's default: 0.01).
   * @default 0.001
   */
  lr?: LearningRate;
  /**
   * The starting value of the accumulator s (PyTorch's default: 0).
   * @default 0.1
   */
  initialAccumulator?: number;
  /**
   * Added to √s in the denominator (PyTorch's default: 1e-10).
   * @default 1e-7
   */
  epsilon?: number;
}

/** Adagrad: w −= lr·g/(√s + ε) with s the running sum of g². */
export function adagrad(options: AdagradOptions = {}): Optimizer {
  const c = readCommon('adagrad', options, ['initialAccumulator', 'epsilon'], { lr: 0.001, weightDecay: 0 });
  const initialAccumulator = c.r.number('initialAccumulator', 0.1, { min: 0 });
  const epsilon = c.r.number('epsilon', 1e-7, { above: 0 });
  return c.make({ initialAccumulator, epsilon }, {
    slots: ['s'],
    slotInit: initialAccumulator,
    run: (b, w, g, s, len, lr, _t, wd) => b.adagradStep(w, g, s.s, len, lr, epsilon, wd),
  });
}

/** Each optimizer's options, by registry name. */
export interface OptimizerOptionsByName {
  /** sgd(), with momentum and Nesterov as options. */
  sgd: SgdOptions;
  /** adam(). */
  adam: AdamOptions;
  /** adamw(): Adam with decoupled weight decay. */
  adamw: AdamWOptions;
  /** rmsprop(). */
  rmsprop: RmspropOptions;
  /** adagrad(). */
  adagrad: AdagradOptions;
}
/** An optimizer name: one of OPTIMIZER_NAMES. */
export type OptimizerName = keyof OptimizerOptionsByName;

// Names are matched case-insensitively so a CLI can pass 'Adam' or 'RMSprop'.
const OPTIMIZERS = new Registry<Optimizer>('optimizer', { sgd, adam, adamw, rmsprop, adagrad }, (n) => n.toLowerCase());

/** The names optimizer() and optimizerFromConfig() know. */
export const OPTIMIZER_NAMES = OPTIMIZERS.names as OptimizerName[];

/** An optimizer by name (e.g. from the command line): `optimizer('adam', { lr: 0.01 })`. */
export function optimizer<N extends OptimizerName>(name: N, options?: OptimizerOptionsByName[N]): Optimizer;
export function optimizer(name: string, options?: object): Optimizer;
export function optimizer(name: string, options: object = {}): Optimizer {
  return OPTIMIZERS.create(name, options);
}

/** Rebuilds an optimizer from its `config` (an lr given as a schedule config is rebuilt too). */
export function optimizerFromConfig(config: PieceConfig): Optimizer {
  const lr = config?.lr;
  return OPTIMIZERS.fromConfig(lr !== null && typeof lr === 'object' ? { ...config, lr: scheduleFromConfig(lr as PieceConfig) } : config);
}
