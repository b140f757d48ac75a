import { describe, expect, it } from 'vitest';
import { schedules, scheduleFromConfig, type LearningRateSchedule } from '../../src/index.js';
import { expectClose } from '../support/helpers.js';

const { constant, inverseTimeDecay, exponentialDecay, stepDecay, piecewiseConstant, cosineDecay, reduceOnPlateau } = schedules;

/** The schedule at t = 0..n−1. */
function values(s: LearningRateSchedule, n: number): number[] {
  return Array.from({ length: n }, (_, t) => s(t));
}

/** The formula at t = 0..n−1, for comparison. */
function formula(n: number, f: (t: number) => number): number[] {
  return Array.from({ length: n }, (_, t) => f(t));
}

describe('decaying schedules follow their formulas', () => {
  it('inverseTimeDecay: η0/(1 + r·t), and Keras staircase form', () => {
    expectClose(values(inverseTimeDecay({ initial: 0.5, rate: 0.3 }), 10), formula(10, (t) => 0.5 / (1 + 0.3 * t)), 0, 1e-15, 'inverse time');
    const keras = inverseTimeDecay({ initial: 0.5, rate: 0.3, steps: 4, staircase: true, unit: 'batch' });
    expect(values(keras, 9)).toEqual(formula(9, (t) => 0.5 / (1 + 0.3 * Math.floor(t / 4))));
    expect(keras.unit).toBe('batch');
    expect(keras(3)).toBe(0.5);
    expect(keras(4)).toBeLessThan(0.5);
  });

  it('exponentialDecay: η0·e^(−λt), and Keras η0·rate^(t/steps); they agree when rate = e^(−λ)', () => {
    const course = exponentialDecay({ initial: 0.1, lambda: 0.2 });
    expectClose(values(course, 10), formula(10, (t) => 0.1 * Math.exp(-0.2 * t)), 0, 1e-14, 'e^(−λt)');
    const keras = exponentialDecay({ initial: 0.1, rate: Math.exp(-0.2) });
    expectClose(values(keras, 10), values(course, 10), 0, 1e-12, 'rate = e^(−λ), steps = 1');
    const stair = exponentialDecay({ initial: 0.1, rate: 0.5, steps: 3, staircase: true });
    expect(values(stair, 7)).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
    const smooth = exponentialDecay({ initial: 0.1, rate: 0.5, steps: 3 });
    expectClose([smooth(1.5), smooth(3)], [0.1 * 0.5 ** 0.5, 0.05], 0, 1e-14, 'smooth');
  });

  it('exponentialDecay refuses mixed or missing option shapes', () => {
    expect(() => exponentialDecay({ initial: 0.1, lambda: 0.2, rate: 0.5 } as never)).toThrow(/either lambda .* or rate .*not both/);
    expect(() => exponentialDecay({ initial: 0.1, lambda: 0.2, staircase: true } as never)).toThrow(/not both/);
    expect(() => exponentialDecay({ initial: 0.1 } as never)).toThrow(/lambda or rate must be given/);
  });

  it('stepDecay: η0·r^⌊t/t_u⌋', () => {
    expect(values(stepDecay({ initial: 1, factor: 0.5, every: 2 }), 7)).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]);
  });

  it("piecewiseConstant: Keras' boundaries (a boundary belongs to the piece before it)", () => {
    const s = piecewiseConstant({ boundaries: [2, 5], values: [1, 0.5, 0.1] });
    expect(values(s, 8)).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.1, 0.1]);
    expect(s(2.5)).toBe(0.5);
  });

  it('cosineDecay without warmup: η0 to α·η0 over `steps`, then flat', () => {
    const s = cosineDecay({ initial: 0.2, steps: 10, alpha: 0.1 });
    const expected = formula(14, (t) => 0.2 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, 10)) / 10)) + 0.1));
    expectClose(values(s, 14), expected, 0, 1e-14, 'cosine');
    expect(s(0)).toBe(0.2);
    expectClose([s(5), s(10), s(13)], [0.2 * 0.55, 0.02, 0.02], 1e-16, 1e-14, 'midpoint and end');
    for (let t = 1; t < 10; t++) expect(s(t)).toBeLessThan(s(t - 1));
  });

  it('cosineDecay with warmup: linear from initial to warmupTarget, then cosine from the target', () => {
    const s = cosineDecay({ initial: 0, warmupTarget: 1, warmupSteps: 4, steps: 8, alpha: 0 });
    expectClose(values(s, 5), [0, 0.25, 0.5, 0.75, 1], 0, 1e-15, 'warmup');
    expectClose([s(8), s(12), s(20)], [0.5, 0, 0], 1e-15, 1e-14, 'decay after warmup');
  });

  it('constant ignores t', () => {
    expect(values(constant(0.3), 4)).toEqual([0.3, 0.3, 0.3, 0.3]);
  });

  it("counts epochs unless unit: 'batch' is given", () => {
    expect(stepDecay({ initial: 1, factor: 0.5, every: 1 }).unit).toBe('epoch');
    expect(cosineDecay({ initial: 1, steps: 3, unit: 'batch' }).unit).toBe('batch');
    expect(reduceOnPlateau({ initial: 1 }).unit).toBe('epoch');
  });
});

describe('reduceOnPlateau', () => {
  /** The rate after each report. */
  function trace(s: LearningRateSchedule, reports: number[]): number[] {
    return reports.map((v, epoch) => {
      s.report!(v, epoch);
      return s(epoch + 1);
    });
  }

  it('lowers the rate after `patience` reports without improvement, then cools down (traced by hand from Keras)', () => {
    const s = reduceOnPlateau({ initial: 1, factor: 0.5, patience: 2, minDelta: 0, cooldown: 1 });
    expect(s(0)).toBe(1);
    expect(trace(s, [10, 9, 9, 9, 9, 9, 8])).toEqual([1, 1, 1, 0.5, 0.5, 0.25, 0.25]);
  });

  it('never goes below minLr, and stops reducing once there', () => {
    const s = reduceOnPlateau({ initial: 1, factor: 0.5, patience: 1, minDelta: 0, minLr: 0.3 });
    expect(trace(s, [5, 5, 5, 5])).toEqual([1, 0.5, 0.3, 0.3]);
  });

  it("mode 'max' wants the value to rise by minDelta; a NaN report is no improvement", () => {
    const s = reduceOnPlateau({ initial: 1, factor: 0.1, patience: 1, minDelta: 0.01, mode: 'max' });
    expectClose(trace(s, [0.5, 0.505, 0.6, NaN]), [1, 0.1, 0.1, 0.01], 0, 1e-15, 'max mode');
  });

  it('rebuilds fresh from its config and checks report arguments', () => {
    const s = reduceOnPlateau({ initial: 1, factor: 0.5, patience: 1 });
    trace(s, [1, 1]);
    expect(s(0)).toBe(0.5);
    const fresh = scheduleFromConfig(JSON.parse(JSON.stringify(s.config)));
    expect(fresh(0)).toBe(1);
    expect(trace(fresh, [1, 1])).toEqual([1, 0.5]);
    expect(() => s.report!(1, -1)).toThrow(/reduceOnPlateau: report\(epoch\) must be an integer ≥ 0, got -1/);
    expect(() => s.report!('0.5' as never, 1)).toThrow(/report\(value\) must be a number/);
  });

  it('getState/setState carry the running state: a copy given the state continues exactly as the original', () => {
    const options = { initial: 1, factor: 0.5, patience: 2, minDelta: 0, cooldown: 2, mode: 'max' } as const;
    const s = reduceOnPlateau(options);
    expect(s.getState!()).toEqual({ lr: 1, best: Infinity, wait: 0, cooldownCounter: 0 });
    // Stop mid-cooldown with a reduced rate, so every field is away from its start.
    expect(trace(s, [1, 2, 2, 2])).toEqual([1, 1, 1, 0.5]);
    const state = s.getState!();
    expect(state).toEqual({ lr: 0.5, best: -2, wait: 0, cooldownCounter: 2 });
    const copy = reduceOnPlateau(options);
    copy.setState!(state);
    expect(copy(0)).toBe(0.5);
    const rest = [2, 2, 2, 2, 3, 3, 3];
    expect(trace(copy, rest)).toEqual(trace(s, rest));
    expect(copy.getState!()).toEqual(s.getState!());
    // getState() is a copy, not a view of the schedule's variables.
    expect(state.lr).toBe(0.5);
  });

  it('setState checks every field and, when one is bad, changes nothing', () => {
    const s = reduceOnPlateau({ initial: 1 });
    const good = { lr: 0.1, best: -Infinity, wait: 3, cooldownCounter: 1 };
    const bad: [object, RegExp][] = [
      [{ ...good, lr: -1 }, /reduceOnPlateau\.setState\(state\): lr must be a finite number ≥ 0, got -1/],
      [{ ...good, best: NaN }, /setState\(state\): best must be a number \(±Infinity allowed, not NaN\), got NaN/],
      [{ ...good, best: null }, /best must be a number .*got null/],
      [{ ...good, wait: 1.5 }, /wait must be a finite integer ≥ 0, got 1.5/],
      [{ lr: 1, best: 0, wait: 0 }, /cooldownCounter must be given/],
      [{ ...good, patience: 2 }, /unknown option 'patience'; known options: lr, best, wait, cooldownCounter/],
      [null as never, /reduceOnPlateau\.setState\(state\): lr must be given/],
    ];
    for (const [state, message] of bad) {
      expect(() => s.setState!(state as never)).toThrow(message);
      expect(s.getState!()).toEqual({ lr: 1, best: Infinity, wait: 0, cooldownCounter: 0 });
    }
    s.setState!(good);
    expect(s.getState!()).toEqual(good);
  });

  it('schedules that are functions of t keep no state', () => {
    for (const s of [constant(1), stepDecay({ initial: 1, factor: 0.5, every: 1 }), cosineDecay({ initial: 1, steps: 3 })]) {
      expect(s.getState).toBeUndefined();
      expect(s.setState).toBeUndefined();
    }
  });
});

describe('configs', () => {
  const made: LearningRateSchedule[] = [
    constant(0.05),
    inverseTimeDecay({ initial: 0.5, rate: 0.3, steps: 4, staircase: true, unit: 'batch' }),
    exponentialDecay({ initial: 0.1, lambda: 0.2 }),
    exponentialDecay({ initial: 0.1, rate: 0.5, steps: 3, staircase: true }),
    stepDecay({ initial: 1, factor: 0.5, every: 2 }),
    piecewiseConstant({ boundaries: [2, 5], values: [1, 0.5, 0.1], unit: 'batch' }),
    cosineDecay({ initial: 0, warmupTarget: 1, warmupSteps: 4, steps: 8, alpha: 0.1 }),
  ];

  it('every schedule rebuilds from its JSON config with the same values and unit', () => {
    for (const s of made) {
      const again = scheduleFromConfig(JSON.parse(JSON.stringify(s.config)));
      expect(again.config, s.config.name).toEqual(s.config);
      expect(again.unit).toBe(s.unit);
      expect(values(again, 15), s.config.name).toEqual(values(s, 15));
    }
  });

  it('configs are frozen, so the schedule cannot be changed through them', () => {
    const s = made[5];
    expect(() => (s.config.boundaries as number[]).push(9)).toThrow();
    expect(Object.isFrozen(s.config)).toBe(true);
  });

  it('an unknown name lists the known ones', () => {
    expect(() => scheduleFromConfig({ name: 'linearDecay' })).toThrow(
      "simdnet: unknown schedule 'linearDecay'; known schedules: constant, inverseTimeDecay, exponentialDecay, stepDecay, piecewiseConstant, cosineDecay, reduceOnPlateau",
    );
    expect(() => scheduleFromConfig(null as never)).toThrow(/schedule config must be an object with a 'name'/);
  });
});

describe('bad options give an error naming the option', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['negative rate', () => inverseTimeDecay({ initial: 1, rate: -0.1 }), /inverseTimeDecay: rate must be a finite number ≥ 0, got -0.1/],
    ['non-finite initial', () => stepDecay({ initial: Infinity, factor: 0.5, every: 1 }), /stepDecay: initial must be a finite number ≥ 0, got Infinity/],
    ['missing initial', () => cosineDecay({ steps: 10 } as never), /cosineDecay: initial must be given/],
    ['zero steps', () => inverseTimeDecay({ initial: 1, rate: 1, steps: 0 }), /steps must be a finite number > 0, got 0/],
    ['NaN lambda', () => exponentialDecay({ initial: 1, lambda: NaN }), /lambda must be .*got NaN/],
    ['zero keras rate', () => exponentialDecay({ initial: 1, rate: 0 }), /exponentialDecay: rate must be a finite number > 0, got 0/],
    ['boundaries not increasing', () => piecewiseConstant({ boundaries: [3, 3], values: [1, 2, 3] }), /boundaries must be strictly increasing, got \[3, 3\]/],
    ['values length', () => piecewiseConstant({ boundaries: [3], values: [1] }), /values must be one longer than boundaries/],
    ['negative value', () => piecewiseConstant({ boundaries: [3], values: [1, -1] }), /values\[1\] must be a finite number ≥ 0, got -1/],
    ['empty boundaries', () => piecewiseConstant({ boundaries: [], values: [1] }), /boundaries must be a non-empty array/],
    ['alpha above 1', () => cosineDecay({ initial: 1, steps: 5, alpha: 2 }), /alpha must be in \[0, 1\]/],
    ['warmup without target', () => cosineDecay({ initial: 1, steps: 5, warmupSteps: 2 }), /warmupTarget must be given when warmupSteps > 0/],
    ['target without warmup', () => cosineDecay({ initial: 1, steps: 5, warmupTarget: 2 }), /warmupSteps must be > 0 when warmupTarget is given/],
    ['factor 1', () => reduceOnPlateau({ initial: 1, factor: 1 }), /reduceOnPlateau: factor must be a finite number > 0 and < 1, got 1/],
    ['fractional patience', () => reduceOnPlateau({ initial: 1, patience: 1.5 }), /patience must be a finite integer ≥ 0, got 1.5/],
    ['bad mode', () => reduceOnPlateau({ initial: 1, mode: 'up' as never }), /mode must be one of 'min', 'max', got 'up'/],
    ['bad unit', () => stepDecay({ initial: 1, factor: 0.5, every: 1, unit: 'step' as never }), /unit must be one of 'epoch', 'batch', got 'step'/],
    ['unknown option', () => stepDecay({ initial: 1, factor: 0.5, every: 1, decay: 2 } as never), /stepDecay: unknown option 'decay'; known options: initial, factor, every, unit/],
    ['negative constant', () => constant(-1), /constant: lr must be a finite number ≥ 0, got -1/],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => expect(make).toThrow(message));
  }

  it('a negative or non-finite t', () => {
    const s = stepDecay({ initial: 1, factor: 0.5, every: 1 });
    expect(() => s(-1)).toThrow(/stepDecay: t must be a finite number ≥ 0, got -1/);
    expect(() => s(NaN)).toThrow(/got NaN/);
  });
});
