/**
 * Weight initializers, with Keras' names, defaults and formulas. All draw from the `Rng` passed to
 * fill() (src/math/random.ts), so the same seed gives the same weights, bit for bit, on every engine.
 *
 * The fan-scaled ones (Glorot, He, LeCun) are presets of varianceScaling: Var(w) = scale / n with
 * n = fanIn, fanOut or their mean. Their normal forms draw from a normal truncated at ±2σ (as Keras
 * does since 2.x) with σ enlarged by 1/0.8796... so that the truncated values still have the variance
 * scale / n.
 */
import type { Rng } from '../math/random.js';
import type { Initializer, PieceConfig } from './types.js';
import { OptionReader, Registry, noOptions, snakeToCamel, excerpt } from './pieces.js';

/** Wraps a fill function into an Initializer that checks its arguments. */
function makeInitializer(config: PieceConfig, fill: (out: Float32Array, fanIn: number, fanOut: number, rng: Rng) => void): Initializer {
  const fail = (what: string): never => {
    throw new RangeError(`simdnet ${config.name}.fill: ${what}`);
  };
  return Object.freeze({
    config: Object.freeze(config),
    fill(out: Float32Array, fanIn: number, fanOut: number, rng: Rng): void {
      if (!(out instanceof Float32Array)) fail(`out must be a Float32Array, got ${excerpt(out)}`);
      if (!Number.isSafeInteger(fanIn) || fanIn < 1) fail(`fanIn must be a positive integer, got ${String(fanIn)}`);
      if (!Number.isSafeInteger(fanOut) || fanOut < 1) fail(`fanOut must be a positive integer, got ${String(fanOut)}`);
      if (typeof rng?.next !== 'function') fail(`rng must be an Rng (src/math/random.ts), got ${excerpt(rng)}`);
      fill(out, fanIn, fanOut, rng);
    },
  });
}

/** Every value is `value` (Keras' Constant). @default 0 */
export function constant(value = 0): Initializer {
  const v = new OptionReader('constant', { value }, ['value']).number('value', undefined);
  return makeInitializer({ name: 'constant', value: v }, (out) => out.fill(v));
}

/** All zeros (Keras' default for biases). */
export function zeros(options?: Record<string, never>): Initializer {
  noOptions('zeros', options);
  return makeInitializer({ name: 'zeros' }, (out) => out.fill(0));
}

/** All ones. */
export function ones(options?: Record<string, never>): Initializer {
  noOptions('ones', options);
  return makeInitializer({ name: 'ones' }, (out) => out.fill(1));
}

/** Options of randomUniform(). */
export interface RandomUniformOptions {
  /** @default -0.05 */
  min?: number;
  /** @default 0.05 */
  max?: number;
}

/** Uniform on [min, max). */
export function randomUniform(options: RandomUniformOptions = {}): Initializer {
  const r = new OptionReader('randomUniform', options, ['min', 'max']);
  const c = { name: 'randomUniform', min: r.number('min', -0.05), max: r.number('max', 0.05) };
  if (!(c.max > c.min)) r.fail('max', `greater than min (${c.min})`, c.max);
  return makeInitializer(c, (out, _i, _o, rng) => {
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform(c.min, c.max);
  });
}

/** Options of randomNormal(). */
export interface RandomNormalOptions {
  /** @default 0 */
  mean?: number;
  /** @default 0.05 */
  stddev?: number;
}

function readNormal(name: string, options: RandomNormalOptions) {
  const r = new OptionReader(name, options, ['mean', 'stddev']);
  return { name, mean: r.number('mean', 0), stddev: r.number('stddev', 0.05, { min: 0 }) };
}

/** A standard normal scaled: mean + stddev·z, z untruncated. */
function fillNormal(out: Float32Array, rng: Rng, mean: number, stddev: number): void {
  for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.normal();
}

/** mean + stddev·z with z redrawn until |z| ≤ 2 (Keras' TruncatedNormal: values within 2σ of the mean). */
function fillTruncatedNormal(out: Float32Array, rng: Rng, mean: number, stddev: number): void {
  for (let i = 0; i < out.length; i++) {
    let z: number;
    do z = rng.normal(); while (Math.abs(z) > 2);
    out[i] = mean + stddev * z;
  }
}

/** Normal(mean, stddev²). */
export function randomNormal(options: RandomNormalOptions = {}): Initializer {
  const c = readNormal('randomNormal', options);
  return makeInitializer(c, (out, _i, _o, rng) => fillNormal(out, rng, c.mean, c.stddev));
}

/**
 * Normal(mean, stddev²) redrawn outside mean ± 2·stddev. Note the values' own standard deviation is
 * about 0.88·stddev (the truncation removes the tails), as in Keras.
 */
export function truncatedNormal(options: RandomNormalOptions = {}): Initializer {
  const c = readNormal('truncatedNormal', options);
  return makeInitializer(c, (out, _i, _o, rng) => fillTruncatedNormal(out, rng, c.mean, c.stddev));
}

/** The standard deviation of a standard normal truncated to [−2, 2] (Keras' correction constant). */
const TRUNCATED_STDDEV = 0.87962566103423978;

/** Which fan varianceScaling divides by: the inputs, the outputs, or their mean. */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
/** The distribution varianceScaling draws from. */
export type ScalingDistribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

/** Options of varianceScaling(). */
export interface VarianceScalingOptions {
  /**
   * Var(w) = scale / n.
   * @default 1
   */
  scale?: number;
  /**
   * n: fanIn, fanOut, or (fanIn + fanOut) / 2.
   * @default 'fanIn'
   */
  mode?: FanMode;
  /**
   * 'uniform' draws from ±√(3·scale/n); the normal forms have standard deviation √(scale/n)
   * ('truncatedNormal' corrected for the truncation at ±2σ).
   * @default 'truncatedNormal'
   */
  distribution?: ScalingDistribution;
}

function scaled(scale: number, mode: FanMode, distribution: ScalingDistribution, config: PieceConfig): Initializer {
  return makeInitializer(config, (out, fanIn, fanOut, rng) => {
    const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / n;
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
    } else if (distribution === 'truncatedNormal') {
      fillTruncatedNormal(out, rng, 0, Math.sqrt(variance) / TRUNCATED_STDDEV);
    } else {
      fillNormal(out, rng, 0, Math.sqrt(variance));
    }
  });
}

/** Keras' VarianceScaling: the family Glorot, He and LeCun belong to. */
export function varianceScaling(options: VarianceScalingOptions = {}): Initializer {
  const r = new OptionReader('varianceScaling', options, ['scale', 'mode', 'distribution']);
  const c = {
    name: 'varianceScaling',
    scale: r.number('scale', 1, { above: 0 }),
    mode: r.oneOf('mode', ['fanIn', 'fanOut', 'fanAvg'] as const, 'fanIn'),
    distribution: r.oneOf('distribution', ['truncatedNormal', 'untruncatedNormal', 'uniform'] as const, 'truncatedNormal'),
  };
  return scaled(c.scale, c.mode, c.distribution, c);
}

/** A named preset of varianceScaling, without options (its config is just its name). */
function preset(name: string, scale: number, mode: FanMode, distribution: ScalingDistribution): (options?: Record<string, never>) => Initializer {
  return (options) => {
    noOptions(name, options);
    return scaled(scale, mode, distribution, { name });
  };
}

/** Glorot/Xavier uniform: U(±√(6/(fanIn + fanOut))), Var = 2/(fanIn + fanOut). Keras' default for dense kernels. */
export const glorotUniform = preset('glorotUniform', 1, 'fanAvg', 'uniform');
/** Glorot/Xavier normal (truncated): Var = 2/(fanIn + fanOut). */
export const glorotNormal = preset('glorotNormal', 1, 'fanAvg', 'truncatedNormal');
/** He/Kaiming uniform: U(±√(6/fanIn)), Var = 2/fanIn (for ReLU layers). */
export const heUniform = preset('heUniform', 2, 'fanIn', 'uniform');
/** He/Kaiming normal (truncated): Var = 2/fanIn. */
export const heNormal = preset('heNormal', 2, 'fanIn', 'truncatedNormal');
/** LeCun uniform: U(±√(3/fanIn)), Var = 1/fanIn (for SELU layers). */
export const lecunUniform = preset('lecunUniform', 1, 'fanIn', 'uniform');
/** LeCun normal (truncated): Var = 1/fanIn. */
export const lecunNormal = preset('lecunNormal', 1, 'fanIn', 'truncatedNormal');

/**
 * Registry keys are camelCase; Keras' snake_case ('glorot_uniform') and class names ('GlorotUniform')
 * are accepted too.
 */
function normalizeName(name: string): string {
  const camel = snakeToCamel(name);
  return camel.charAt(0).toLowerCase() + camel.slice(1);
}

const INITIALIZERS = new Registry<Initializer>('initializer', {
  zeros,
  ones,
  // constant() takes the value itself; its config is { name: 'constant', value }.
  constant: (o) => constant(new OptionReader('constant', o, ['value']).raw('value') as number | undefined),
  randomUniform,
  randomNormal,
  truncatedNormal,
  varianceScaling,
  glorotUniform,
  glorotNormal,
  heUniform,
  heNormal,
  lecunUniform,
  lecunNormal,
}, normalizeName);

/** The names initializer() and initializerFromConfig() know. */
export const INITIALIZER_NAMES: readonly string[] = INITIALIZERS.names;

/** An initializer by name, with options: `initializer('glorot_uniform')`, `initializer('randomNormal', { stddev: 0.1 })`. */
export function initializer(name: string, options: object = {}): Initializer {
  return INITIALIZERS.create(name, options);
}

/** Rebuilds an initializer from its config ({ name: 'randomNormal', mean, stddev }; a bare name takes the defaults). */
export function initializerFromConfig(config: PieceConfig): Initializer {
  return INITIALIZERS.fromConfig(config);
}
