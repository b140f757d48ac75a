/**
 * fit()'s augment option (src/train/augment.ts): the moved rows against a pixel-by-pixel reference
 * (odd sizes, 1×1 images, moves past the edge, mirrors), the batches fit() really trains on against
 * moves drawn independently from the documented seed, the same bits from the same seed on both
 * backends, resumed runs, no copy of the data set, and the option errors.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { adam, dense, flatten, loadModel, sequential, Rng, type Sequential } from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { BatchBuffers } from '../../src/model/data.js';
import { augmentSeed, moveRow, readAugment } from '../../src/train/augment.js';
import { backends, randomArray, randomLabels, withModel } from '../support/helpers.js';
import { bits } from '../support/model-data.js';

const { wasm, js } = await backends();

/** Output pixel (y, x, k) = input (y − dy, x' − dx, k), x' = x or w − 1 − x; 0 outside. One pixel at a time. */
function reference(src: Float32Array, h: number, w: number, c: number, dy: number, dx: number, flip: boolean): Float32Array {
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sy = y - dy;
      const sx = (flip ? w - 1 - x : x) - dx;
      for (let k = 0; k < c; k++) {
        out[(y * w + x) * c + k] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[(sy * w + sx) * c + k] : 0;
      }
    }
  }
  return out;
}

describe('moveRow', () => {
  test('matches the pixel-by-pixel reference on odd shapes, 1×1 images and moves past the edge', () => {
    const shapes: [number, number, number][] = [[1, 1, 1], [1, 1, 3], [5, 7, 3], [7, 5, 1], [2, 9, 2], [28, 28, 1]];
    for (const [h, w, c] of shapes) {
      const src = randomArray(3 * h * w * c, h * 100 + w * 10 + c);
      for (const flip of [false, true]) {
        // Every move up to one past the edge (a few around 0 for the 28×28 digit).
        const reach = (d: number): number => (d > 9 ? 3 : d + 1);
        for (let dy = -reach(Math.max(h, 2)); dy <= reach(Math.max(h, 2)); dy++) {
          for (let dx = -reach(w); dx <= reach(w); dx++) {
            // Row 1 of three, into row 2 of a buffer pre-filled with garbage: offsets and full overwrite both checked.
            const dst = new Float32Array(3 * h * w * c).fill(NaN);
            moveRow(src, h * w * c, dst, 2 * h * w * c, h, w, c, { dy, dx, flip });
            const want = reference(src.subarray(h * w * c, 2 * h * w * c), h, w, c, dy, dx, flip);
            expect(Array.from(dst.subarray(2 * h * w * c)), `[${h},${w},${c}] dy ${dy} dx ${dx} flip ${flip}`).toEqual(Array.from(want));
            expect(dst.subarray(0, 2 * h * w * c).every(Number.isNaN), 'writes nothing outside its row').toBe(true);
          }
        }
      }
    }
  });
});

const SHAPE = [6, 5, 2] as const;
const SIZE = 60;
const N = 40;
const x = randomArray(N * SIZE, 3);
const y = randomLabels(N, 3, 4);

function model(backend: ReadyBackend, inputShape: readonly number[] = SHAPE): Sequential {
  const m = sequential([flatten(), dense({ units: 8, activation: 'relu' }), dense({ units: 3 })], { inputShape, backend, seed: 5 });
  m.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }) });
  return m;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The x rows of every batch fit() gathers, in order (read right after each gather). */
function recordBatches(): Float32Array[] {
  const seen: Float32Array[] = [];
  const gather = BatchBuffers.prototype.gather;
  vi.spyOn(BatchBuffers.prototype, 'gather').mockImplementation(function (this: BatchBuffers, ...args: Parameters<BatchBuffers['gather']>) {
    const result = gather.apply(this, args);
    seen.push(this.x.data.slice(0, args[3] * SIZE));
    return result;
  });
  return seen;
}

describe('fit({ augment })', () => {
  test('trains on the rows moved by the draws of Rng(augmentSeed(seed, epoch)): shifts, then the flip', async () => {
    const seen = recordBatches();
    await withModel(model(js), async (m) => {
      await m.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, seed: 9, augment: { shift: 2, flip: true } });
    });
    // 40 rows in batches of 16, 16, 8, twice; the rows in order (no shuffle), so row i of the epoch is data row i.
    expect(seen.map((b) => b.length / SIZE)).toEqual([16, 16, 8, 16, 16, 8]);
    let moved = 0;
    for (let e = 0; e < 2; e++) {
      const rng = new Rng(augmentSeed(9, e));
      const epoch = new Float32Array(N * SIZE);
      for (let k = 0; k < 3; k++) epoch.set(seen[3 * e + k], k * 16 * SIZE);
      for (let i = 0; i < N; i++) {
        const dy = rng.int(5) - 2, dx = rng.int(5) - 2, flip = rng.next() < 0.5;
        if (dy !== 0 || dx !== 0 || flip) moved++;
        const want = reference(x.subarray(i * SIZE, (i + 1) * SIZE), ...SHAPE, dy, dx, flip);
        expect(Array.from(epoch.subarray(i * SIZE, (i + 1) * SIZE)), `epoch ${e} row ${i}`).toEqual(Array.from(want));
      }
    }
    expect(moved).toBeGreaterThan(60);
  });

  test('the same seed gives the same weights, bit for bit, on each backend; another seed does not; shift 0 is no augmentation', async () => {
    const run = async (backend: ReadyBackend, augment: object | null, seed = 9): Promise<Float32Array> =>
      withModel(model(backend), async (m) => {
        await m.fit(x, y, { epochs: 3, batchSize: 8, seed, augment });
        return m.getFlatWeights();
      });
    for (const backend of [wasm, js]) {
      const a = await run(backend, { shift: 1, flip: true });
      expect(bits(await run(backend, { shift: 1, flip: true })), backend.name).toEqual(bits(a));
      expect(bits(await run(backend, { shift: 1, flip: true }, 10)), backend.name).not.toEqual(bits(a));
      expect(bits(await run(backend, null)), backend.name).not.toEqual(bits(a));
      expect(bits(await run(backend, { shift: 0 })), backend.name).toEqual(bits(await run(backend, null)));
    }
  });

  test('a resumed run (fit 1, save, load, fit 2) draws the same moves as one fit of 3 epochs', async () => {
    const options = { batchSize: 8, seed: 9, augment: { shift: 2 } };
    const straight = await withModel(model(js), async (m) => {
      await m.fit(x, y, { ...options, epochs: 3 });
      return m.getFlatWeights();
    });
    const first = model(js);
    await first.fit(x, y, { ...options, epochs: 1 });
    const bytes = first.toBytes();
    first.dispose();
    const resumed = await withModel(await loadModel(bytes, { backend: js }), async (m) => {
      await m.fit(x, y, { ...options, epochs: 2 });
      return m.getFlatWeights();
    });
    expect(bits(resumed)).toEqual(bits(straight));
  });

  test('does not copy the data set: what fit() allocates beyond the data grows with the batch, not with the rows', async () => {
    // The wasm backend with f32() counting the floats it hands out while `counting` is on.
    let counting = false;
    let floats = 0;
    const counted = Object.create(null) as ReadyBackend;
    for (const key of Object.keys(wasm)) (counted as unknown as Record<string, unknown>)[key] = (wasm as unknown as Record<string, unknown>)[key];
    Object.assign(counted, {
      f32: (v: number | ArrayLike<number>) => {
        if (counting) floats += typeof v === 'number' ? v : v.length;
        return wasm.f32(v);
      },
    });
    Object.defineProperty(counted, 'liveBuffers', { get: () => wasm.liveBuffers });
    const allocatedBeyondData = async (rows: number, augment: object | null, shuffle: boolean): Promise<number> => {
      const xs = randomArray(rows * SIZE, 7);
      const ys = randomLabels(rows, 3, 8);
      return withModel(model(counted), async (m) => {
        await m.fit(xs.subarray(0, 16 * SIZE), ys.subarray(0, 16), { epochs: 1, batchSize: 8 }); // arena and optimizer slots first
        floats = 0;
        counting = true;
        try {
          await m.fit(xs, ys, { epochs: 1, batchSize: 8, shuffle, augment });
        } finally {
          counting = false;
        }
        return floats - rows * SIZE; // the data's own copy into backend memory (fit copies x once, augmented or not)
      });
    };
    for (const shuffle of [true, false]) {
      const small = await allocatedBeyondData(100, { shift: 2, flip: true }, shuffle);
      const large = await allocatedBeyondData(1000, { shift: 2, flip: true }, shuffle);
      expect(large, `shuffle ${shuffle}`).toBe(small);
      expect(small, `shuffle ${shuffle}`).toBeLessThanOrEqual(8 * SIZE + 8 * 3);
    }
    expect(await allocatedBeyondData(1000, { shift: 2 }, true)).toBe(await allocatedBeyondData(1000, null, true));
  });

  test('a flat model takes augment.imageShape; bad options are refused by name', async () => {
    await withModel(model(js, [SIZE]), async (m) => {
      await expect(m.fit(x, y, { augment: { shift: 1 } })).rejects.toThrow(/augment needs image rows: the model's input shape is \[60\]/);
      await expect(m.fit(x, y, { augment: { shift: 1, imageShape: [5, 5, 2] } })).rejects.toThrow(/imageShape \[5, 5, 2\] holds 50 values, but a row of the model has 60/);
      const h = await m.fit(x, y, { augment: { shift: 1, imageShape: [6, 5, 2] } });
      expect(h.epochs).toBe(1);
    });
    expect(() => readAugment({ shift: 1.5 })).toThrow(/fit augment: shift must be a finite integer ≥ 0, got 1.5/);
    expect(() => readAugment({ shift: -1 })).toThrow(/shift must be/);
    expect(() => readAugment({ flip: 'yes' })).toThrow(/flip must be true or false/);
    expect(() => readAugment({ shifts: 2 })).toThrow(/unknown option 'shifts'; known options: shift, flip, imageShape/);
    expect(() => readAugment({ imageShape: [28, 28] })).toThrow(/imageShape must be \[height, width, channels\]/);
    expect(() => readAugment(5)).toThrow(/fit augment: options must be an object/);
    expect(readAugment({ shift: 0, flip: false })).toBeNull();
    expect(readAugment(null)).toBeNull();
  });
});
