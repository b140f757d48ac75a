/** Preprocessing: scaling, standardization from the training split only, one-hot, subsets and splits. */
import { describe, expect, it } from 'vitest';
import {
  blobs, classCounts, concatDatasets, createDataset, oneHot, scaleToUnit, standardize, subset, take, trainValTestSplit, type Dataset,
} from '../../src/data/index.js';
import { expectClose } from '../support/helpers.js';

/** A 3-feature set: column 0 = i, column 1 = 10 − 2i, column 2 constant 4; label i mod 3. */
function ramp(n: number, offset = 0): Dataset {
  const x = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) x.set([i + offset, 10 - 2 * (i + offset), 4], 3 * i);
  return createDataset({ x, y: Int32Array.from({ length: n }, (_, i) => i % 3), features: 3, classes: 3 });
}

describe('scaleToUnit', () => {
  it('maps bytes and numbers to x / max', () => {
    expect([...scaleToUnit(Uint8Array.from([0, 51, 255]))]).toEqual([0, Math.fround(0.2), 1]);
    expect([...scaleToUnit([2, 5], 10)]).toEqual([0.2, 0.5].map(Math.fround));
    expect(() => scaleToUnit([1], 0)).toThrow('simdnet scaleToUnit: max must be a positive finite number, got 0');
  });
});

describe('standardize', () => {
  it('uses the mean and std of train only and leaves constant columns unchanged', () => {
    const train = ramp(5); // column 0: 0..4 → mean 2, std √2
    const test = ramp(4, 100);
    const { stats, train: tr, others: [te] } = standardize(train, test);
    expectClose(stats.mean, [2, 6, 0], 1e-6, 0, 'mean');
    expectClose(stats.std, [Math.SQRT2, 2 * Math.SQRT2, 1], 1e-6, 0, 'std');
    // Train columns get mean 0 and std 1; the constant column stays 4.
    expectClose(Array.from({ length: 5 }, (_, i) => tr.x[3 * i]), [-2, -1, 0, 1, 2].map((v) => v / Math.SQRT2), 1e-6, 0, 'train col 0');
    expect(Array.from({ length: 5 }, (_, i) => tr.x[3 * i + 2])).toEqual([4, 4, 4, 4, 4]);
    // Test is shifted by the TRAIN statistics (its own mean would be 101.5, not 2).
    expectClose([te.x[0], te.x[1], te.x[2]], [(100 - 2) / Math.SQRT2, (10 - 200 - 6) / (2 * Math.SQRT2), 4], 1e-4, 1e-6, 'test row 0');
    // Inputs are not modified.
    expect(train.x[0]).toBe(0);
    expect(test.x[0]).toBe(100);
    expect([...te.y]).toEqual([...test.y]);
  });

  it('rejects splits with other feature counts', () => {
    expect(() => standardize(ramp(3), blobs({ n: 3 }))).toThrow('simdnet standardize: others[0] has 2 features, train has 3');
  });
});

describe('oneHot', () => {
  it('puts one 1 per row at the label', () => {
    expect([...oneHot([2, 0], 3)]).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHot([0, 3], 3)).toThrow('simdnet oneHot: labels[1] = 3 is outside 0..2');
  });
});

describe('subset / take / concat', () => {
  it('copies the chosen rows with their labels and metadata', () => {
    const ds = ramp(6);
    const s = subset(ds, [4, 1, 4]);
    expect([...s.x]).toEqual([4, 2, 4, 1, 8, 4, 4, 2, 4]);
    expect([...s.y]).toEqual([1, 1, 1]);
    expect(() => subset(ds, [6])).toThrow('simdnet subset: indices[0] = 6 is outside 0..5');
    const t = take(ds, 2);
    expect([t.n, ...t.x]).toEqual([2, 0, 10, 4, 1, 8, 4]);
    expect(take(ds, 100).n).toBe(6);
    const c = concatDatasets([take(ds, 2), subset(ds, [5])]);
    expect([...c.y]).toEqual([0, 1, 2]);
    expect(() => concatDatasets([ds, blobs({ n: 2 })])).toThrow('simdnet concatDatasets: datasets[1] has features 2');
  });

  it('createDataset checks that the parts agree', () => {
    expect(() => createDataset({ x: new Float32Array(5), y: new Int32Array(2), features: 2, classes: 2 })).toThrow('x has 5 values, expected n·features = 2·2 = 4');
    expect(() => createDataset({ x: new Float32Array(4), y: Int32Array.from([0, 2]), features: 2, classes: 2 })).toThrow('y[1] = 2 is outside the class range 0..1');
    expect(() => createDataset({ x: new Float32Array(4), y: new Int32Array(2), features: 2, classes: 2, shape: [1, 1, 1] })).toThrow('shape [1, 1, 1] holds 1 values, but features = 2');
  });
});

describe('trainValTestSplit', () => {
  const ds = blobs({ n: 1003, classes: 4, seed: 5 });

  /** The original row index of each row of a split (rows are unique: blobs draws continuous noise). */
  function rowsOf(split: Dataset): number[] {
    const index = new Map<string, number>();
    for (let i = 0; i < ds.n; i++) index.set(`${ds.x[2 * i]},${ds.x[2 * i + 1]}`, i);
    return Array.from({ length: split.n }, (_, k) => index.get(`${split.x[2 * k]},${split.x[2 * k + 1]}`)!);
  }

  for (const stratify of [false, true]) {
    it(`splits into disjoint parts that cover the data (stratify ${stratify})`, () => {
      const { train, val, test } = trainValTestSplit(ds, { val: 0.2, test: 0.1, seed: 9, stratify });
      const rows = [train, val, test].map(rowsOf);
      const all = rows.flat();
      expect(all.length).toBe(ds.n);
      expect(new Set(all).size).toBe(ds.n);
      // Sizes follow the fractions; labels travel with their rows; original order kept within a split.
      expect(Math.abs(val.n - 0.2 * ds.n)).toBeLessThanOrEqual(stratify ? 4 : 1);
      expect(Math.abs(test.n - 0.1 * ds.n)).toBeLessThanOrEqual(stratify ? 4 : 1);
      for (const [s, split] of [train, val, test].entries()) {
        rows[s].forEach((r, k) => expect(split.y[k]).toBe(ds.y[r]));
        expect(rows[s]).toEqual([...rows[s]].sort((a, b) => a - b));
      }
      if (stratify) {
        const whole = classCounts(ds);
        const inVal = classCounts(val);
        for (let c = 0; c < 4; c++) expect(Math.abs(inVal[c] - 0.2 * whole[c])).toBeLessThanOrEqual(0.5);
      }
    });
  }

  it('is seeded: same seed same split, another seed another split', () => {
    const a = trainValTestSplit(ds, { seed: 1 });
    const b = trainValTestSplit(ds, { seed: 1 });
    const c = trainValTestSplit(ds, { seed: 2 });
    expect([...a.test.x]).toEqual([...b.test.x]);
    expect([...a.test.x]).not.toEqual([...c.test.x]);
  });

  it('rejects fractions that do not fit', () => {
    expect(() => trainValTestSplit(ds, { val: 0.6, test: 0.4 })).toThrow('simdnet trainValTestSplit: val + test must be < 1, got 0.6 + 0.4');
    expect(() => trainValTestSplit(ds, { test: -0.1 })).toThrow('simdnet trainValTestSplit: test must be a fraction in [0, 1), got -0.1');
  });
});
