/**
 * Search spaces for tune(): named dimensions, each a list of choices or a distribution, and the two
 * ways of visiting them (the grid, and seeded random samples).
 *
 *     const space = {
 *       lr: logUniform(1e-4, 1e-1),          // random search only
 *       hidden: [[64], [128, 64]],           // a list: grid or random
 *       dropout: choice([0, 0.2]),           // the same as the list [0, 0.2]
 *       schedule: [null, { name: 'exponentialDecay', rate: 0.9 }],
 *     };
 *
 * Points are plain records { lr: 0.003, hidden: [64], ... } holding the space's dimensions only, in
 * the space's key order; tune() fills the rest from its own defaults.
 */
import { ACTIVATIONS } from '../backend/contract.js';
import type { ActivationName } from '../backend/contract.js';
import { exp, log } from '../math/detmath.js';
import { Rng } from '../math/random.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../train/optimizers.js';
import { SCHEDULE_NAMES, scheduleFromConfig } from '../train/schedules.js';
import type { PieceConfig } from '../train/types.js';

/**
 * A learning-rate schedule as a search value: a schedule config whose base rate may be left out.
 * tune() fills `initial` (the trial's lr) when it is absent, and cosineDecay's `steps` (the trial's
 * epochs) when it is absent and the schedule counts epochs; every other option is the schedule
 * factory's (see src/train/schedules.ts). null means a constant rate.
 */
export type ScheduleSpec = PieceConfig;

/** The dimensions tune() turns into model and training settings (see KNOWN_DIMENSIONS). */
export interface KnownParams {
  /** The optimizer's learning rate (its initial rate under a schedule). */
  lr?: number;
  /** Hidden layer widths, e.g. [128, 64]; [] for none (softmax regression). A number n means [n]. */
  hidden?: readonly number[];
  /** The hidden layers' activation. */
  activation?: ActivationName;
  /** The dropout rate after each hidden layer. */
  dropout?: number;
  /** The L2 penalty α·Σw² on every kernel. */
  l2?: number;
  /** The optimizer's name. */
  optimizer?: OptimizerName;
  /** A learning-rate schedule, or null for a constant rate. */
  schedule?: ScheduleSpec | null;
  /** Rows per gradient step, or 'full'. */
  batchSize?: number | 'full';
  /** The most epochs a trial trains. */
  epochs?: number;
}

/** One point of a search space: the known settings, plus any a custom build() reads. */
export type TrialParams = KnownParams & Readonly<Record<string, unknown>>;

/** A distribution to draw a dimension's values from. Make one with logUniform, uniform, intRange or choice. */
export class Distribution {
  /**
   * Use the factories (logUniform, uniform, intRange, choice), which check their arguments.
   * Hidden from the reference, yet kept in the declarations: stripInternal would drop this signature and
   * offer a `new Distribution()` without arguments instead.
   * @hidden
   */
  constructor(
    /** Which factory made it, and so how sample() draws. */
    readonly kind: 'logUniform' | 'uniform' | 'intRange' | 'choice',
    /** The lower bound of the three numeric kinds (NaN for choice). */
    readonly lo: number,
    /** The upper bound, included by intRange (NaN for choice). */
    readonly hi: number,
    /** choice's values (empty for the numeric kinds). */
    readonly values: readonly unknown[],
  ) {
    Object.freeze(this);
  }

  /** True when the values can be listed (choice): only those can be part of a grid. */
  get discrete(): boolean {
    return this.kind === 'choice';
  }

  /** One value, drawn from `rng`. */
  sample(rng: Rng): unknown {
    switch (this.kind) {
      case 'logUniform':
        // detmath's exp and log: the same seed samples the same value in every JS engine
        return exp(rng.uniform(log(this.lo), log(this.hi)));
      case 'uniform':
        return rng.uniform(this.lo, this.hi);
      case 'intRange':
        return this.lo + rng.int(this.hi - this.lo + 1);
      case 'choice':
        return this.values[rng.int(this.values.length)];
    }
  }

  /** The factory call that makes this distribution, e.g. `logUniform(0.0001, 0.01)`: for tables and messages. */
  toString(): string {
    return this.kind === 'choice' ? `choice(${this.values.length} values)` : `${this.kind}(${this.lo}, ${this.hi})`;
  }
}

function bounds(fn: string, lo: number, hi: number, extra: (v: number) => boolean, what: string): void {
  for (const [name, v] of [['lo', lo], ['hi', hi]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || !extra(v)) throw new RangeError(`simdnet ${fn}: ${name} must be ${what}, got ${String(v)}`);
  }
  if (!(lo <= hi)) throw new RangeError(`simdnet ${fn}: lo must be ≤ hi, got lo ${lo} and hi ${hi}`);
}

/** Values spread evenly in log scale over [lo, hi) (learning rates, penalties): 0 < lo ≤ hi. */
export function logUniform(lo: number, hi: number): Distribution {
  bounds('logUniform', lo, hi, (v) => v > 0, 'a finite number > 0');
  return new Distribution('logUniform', lo, hi, []);
}

/** Values spread evenly over [lo, hi). */
export function uniform(lo: number, hi: number): Distribution {
  bounds('uniform', lo, hi, () => true, 'a finite number');
  return new Distribution('uniform', lo, hi, []);
}

/** An integer from lo to hi, both included, each as likely. */
export function intRange(lo: number, hi: number): Distribution {
  bounds('intRange', lo, hi, Number.isInteger, 'an integer');
  return new Distribution('intRange', lo, hi, []);
}

/** One of `values`, each as likely: the same as giving the list itself. */
export function choice<T>(values: readonly T[]): Distribution {
  if (!Array.isArray(values) || values.length === 0) throw new RangeError(`simdnet choice: values must be a non-empty array, got ${String(values)}`);
  return new Distribution('choice', NaN, NaN, Object.freeze([...values]));
}

/** A dimension: the list of its choices, or a distribution. */
export type Dimension = readonly unknown[] | Distribution;

/** Named dimensions; the known names are those of KNOWN_DIMENSIONS, others need a custom build(). */
export type SearchSpace = Readonly<Record<string, Dimension>>;

// ---- the known dimensions ----

/** How tune() checks the values of one known dimension. */
export interface KnownDimension {
  /** What a value must be, for messages. */
  readonly expected: string;
  /** The value in its normal form (hidden: 64 → [64]), or undefined when it is not valid. */
  normalize(value: unknown): unknown;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isWidth = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;
const inRange = (lo: number, hiExclusive: number) => (v: unknown) => (isNumber(v) && v >= lo && v < hiExclusive ? v : undefined);

function normalizeSchedule(v: unknown): unknown {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v) || typeof (v as PieceConfig).name !== 'string') return undefined;
  // Built once with stand-in values for what tune() fills in, so a wrong option fails before any trial.
  scheduleFromConfig(fillSchedule(v as PieceConfig, 1e-3, 10));
  return v;
}

/** The known dimension names, what each must be, and its normal form. */
export const KNOWN_DIMENSIONS: Readonly<Record<keyof KnownParams, KnownDimension>> = Object.freeze({
  lr: { expected: 'a number > 0', normalize: (v: unknown) => (isNumber(v) && v > 0 ? v : undefined) },
  hidden: {
    expected: 'an array of layer widths (integers ≥ 1), such as [128, 64], [] for none, or one width',
    normalize: (v: unknown) => (isWidth(v) ? [v] : Array.isArray(v) && v.every(isWidth) ? v : undefined),
  },
  activation: { expected: `one of ${ACTIVATIONS.join(', ')}`, normalize: (v: unknown) => ((ACTIVATIONS as readonly unknown[]).includes(v) ? v : undefined) },
  dropout: { expected: 'a rate in [0, 1)', normalize: inRange(0, 1) },
  l2: { expected: 'a number ≥ 0', normalize: inRange(0, Infinity) },
  optimizer: { expected: `one of ${OPTIMIZER_NAMES.join(', ')}`, normalize: (v: unknown) => ((OPTIMIZER_NAMES as readonly unknown[]).includes(v) ? v : undefined) },
  schedule: { expected: `null or a schedule config { name, ... } with name one of ${SCHEDULE_NAMES.join(', ')}`, normalize: normalizeSchedule },
  batchSize: { expected: "an integer ≥ 1 or 'full'", normalize: (v: unknown) => (v === 'full' || isWidth(v) ? v : undefined) },
  epochs: { expected: 'an integer ≥ 1', normalize: (v: unknown) => (isWidth(v) ? v : undefined) },
});

/** The names of KNOWN_DIMENSIONS, in the order error messages list them. */
export const KNOWN_NAMES = Object.keys(KNOWN_DIMENSIONS) as readonly (keyof KnownParams)[];

/**
 * The schedule config a trial builds: `spec` with `initial` = lr when absent (schedules whose rate
 * comes from elsewhere, constant's lr and piecewiseConstant's values, are left alone) and
 * cosineDecay's `steps` = the trial's epochs when absent and it counts epochs.
 */
export function fillSchedule(spec: PieceConfig, lr: number, epochs: number): PieceConfig {
  const filled: Record<string, unknown> = { ...spec };
  if (spec.name !== 'constant' && spec.name !== 'piecewiseConstant' && filled.initial === undefined) filled.initial = lr;
  if (spec.name === 'cosineDecay' && filled.steps === undefined && (filled.unit ?? 'epoch') === 'epoch') filled.steps = epochs;
  return filled as PieceConfig;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// ---- a checked space ----

/** A dimension after checking: its name, and its choices (lists and choice) or its distribution. */
export interface CheckedDimension {
  readonly name: string;
  /** The normalised choices of a discrete dimension, else null. */
  readonly choices: readonly unknown[] | null;
  /** The distribution of a continuous dimension (logUniform, uniform, intRange), else null. */
  readonly distribution: Distribution | null;
  /** Puts a drawn value in its normal form (hidden: intRange(8, 64) draws a width n, meaning [n]). */
  readonly normalize: (value: unknown) => unknown;
}

/**
 * Checks a search space: non-empty, every dimension a non-empty list or a distribution, every name
 * known unless `custom` (a custom build() reads the others), and every value (each list item, each
 * distribution bound) valid for a known name. Returns the dimensions in the space's key order.
 */
export function checkSpace(space: unknown, custom: boolean): CheckedDimension[] {
  const where = 'simdnet tune: space';
  if (space === null || typeof space !== 'object' || Array.isArray(space)) {
    throw new TypeError(`${where} must be an object of named dimensions, such as { lr: [1e-3, 1e-2] }, got ${show(space)}`);
  }
  const names = Object.keys(space);
  if (names.length === 0) throw new RangeError(`${where} is empty: give at least one dimension (known names: ${KNOWN_NAMES.join(', ')})`);
  return names.map((name) => {
    const dim = (space as Record<string, unknown>)[name];
    const known = Object.hasOwn(KNOWN_DIMENSIONS, name) ? KNOWN_DIMENSIONS[name as keyof KnownParams] : null;
    if (known === null && !custom) {
      throw new RangeError(`${where}.${name} is not a known dimension; known: ${KNOWN_NAMES.join(', ')} (other names need a custom build(params, ctx))`);
    }
    const normalize = known === null ? (v: unknown) => v : (v: unknown) => known.normalize(v);
    const check = (value: unknown, label: string): unknown => {
      if (known === null) return value;
      let normal: unknown;
      try {
        normal = known.normalize(value);
      } catch (e) {
        // A schedule config is checked by its own factory: say which value of the space it was.
        throw new RangeError(`${where}.${name}${label}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (normal === undefined) throw new RangeError(`${where}.${name}${label} must be ${known.expected}, got ${show(value)}`);
      return normal;
    };
    if (dim instanceof Distribution) {
      if (dim.discrete) return { name, choices: dim.values.map((v, i) => check(v, ` choice ${i}`)), distribution: null, normalize };
      // Every known dimension's valid values form an interval, so valid bounds mean valid draws.
      check(dim.lo, ` ${dim.kind} lo`);
      check(dim.hi, ` ${dim.kind} hi`);
      return { name, choices: null, distribution: dim, normalize };
    }
    if (!Array.isArray(dim) || dim.length === 0) {
      throw new RangeError(`${where}.${name} must be a non-empty list of choices or a distribution (logUniform, uniform, intRange, choice), got ${show(dim)}`);
    }
    return { name, choices: dim.map((v, i) => check(v, `[${i}]`)), distribution: null, normalize };
  });
}

/** The number of grid points (the product of the list sizes), or Infinity with a continuous dimension. */
export function gridSize(dims: readonly CheckedDimension[]): number {
  return dims.reduce((p, d) => p * (d.choices?.length ?? Infinity), 1);
}

/**
 * Grid point k (0 ≤ k < gridSize): the Cartesian product in the space's key order, the LAST dimension
 * varying fastest (as itertools.product and sklearn's ParameterGrid).
 */
export function gridPoint(dims: readonly CheckedDimension[], k: number): TrialParams {
  const point: Record<string, unknown> = {};
  for (let i = dims.length - 1; i >= 0; i--) {
    const choices = dims[i].choices!;
    point[dims[i].name] = choices[k % choices.length];
    k = Math.floor(k / choices.length);
  }
  return ordered(dims, point);
}

function ordered(dims: readonly CheckedDimension[], point: Record<string, unknown>): TrialParams {
  const out: Record<string, unknown> = {};
  for (const d of dims) out[d.name] = point[d.name];
  return Object.freeze(out);
}

/** Every grid point, in gridPoint order. A continuous dimension is an error naming it. */
export function grid(dims: readonly CheckedDimension[]): TrialParams[] {
  const continuous = dims.find((d) => d.distribution !== null);
  if (continuous !== undefined) {
    throw new RangeError(`simdnet tune: grid search needs a list of values for every dimension, but space.${continuous.name} is ` +
      `${continuous.distribution!.toString()}; give a list such as [1e-3, 1e-2], or use random search (trials: n)`);
  }
  const n = gridSize(dims);
  return Array.from({ length: n }, (_, k) => gridPoint(dims, k));
}

/**
 * `trials` random points drawn from `rng`. When every dimension is discrete the points are distinct
 * grid points (drawn without replacement, as sklearn's ParameterSampler does), so `trials` may not
 * exceed the grid's size; otherwise each dimension is sampled independently per trial (a list
 * uniformly over its items). Either way the first k points do not depend on `trials`.
 */
export function sample(dims: readonly CheckedDimension[], trials: number, rng: Rng): TrialParams[] {
  const size = gridSize(dims);
  if (Number.isFinite(size)) {
    if (trials > size) {
      throw new RangeError(`simdnet tune: trials ${trials} exceeds the ${size} distinct points of the space; ` +
        `give trials ≤ ${size}, or grid: true to try every point`);
    }
    // A partial Fisher–Yates over the indices 0..size−1, kept sparse (size may be large).
    const swapped = new Map<number, number>();
    const at = (i: number) => swapped.get(i) ?? i;
    const points: TrialParams[] = [];
    for (let k = 0; k < trials; k++) {
      const j = k + rng.int(size - k);
      const picked = at(j);
      swapped.set(j, at(k));
      points.push(gridPoint(dims, picked));
    }
    return points;
  }
  return Array.from({ length: trials }, () => {
    const point: Record<string, unknown> = {};
    for (const d of dims) {
      point[d.name] = d.distribution !== null ? d.normalize(d.distribution.sample(rng)) : d.choices![rng.int(d.choices!.length)];
    }
    return ordered(dims, point);
  });
}
