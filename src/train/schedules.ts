/**
 * Learning-rate schedules: plain functions of t, the number of `unit`s (epochs or batches) completed
 * since training began, so they can be plotted (`[0, 1, 2].map(s)`) and rebuilt from their `config`.
 *
 * The unit defaults to 'epoch' (the course's formulas count epochs); Keras' schedules count batches
 * ("steps"): pass `unit: 'batch'` for the Keras behaviour. An optimizer evaluates its schedule at
 * `info.epoch` or `info.batch` accordingly (see Optimizer.learningRate).
 *
 * exp, pow and cos come from src/math/detmath.ts rather than Math or `**`, so a schedule gives the same
 * rate, bit for bit, in every JS engine.
 */
import { cos, exp, pow } from '../math/detmath.js';
import type { LearningRateSchedule, PieceConfig, ScheduleState } from './types.js';
import { OptionReader, Registry, UNITS } from './pieces.js';

/** What a schedule's t counts: epochs or batches (optimizer steps). */
export type ScheduleUnit = LearningRateSchedule['unit'];

/** Options every decaying schedule accepts. */
export interface ScheduleUnitOptions {
  /**
   * What t counts: completed epochs or completed batches.
   * @default 'epoch'
   */
  unit?: ScheduleUnit;
}

/** The methods of a schedule driven by reports, whose rate is state rather than a function of t. */
type StatefulMethods = Required<Pick<LearningRateSchedule, 'report' | 'getState' | 'setState'>>;

/**
 * Wraps a rate function into a LearningRateSchedule that checks t. The config carries `unit` when the
 * schedule has that option; the others (constant, reduceOnPlateau) count epochs.
 */
function makeSchedule(
  config: PieceConfig & { unit?: ScheduleUnit },
  rate: (t: number) => number,
  stateful?: StatefulMethods,
): LearningRateSchedule {
  const schedule = (t: number): number => {
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
      throw new RangeError(`simdnet ${config.name}: t must be a finite number ≥ 0, got ${String(t)}`);
    }
    return rate(t);
  };
  const props: PropertyDescriptorMap = {
    unit: { value: config.unit ?? 'epoch', enumerable: true },
    config: { value: Object.freeze(config), enumerable: true },
  };
  for (const [name, method] of Object.entries(stateful ?? {})) props[name] = { value: method, enumerable: true };
  return Object.defineProperties(schedule, props) as LearningRateSchedule;
}

/** The decay progress t/steps, floored with `staircase` (Keras' decay_steps and staircase). */
function progress(t: number, steps: number, staircase: boolean): number {
  return staircase ? Math.floor(t / steps) : t / steps;
}

const INITIAL = { min: 0 } as const;

/** A constant rate (what a plain number lr means). */
export function constant(lr: number): LearningRateSchedule {
  const value = new OptionReader('constant', { lr }, ['lr']).number('lr', undefined, INITIAL);
  return makeSchedule({ name: 'constant', lr: value }, () => value);
}

/** Options of inverseTimeDecay(). */
export interface InverseTimeDecayOptions extends ScheduleUnitOptions {
  /** η0, the rate at t = 0. */
  initial: number;
  /** r in η0 / (1 + r·t/steps). */
  rate: number;
  /**
   * Keras' decay_steps: t is divided by this.
   * @default 1
   */
  steps?: number;
  /**
   * Floor t/steps, so the rate changes every `steps` units instead of every unit.
   * @default false
   */
  staircase?: boolean;
}

/** η(t) = η0 / (1 + r·t) (with Keras' options: η0 / (1 + r·p), p = t/steps, floored with staircase). */
export function inverseTimeDecay(options: InverseTimeDecayOptions): LearningRateSchedule {
  const r = new OptionReader('inverseTimeDecay', options, ['initial', 'rate', 'steps', 'staircase', 'unit']);
  const c = {
    name: 'inverseTimeDecay',
    initial: r.number('initial', undefined, INITIAL),
    rate: r.number('rate', undefined, { min: 0 }),
    steps: r.number('steps', 1, { above: 0 }),
    staircase: r.boolean('staircase', false),
    unit: r.oneOf('unit', UNITS, 'epoch'),
  };
  return makeSchedule(c, (t) => c.initial / (1 + c.rate * progress(t, c.steps, c.staircase)));
}

/**
 * Two shapes of the same schedule; give the options of exactly one:
 * - `{ initial, lambda }`: η(t) = η0·e^(−λt) (the course's form);
 * - `{ initial, rate, steps?, staircase? }`: η(t) = η0·rate^(t/steps) (Keras' ExponentialDecay),
 *   with t/steps floored when `staircase`.
 * The two agree when rate = e^(−λ) and steps = 1.
 */
export type ExponentialDecayOptions = ScheduleUnitOptions & {
  /** η0, the rate at t = 0. */
  initial: number;
} & (
  | {
      /** λ in η0·e^(−λt) (λ ≥ 0). */
      lambda: number;
      /** Not with lambda. */
      rate?: undefined;
      /** Not with lambda. */
      steps?: undefined;
      /** Not with lambda. */
      staircase?: undefined;
    }
  | {
      /** Not with rate. */
      lambda?: undefined;
      /** The factor applied every `steps` units (0 < rate; below 1 to decay). */
      rate: number;
      /**
       * Keras' decay_steps.
       * @default 1
       */
      steps?: number;
      /**
       * Floor t/steps (a step function).
       * @default false
       */
      staircase?: boolean;
    }
);

/**
 * An exponentially decaying rate, in either of the two spellings of ExponentialDecayOptions.
 * @example
 *     adam({ lr: schedules.exponentialDecay({ initial: 0.01, rate: 0.9 }) })   // × 0.9 per epoch
 */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  const r = new OptionReader('exponentialDecay', options, ['initial', 'lambda', 'rate', 'steps', 'staircase', 'unit']);
  const initial = r.number('initial', undefined, INITIAL);
  const unit = r.oneOf('unit', UNITS, 'epoch');
  const kerasShape = r.has('rate') || r.has('steps') || r.has('staircase');
  if (r.has('lambda')) {
    if (kerasShape) {
      throw new RangeError(
        'simdnet exponentialDecay: give either lambda (η0·e^(−λt)) or rate with steps and staircase (η0·rate^(t/steps)), not both',
      );
    }
    const lambda = r.number('lambda', undefined, { min: 0 });
    return makeSchedule({ name: 'exponentialDecay', initial, lambda, unit }, (t) => initial * exp(-lambda * t));
  }
  if (!r.has('rate')) {
    throw new RangeError('simdnet exponentialDecay: lambda or rate must be given (η0·e^(−λt) or η0·rate^(t/steps))');
  }
  const c = {
    name: 'exponentialDecay',
    initial,
    rate: r.number('rate', undefined, { above: 0 }),
    steps: r.number('steps', 1, { above: 0 }),
    staircase: r.boolean('staircase', false),
    unit,
  };
  return makeSchedule(c, (t) => initial * pow(c.rate, progress(t, c.steps, c.staircase)));
}

/** Options of stepDecay(). */
export interface StepDecayOptions extends ScheduleUnitOptions {
  /** η0, the rate at t = 0. */
  initial: number;
  /** r, the factor applied every `every` units (below 1 to decay). */
  factor: number;
  /** t_u, the number of units between two drops. */
  every: number;
}

/** η(t) = η0·r^⌊t/t_u⌋: drops by `factor` every `every` units. */
export function stepDecay(options: StepDecayOptions): LearningRateSchedule {
  const r = new OptionReader('stepDecay', options, ['initial', 'factor', 'every', 'unit']);
  const c = {
    name: 'stepDecay',
    initial: r.number('initial', undefined, INITIAL),
    factor: r.number('factor', undefined, { above: 0 }),
    every: r.number('every', undefined, { above: 0 }),
    unit: r.oneOf('unit', UNITS, 'epoch'),
  };
  return makeSchedule(c, (t) => c.initial * pow(c.factor, Math.floor(t / c.every)));
}

/** Options of piecewiseConstant(). */
export interface PiecewiseConstantOptions extends ScheduleUnitOptions {
  /** Strictly increasing values of t where the rate changes. */
  boundaries: number[];
  /** The rates: values[0] up to boundaries[0], ..., values[n] after boundaries[n−1]; one more than boundaries. */
  values: number[];
}

/**
 * Keras' PiecewiseConstantDecay: values[0] for t ≤ boundaries[0], values[i] for
 * boundaries[i−1] < t ≤ boundaries[i], and the last value after the last boundary.
 */
export function piecewiseConstant(options: PiecewiseConstantOptions): LearningRateSchedule {
  const r = new OptionReader('piecewiseConstant', options, ['boundaries', 'values', 'unit']);
  // Frozen: the config shares these arrays with the rate function.
  const boundaries = Object.freeze(r.numbers('boundaries', { min: 0 }));
  const values = Object.freeze(r.numbers('values', INITIAL));
  for (let i = 1; i < boundaries.length; i++) {
    if (!(boundaries[i] > boundaries[i - 1])) r.fail('boundaries', 'strictly increasing', boundaries);
  }
  if (values.length !== boundaries.length + 1) {
    r.fail('values', `one longer than boundaries (${boundaries.length + 1} values for ${boundaries.length} boundaries)`, values);
  }
  const rate = (t: number): number => {
    let i = 0;
    while (i < boundaries.length && t > boundaries[i]) i++;
    return values[i];
  };
  return makeSchedule({ name: 'piecewiseConstant', boundaries, values, unit: r.oneOf('unit', UNITS, 'epoch') }, rate);
}

/** Options of cosineDecay(). */
export interface CosineDecayOptions extends ScheduleUnitOptions {
  /** η0: the rate at t = 0 (where the warmup starts, or the cosine starts without warmup). */
  initial: number;
  /** Keras' decay_steps: the length of the cosine part, after the warmup. */
  steps: number;
  /**
   * The final rate as a fraction of the peak rate.
   * @default 0
   */
  alpha?: number;
  /**
   * Length of the linear warmup from `initial` to `warmupTarget`; needs warmupTarget.
   * @default 0
   */
  warmupSteps?: number;
  /**
   * The peak rate reached after the warmup, where the cosine starts. Omitted (null): no warmup.
   * @default null
   */
  warmupTarget?: number | null;
}

/**
 * Keras' CosineDecay. Without warmup: η(t) = η0·((1 − α)·½(1 + cos(π·min(t, steps)/steps)) + α).
 * With warmupTarget η* and warmupSteps w: η rises linearly from η0 at t = 0 to η* at t = w, then
 * decays as above from η* (in place of η0) over the next `steps` units to α·η*, and stays there.
 * A warmup from zero is `{ initial: 0, warmupTarget: peak, warmupSteps, steps }`.
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  const r = new OptionReader('cosineDecay', options, ['initial', 'steps', 'alpha', 'warmupSteps', 'warmupTarget', 'unit']);
  const c = {
    name: 'cosineDecay',
    initial: r.number('initial', undefined, INITIAL),
    steps: r.number('steps', undefined, { above: 0 }),
    alpha: r.number('alpha', 0, { min: 0 }),
    warmupSteps: r.number('warmupSteps', 0, { min: 0 }),
    warmupTarget: r.optionalNumber('warmupTarget', null, INITIAL),
    unit: r.oneOf('unit', UNITS, 'epoch'),
  };
  if (c.alpha > 1) r.fail('alpha', 'in [0, 1] (the final rate as a fraction of the peak)', c.alpha);
  if (c.warmupSteps > 0 && c.warmupTarget === null) {
    r.fail('warmupTarget', 'given when warmupSteps > 0 (the rate the warmup reaches)', c.warmupTarget);
  }
  if (c.warmupTarget !== null && c.warmupSteps === 0) {
    r.fail('warmupSteps', '> 0 when warmupTarget is given (the warmup length)', c.warmupSteps);
  }
  const peak = c.warmupTarget ?? c.initial;
  const rate = (t: number): number => {
    if (t < c.warmupSteps) return c.initial + (peak - c.initial) * (t / c.warmupSteps);
    const done = Math.min(t - c.warmupSteps, c.steps) / c.steps;
    return peak * ((1 - c.alpha) * 0.5 * (1 + cos(Math.PI * done)) + c.alpha);
  };
  return makeSchedule(c, rate);
}

/** Options of reduceOnPlateau(). */
export interface ReduceOnPlateauOptions {
  /** The rate until the first reduction. */
  initial: number;
  /**
   * The rate is multiplied by this on a plateau.
   * @default 0.1
   */
  factor?: number;
  /**
   * Reports without improvement before the rate is reduced.
   * @default 10
   */
  patience?: number;
  /**
   * The least change that counts as an improvement (absolute).
   * @default 1e-4
   */
  minDelta?: number;
  /**
   * Reports to wait after a reduction before counting again.
   * @default 0
   */
  cooldown?: number;
  /**
   * The rate is never reduced below this.
   * @default 0
   */
  minLr?: number;
  /**
   * 'min' when the monitored value should fall (a loss), 'max' when it should rise (an accuracy).
   * @default 'min'
   */
  mode?: 'min' | 'max';
}

/**
 * Keras' ReduceLROnPlateau as a schedule: fit() reports the monitored value after each epoch; after
 * `patience` reports without an improvement of at least `minDelta` the rate is multiplied by
 * `factor` (not below `minLr`), then `cooldown` reports are skipped. A NaN report counts as no
 * improvement. As a function of t it returns the current rate, whatever t is.
 *
 * Stateful: getState() returns { lr, best, wait, cooldownCounter } (the current rate, the best
 * monitored value so far, as sign·value with sign −1 in 'max' mode, so Infinity before the first
 * report, and the two counters), setState() restores it. The optimizer's state carries it, so a saved
 * model or one trained in a worker resumes at the reduced rate; the config alone rebuilds a fresh
 * schedule at `initial`.
 */
export function reduceOnPlateau(options: ReduceOnPlateauOptions): LearningRateSchedule {
  const r = new OptionReader('reduceOnPlateau', options, ['initial', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'mode']);
  const c = {
    name: 'reduceOnPlateau',
    initial: r.number('initial', undefined, INITIAL),
    factor: r.number('factor', 0.1, { above: 0, below: 1 }),
    patience: r.number('patience', 10, { min: 0, integer: true }),
    minDelta: r.number('minDelta', 1e-4, { min: 0 }),
    cooldown: r.number('cooldown', 0, { min: 0, integer: true }),
    minLr: r.number('minLr', 0, { min: 0 }),
    mode: r.oneOf('mode', ['min', 'max'] as const, 'min'),
  };
  const sign = c.mode === 'min' ? 1 : -1;
  let current = c.initial;
  let best = Infinity; // of sign·value, so 'max' is 'min' of the negated values
  let wait = 0;
  let cooling = 0;
  const report = (value: number, epoch: number): void => {
    if (typeof value !== 'number') r.fail('report(value)', 'a number', value);
    if (!Number.isInteger(epoch) || epoch < 0) r.fail('report(epoch)', 'an integer ≥ 0', epoch);
    // The same order of tests as Keras, so the two reduce on the same epochs. (Keras also zeroes wait
    // during a cooldown; here it is already 0 then: a reduction zeroes it and nothing counts until
    // the cooldown ends.)
    if (cooling > 0) cooling--;
    if (sign * value < best - c.minDelta) {
      best = sign * value;
      wait = 0;
    } else if (cooling === 0 && ++wait >= c.patience) {
      if (current > c.minLr) {
        current = Math.max(current * c.factor, c.minLr);
        cooling = c.cooldown;
      }
      wait = 0;
    }
  };
  const getState = (): ScheduleState => ({ lr: current, best, wait, cooldownCounter: cooling });
  const setState = (state: ScheduleState): void => {
    // Typed explicitly so that TypeScript narrows on s.fail() (it returns never).
    const s: OptionReader = new OptionReader('reduceOnPlateau.setState(state)', state, ['lr', 'best', 'wait', 'cooldownCounter']);
    const lr = s.number('lr', undefined, INITIAL);
    const bestSoFar = s.raw('best');
    // best may be ±Infinity (before the first report, or after an infinite one), never NaN (NaN never improves).
    if (typeof bestSoFar !== 'number' || Number.isNaN(bestSoFar)) s.fail('best', 'a number (±Infinity allowed, not NaN)', bestSoFar);
    const waited = s.number('wait', undefined, { min: 0, integer: true });
    const cooldownLeft = s.number('cooldownCounter', undefined, { min: 0, integer: true });
    // Assigned only once every field has passed, so a refused state leaves the schedule as it was.
    current = lr;
    best = bestSoFar;
    wait = waited;
    cooling = cooldownLeft;
  };
  return makeSchedule(c, () => current, { report, getState, setState });
}

const SCHEDULES = new Registry<LearningRateSchedule>('schedule', {
  // constant() takes the rate itself; its config is { name: 'constant', lr }.
  constant: (o: { lr: number }) => constant(new OptionReader('constant', o, ['lr']).number('lr', undefined)),
  inverseTimeDecay,
  exponentialDecay,
  stepDecay,
  piecewiseConstant,
  cosineDecay,
  reduceOnPlateau,
});

/** The schedule names scheduleFromConfig() knows. */
export const SCHEDULE_NAMES: readonly string[] = SCHEDULES.names;

/** Rebuilds a schedule from its `config` (as saved with a model). */
export function scheduleFromConfig(config: PieceConfig): LearningRateSchedule {
  return SCHEDULES.fromConfig(config);
}
