/**
 * Toy 2-D classification sets for demos, tests and plots. Each takes { n, noise, seed }: n points in
 * all, split between the classes as evenly as n allows (sizes differ by at most 1, the first classes
 * get the extra points), Gaussian noise of standard deviation `noise` added to both coordinates, and
 * the rows shuffled, all from one seeded Rng, so the same options give the same data bit for bit (in
 * every JS engine: the angles go through src/math/detmath.ts's sin and cos, not Math's).
 */
import { cos, sin } from '../math/detmath.js';
import { Rng } from '../math/random.js';
import { createDataset, type Dataset } from './dataset.js';

/** Options every toy set takes. */
export interface ToyOptions {
  /** Number of points, over all classes. */
  n?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate. */
  noise?: number;
  /** Seed of the generator. @default 0 */
  seed?: number;
}

/** Class sizes for n points in k classes, as even as possible. */
function classSizes(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, c) => Math.floor(n / k) + (c < n % k ? 1 : 0));
}

/**
 * Runs `point(c, i, m, rng)` for the i-th of m points of each class c, adds noise, shuffles the rows,
 * and returns the Dataset: the one loop every toy set shares.
 */
function generate(
  fn: string,
  options: ToyOptions,
  defaults: { n: number; noise: number },
  classes: number,
  point: (c: number, i: number, m: number, rng: Rng) => [number, number],
): Dataset {
  const { n = defaults.n, noise = defaults.noise, seed = 0 } = options;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`simdnet ${fn}: n must be a positive integer, got ${n}`);
  if (!(noise >= 0) || !Number.isFinite(noise)) throw new RangeError(`simdnet ${fn}: noise must be a finite number ≥ 0, got ${noise}`);
  const rng = new Rng(seed);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  let row = 0;
  classSizes(n, classes).forEach((m, c) => {
    for (let i = 0; i < m; i++, row++) {
      const [px, py] = point(c, i, m, rng);
      x[2 * row] = px + noise * rng.normal();
      x[2 * row + 1] = py + noise * rng.normal();
      y[row] = c;
    }
  });
  // Shuffle rows so that any prefix (take, a batch) holds every class.
  const order = rng.permutation(n);
  const xs = new Float32Array(2 * n);
  const ys = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = order[k];
    xs[2 * k] = x[2 * r];
    xs[2 * k + 1] = x[2 * r + 1];
    ys[k] = y[r];
  }
  return createDataset({ x: xs, y: ys, features: 2, classes });
}

/** Options of xor. */
export interface XorOptions extends ToyOptions {
  /**
   * 'clusters': Gaussian clouds around the four corners (±1, ±1), class 0 at (−1,−1) and (1,1), class
   * 1 at (−1,1) and (1,−1); n @default 200, noise @default 0.3.
   * 'corners': the classic truth table (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0, repeated to n points;
   * n @default 4, noise @default 0.
   * @default 'clusters'
   */
  points?: 'clusters' | 'corners';
}

/** The XOR problem: two classes that no straight line separates. */
export function xor(options: XorOptions = {}): Dataset {
  const { points = 'clusters' } = options;
  if (points === 'corners') {
    // Class = a XOR b: class 0 owns (0,0) and (1,1), class 1 owns (0,1) and (1,0).
    const corners: [number, number][][] = [[[0, 0], [1, 1]], [[0, 1], [1, 0]]];
    return generate('xor', options, { n: 4, noise: 0 }, 2, (c, i) => corners[c][i % 2]);
  }
  if (points !== 'clusters') throw new RangeError(`simdnet xor: points must be 'clusters' or 'corners', got ${JSON.stringify(points)}`);
  const centers: [number, number][][] = [[[-1, -1], [1, 1]], [[-1, 1], [1, -1]]];
  return generate('xor', options, { n: 200, noise: 0.3 }, 2, (c, i) => centers[c][i % 2]);
}

/** Options of blobs. */
export interface BlobsOptions extends ToyOptions {
  /** Number of blobs (classes). @default 3, or centers.length when centers are given */
  classes?: number;
  /**
   * Standard deviation of each blob: the blobs' noise (`noise` is accepted as the same thing, so every
   * toy set takes { n, noise, seed }). @default 0.5
   */
  spread?: number;
  /**
   * Blob centers, one [x, y] per class. @default evenly spaced on a circle around the origin of radius
   * 2·max(1, classes/6), so neighbouring centers are at least 2 apart
   */
  centers?: readonly (readonly [number, number])[];
}

/** Gaussian blobs, one per class (n @default 300). */
export function blobs(options: BlobsOptions = {}): Dataset {
  const { spread, noise, centers } = options;
  if (spread !== undefined && noise !== undefined && spread !== noise) {
    throw new RangeError(`simdnet blobs: spread (${spread}) and noise (${noise}) are the same setting; give one`);
  }
  const classes = options.classes ?? centers?.length ?? 3;
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`simdnet blobs: classes must be a positive integer, got ${classes}`);
  if (centers !== undefined && centers.length !== classes) throw new RangeError(`simdnet blobs: ${centers.length} centers for ${classes} classes`);
  const radius = 2 * Math.max(1, classes / 6);
  const at: readonly (readonly [number, number])[] =
    centers ?? Array.from({ length: classes }, (_, c) => [radius * cos((2 * Math.PI * c) / classes), radius * sin((2 * Math.PI * c) / classes)] as const);
  at.forEach((p, c) => {
    if (p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new RangeError(`simdnet blobs: centers[${c}] must be [x, y] of finite numbers`);
  });
  return generate('blobs', { ...options, noise: spread ?? noise }, { n: 300, noise: 0.5 }, classes, (c) => [at[c][0], at[c][1]]);
}

/** Options of circles. */
export interface CirclesOptions extends ToyOptions {
  /** Radius of the inner circle (class 1) relative to the outer one (class 0, radius 1), in (0, 1). @default 0.5 */
  factor?: number;
}

/** Two concentric circles, points evenly spaced in angle (like sklearn's make_circles); n @default 200, noise @default 0.05. */
export function circles(options: CirclesOptions = {}): Dataset {
  const { factor = 0.5 } = options;
  if (!(factor > 0 && factor < 1)) throw new RangeError(`simdnet circles: factor must be in (0, 1), got ${factor}`);
  return generate('circles', options, { n: 200, noise: 0.05 }, 2, (c, i, m) => {
    const r = c === 0 ? 1 : factor;
    const t = (2 * Math.PI * i) / m;
    return [r * cos(t), r * sin(t)];
  });
}

/** Options of spirals. */
export interface SpiralsOptions extends ToyOptions {
  /** How many times each arm winds around the origin. @default 1.5 */
  turns?: number;
}

/**
 * Two interleaved spirals (arms half a turn apart) whose radius grows from near 0 to 1; n @default
 * 200, noise @default 0.05.
 */
export function spirals(options: SpiralsOptions = {}): Dataset {
  const { turns = 1.5 } = options;
  if (!(turns > 0) || !Number.isFinite(turns)) throw new RangeError(`simdnet spirals: turns must be a positive number, got ${turns}`);
  return generate('spirals', options, { n: 200, noise: 0.05 }, 2, (c, i, m) => {
    const r = (i + 1) / m;
    const t = 2 * Math.PI * turns * r + Math.PI * c;
    return [r * cos(t), r * sin(t)];
  });
}

/**
 * Two interleaving half circles, as sklearn's make_moons: class 0 on (cos t, sin t), class 1 on
 * (1 − cos t, 0.5 − sin t), t evenly spaced in [0, π]; n @default 200, noise @default 0.1.
 */
export function moons(options: ToyOptions = {}): Dataset {
  return generate('moons', options, { n: 200, noise: 0.1 }, 2, (c, i, m) => {
    const t = m > 1 ? (Math.PI * i) / (m - 1) : 0;
    return c === 0 ? [cos(t), sin(t)] : [1 - cos(t), 0.5 - sin(t)];
  });
}

/** The toy sets by name (for a CLI's `--data moons`); see each function for its options. */
export const TOY_DATASETS: {
  /** The four corners of the unit square labelled by XOR, with noise: xor(). */
  readonly xor: typeof xor;
  /** Gaussian blobs, one per class: blobs(). */
  readonly blobs: typeof blobs;
  /** Two concentric circles: circles(). */
  readonly circles: typeof circles;
  /** Interleaved spirals, one arm per class: spirals(). */
  readonly spirals: typeof spirals;
  /** Two interleaved half moons: moons(). */
  readonly moons: typeof moons;
} = { xor, blobs, circles, spirals, moons };

/** A name of TOY_DATASETS. */
export type ToyName = keyof typeof TOY_DATASETS;

/** Makes the toy set `name`; throws a clear error listing the names on an unknown one. */
export function toyDataset(name: string, options: ToyOptions = {}): Dataset {
  if (!Object.hasOwn(TOY_DATASETS, name)) {
    throw new RangeError(`simdnet toyDataset: unknown toy data set ${JSON.stringify(name)}; known: ${Object.keys(TOY_DATASETS).join(', ')}`);
  }
  return TOY_DATASETS[name as ToyName](options);
}
