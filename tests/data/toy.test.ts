/** Toy 2-D sets: shape, balance, determinism per seed, and the geometry each one promises. */
import { describe, expect, it } from 'vitest';
import { blobs, circles, classCounts, moons, spirals, toyDataset, xor, TOY_DATASETS, type Dataset } from '../../src/data/index.js';

const names = Object.keys(TOY_DATASETS);

function point(ds: Dataset, i: number): [number, number] {
  return [ds.x[2 * i], ds.x[2 * i + 1]];
}

describe('toy data sets', () => {
  for (const name of names) {
    it(`${name}: 2 features, balanced classes, same data per seed, other data for another seed`, () => {
      const a = toyDataset(name, { n: 101, seed: 7 });
      expect([a.n, a.features, a.x.length]).toEqual([101, 2, 202]);
      const counts = [...classCounts(a)];
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      expect(counts.reduce((s, c) => s + c, 0)).toBe(101);
      const b = toyDataset(name, { n: 101, seed: 7 });
      expect([...b.x]).toEqual([...a.x]);
      expect([...b.y]).toEqual([...a.y]);
      const c = toyDataset(name, { n: 101, seed: 8 });
      expect([...c.x]).not.toEqual([...a.x]);
      expect(a.x.every(Number.isFinite)).toBe(true);
      // Shuffled: the first 20 rows already hold more than one class.
      expect(new Set(a.y.subarray(0, 20)).size).toBeGreaterThan(1);
    });
  }

  it('rejects an unknown name and bad options, naming them', () => {
    expect(() => toyDataset('spiral')).toThrow('simdnet toyDataset: unknown toy data set "spiral"; known: xor, blobs, circles, spirals, moons');
    expect(() => moons({ n: 0 })).toThrow('simdnet moons: n must be a positive integer, got 0');
    expect(() => circles({ noise: -1 })).toThrow('simdnet circles: noise must be a finite number ≥ 0');
    expect(() => circles({ factor: 1 })).toThrow('simdnet circles: factor must be in (0, 1)');
    expect(() => blobs({ classes: 2, centers: [[0, 0]] })).toThrow('simdnet blobs: 1 centers for 2 classes');
    expect(() => blobs({ spread: 1, noise: 2 })).toThrow('simdnet blobs: spread (1) and noise (2) are the same setting');
  });

  it('xor corners: the truth table, without noise by default', () => {
    const ds = xor({ points: 'corners' });
    expect(ds.n).toBe(4);
    const table = new Map<string, number>();
    for (let i = 0; i < 4; i++) table.set(point(ds, i).join(','), ds.y[i]);
    expect(Object.fromEntries(table)).toEqual({ '0,0': 0, '1,1': 0, '0,1': 1, '1,0': 1 });
  });

  it('xor clusters: points sit in the quadrant of their class with little noise', () => {
    const ds = xor({ n: 400, noise: 0.1, seed: 1 });
    for (let i = 0; i < ds.n; i++) {
      const [x, y] = point(ds, i);
      expect(x * y > 0 ? 0 : 1).toBe(ds.y[i]);
    }
  });

  it('blobs: class means are the given centers, spread is the std', () => {
    const centers: [number, number][] = [[5, 0], [0, -5], [-3, 3]];
    const ds = blobs({ n: 3000, centers, spread: 0.5, seed: 3 });
    expect(ds.classes).toBe(3);
    for (let c = 0; c < 3; c++) {
      let sx = 0;
      let sy = 0;
      let ss = 0;
      let m = 0;
      for (let i = 0; i < ds.n; i++) {
        if (ds.y[i] !== c) continue;
        const [x, y] = point(ds, i);
        sx += x;
        sy += y;
        ss += (x - centers[c][0]) ** 2 + (y - centers[c][1]) ** 2;
        m++;
      }
      expect(Math.abs(sx / m - centers[c][0])).toBeLessThan(0.1);
      expect(Math.abs(sy / m - centers[c][1])).toBeLessThan(0.1);
      expect(Math.sqrt(ss / (2 * m))).toBeCloseTo(0.5, 1);
    }
    expect(blobs({ classes: 10 }).classes).toBe(10);
  });

  it('circles: radius 1 for class 0 and factor for class 1 without noise', () => {
    const ds = circles({ n: 50, noise: 0, factor: 0.3 });
    for (let i = 0; i < ds.n; i++) expect(Math.hypot(...point(ds, i))).toBeCloseTo(ds.y[i] === 0 ? 1 : 0.3, 5);
  });

  it('spirals: radii within (0, 1], the two arms half a turn apart', () => {
    const ds = spirals({ n: 200, noise: 0, turns: 2 });
    for (let i = 0; i < ds.n; i++) {
      const [x, y] = point(ds, i);
      const r = Math.hypot(x, y);
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThanOrEqual(1 + 1e-6);
      // On arm c the angle is 2π·turns·r + π·c (mod 2π).
      const expected = 2 * Math.PI * 2 * r + Math.PI * ds.y[i];
      const diff = Math.atan2(Math.sin(Math.atan2(y, x) - expected), Math.cos(Math.atan2(y, x) - expected));
      expect(Math.abs(diff)).toBeLessThan(1e-4);
    }
  });

  it('moons: the two sklearn half circles without noise', () => {
    const ds = moons({ n: 60, noise: 0 });
    for (let i = 0; i < ds.n; i++) {
      const [x, y] = point(ds, i);
      if (ds.y[i] === 0) {
        expect(Math.hypot(x, y)).toBeCloseTo(1, 5);
        expect(y).toBeGreaterThanOrEqual(-1e-6);
      } else {
        expect(Math.hypot(x - 1, y - 0.5)).toBeCloseTo(1, 5);
        expect(y).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
  });
});
