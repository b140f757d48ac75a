import { describe, expect, it } from 'vitest';
import { Rng, initializer, initializerFromConfig, initializers, type Initializer } from '../../src/index.js';

const {
  zeros, ones, constant, randomUniform, randomNormal, truncatedNormal, varianceScaling,
  glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal,
} = initializers;

/** The standard deviation of a standard normal truncated to [−2, 2]. */
const TRUNCATED = 0.87962566103423978;

function filled(init: Initializer, fanIn: number, fanOut: number, seed: number): Float32Array {
  const out = new Float32Array(fanIn * fanOut);
  init.fill(out, fanIn, fanOut, new Rng(seed));
  return out;
}

function moments(x: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  let sq = 0;
  for (const v of x) sq += (v - mean) ** 2;
  return { mean, variance: sq / (x.length - 1), min: Math.min(...x), max: Math.max(...x) };
}

/**
 * Each case: the variance and mean its formula gives for [fanIn, fanOut], and the interval every
 * value must lie in (uniform limits, or the ±2σ truncation; null for an untruncated normal).
 */
interface Case {
  label: string;
  init: Initializer;
  variance: (fanIn: number, fanOut: number) => number;
  mean?: number;
  bounds: ((fanIn: number, fanOut: number) => [number, number]) | null;
}

const sym = (limit: number): [number, number] => [-limit, limit];
const CASES: Case[] = [
  { label: 'glorotUniform', init: glorotUniform(), variance: (i, o) => 2 / (i + o), bounds: (i, o) => sym(Math.sqrt(6 / (i + o))) },
  { label: 'glorotNormal', init: glorotNormal(), variance: (i, o) => 2 / (i + o), bounds: (i, o) => sym((2 * Math.sqrt(2 / (i + o))) / TRUNCATED) },
  { label: 'heUniform', init: heUniform(), variance: (i) => 2 / i, bounds: (i) => sym(Math.sqrt(6 / i)) },
  { label: 'heNormal', init: heNormal(), variance: (i) => 2 / i, bounds: (i) => sym((2 * Math.sqrt(2 / i)) / TRUNCATED) },
  { label: 'lecunUniform', init: lecunUniform(), variance: (i) => 1 / i, bounds: (i) => sym(Math.sqrt(3 / i)) },
  { label: 'lecunNormal', init: lecunNormal(), variance: (i) => 1 / i, bounds: (i) => sym((2 * Math.sqrt(1 / i)) / TRUNCATED) },
  {
    label: 'varianceScaling fanOut untruncated',
    init: varianceScaling({ scale: 3, mode: 'fanOut', distribution: 'untruncatedNormal' }),
    variance: (_, o) => 3 / o,
    bounds: null,
  },
  {
    label: 'varianceScaling fanAvg uniform',
    init: varianceScaling({ scale: 0.5, mode: 'fanAvg', distribution: 'uniform' }),
    variance: (i, o) => 0.5 / ((i + o) / 2),
    bounds: (i, o) => sym(Math.sqrt((3 * 0.5) / ((i + o) / 2))),
  },
  { label: 'randomNormal', init: randomNormal({ mean: 1, stddev: 0.2 }), variance: () => 0.04, mean: 1, bounds: null },
  { label: 'randomUniform', init: randomUniform({ min: -1, max: 3 }), variance: () => 16 / 12, mean: 1, bounds: () => [-1, 3] },
  {
    label: 'truncatedNormal',
    init: truncatedNormal({ mean: 0.5, stddev: 0.1 }),
    variance: () => (0.1 * TRUNCATED) ** 2,
    mean: 0.5,
    bounds: () => [0.3, 0.7],
  },
];

describe('random initializers', () => {
  // [256, 256] as a square dense kernel; [128, 512] tells fanIn, fanOut and their mean apart.
  for (const [fanIn, fanOut] of [[256, 256], [128, 512]]) {
    it(`have the variance and mean of their formula, within a statistical bound, on a ${fanIn}×${fanOut} kernel`, () => {
      const n = fanIn * fanOut;
      for (const { label, init, variance, mean = 0 } of CASES) {
        const m = moments(filled(init, fanIn, fanOut, 1));
        const v = variance(fanIn, fanOut);
        // The sample variance has relative standard deviation √((κ − 1)/n), κ the kurtosis: at most
        // √(2/n) here (the normal's κ = 3; uniform and truncated normals have less). 6 of those is a
        // bound a correct initializer misses with probability ~1e-9.
        expect(Math.abs(m.variance / v - 1), `${label} [${fanIn}, ${fanOut}]: variance ${m.variance}, formula ${v}`).toBeLessThan(6 * Math.sqrt(2 / n));
        expect(Math.abs(m.mean - mean), `${label} [${fanIn}, ${fanOut}]: mean ${m.mean}`).toBeLessThan(6 * Math.sqrt(v / n));
      }
    });
  }

  it('respect their bounds, and the truncated ones reach close to them', () => {
    for (const { label, init, bounds } of CASES) {
      if (bounds === null) continue;
      const [lo, hi] = bounds(128, 512);
      const m = moments(filled(init, 128, 512, 2));
      expect(m.min, `${label} min`).toBeGreaterThanOrEqual(Math.fround(lo));
      expect(m.max, `${label} max`).toBeLessThanOrEqual(Math.fround(hi));
      // With 65536 draws the extremes come within 2% of the interval's ends.
      expect(m.min, `${label} min near ${lo}`).toBeLessThan(lo + 0.02 * (hi - lo));
      expect(m.max, `${label} max near ${hi}`).toBeGreaterThan(hi - 0.02 * (hi - lo));
    }
  });

  it('give identical values for the same seed, and different values for another', () => {
    for (const { label, init } of CASES) {
      const a = filled(init, 16, 24, 7);
      expect(Array.from(filled(init, 16, 24, 7)), label).toEqual(Array.from(a));
      expect(Array.from(filled(init, 16, 24, 8)), label).not.toEqual(Array.from(a));
    }
  });
});

describe('constant initializers', () => {
  it('zeros, ones and constant(v) (Keras: constant() is 0)', () => {
    const rng = new Rng(1);
    const out = new Float32Array(5).fill(9);
    zeros().fill(out, 5, 1, rng);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
    ones().fill(out, 5, 1, rng);
    expect(Array.from(out)).toEqual([1, 1, 1, 1, 1]);
    constant(-0.5).fill(out, 5, 1, rng);
    expect(Array.from(out)).toEqual([-0.5, -0.5, -0.5, -0.5, -0.5]);
    expect(constant().config).toEqual({ name: 'constant', value: 0 });
  });
});

describe('names and configs', () => {
  it("accept camelCase, Keras snake_case and Keras class names for the same initializer", () => {
    const expected = Array.from(filled(glorotUniform(), 8, 4, 3));
    for (const name of ['glorotUniform', 'glorot_uniform', 'GlorotUniform']) {
      const init = initializer(name);
      expect(init.config).toEqual({ name: 'glorotUniform' });
      expect(Array.from(filled(init, 8, 4, 3)), name).toEqual(expected);
    }
    expect(initializerFromConfig({ name: 'he_normal' }).config).toEqual({ name: 'heNormal' });
    expect(initializer('random_normal', { stddev: 0.1 }).config).toEqual({ name: 'randomNormal', mean: 0, stddev: 0.1 });
  });

  it('every initializer rebuilds from its JSON config and fills the same values', () => {
    for (const init of [...CASES.map((c) => c.init), zeros(), ones(), constant(0.25)]) {
      const again = initializerFromConfig(JSON.parse(JSON.stringify(init.config)));
      expect(again.config).toEqual(init.config);
      expect(Array.from(filled(again, 6, 5, 4)), init.config.name).toEqual(Array.from(filled(init, 6, 5, 4)));
    }
  });

  it('an unknown name lists the known ones', () => {
    expect(() => initializer('xavier')).toThrow(
      "simdnet: unknown initializer 'xavier'; known initializers: zeros, ones, constant, randomUniform, randomNormal, truncatedNormal, varianceScaling, glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal",
    );
  });
});

describe('bad options and arguments give an error naming them', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['negative stddev', () => randomNormal({ stddev: -1 }), /randomNormal: stddev must be a finite number ≥ 0, got -1/],
    ['max not above min', () => randomUniform({ min: 1, max: 1 }), /randomUniform: max must be greater than min \(1\), got 1/],
    ['Keras-spelt mode', () => varianceScaling({ mode: 'fan_in' as never }), /varianceScaling: mode must be one of 'fanIn', 'fanOut', 'fanAvg', got 'fan_in'/],
    ['zero scale', () => varianceScaling({ scale: 0 }), /scale must be a finite number > 0, got 0/],
    ['non-finite constant', () => constant(NaN), /constant: value must be a finite number, got NaN/],
    ['options on a preset', () => glorotUniform({ seed: 1 } as never), /glorotUniform: unknown option 'seed'/],
    ['options in a config', () => initializerFromConfig({ name: 'zeros', value: 1 }), /zeros: unknown option 'value'/],
    ['zero fanIn', () => heNormal().fill(new Float32Array(4), 0, 4, new Rng(1)), /heNormal.fill: fanIn must be a positive integer, got 0/],
    ['fractional fanOut', () => zeros().fill(new Float32Array(4), 4, 1.5, new Rng(1)), /zeros.fill: fanOut must be a positive integer, got 1.5/],
    ['plain array out', () => ones().fill([0, 0] as never, 2, 1, new Rng(1)), /ones.fill: out must be a Float32Array/],
    ['missing rng', () => lecunUniform().fill(new Float32Array(4), 2, 2, undefined as never), /lecunUniform.fill: rng must be an Rng/],
  ];
  for (const [what, make, message] of cases) {
    it(what, () => expect(make).toThrow(message));
  }
});
