/**
 * predict() on one row and in every input form, predictInto() and predictRows(): the same bits as a
 * batch predict (the skinny matmul sums as the packed one does), the errors, and no stale result after
 * the weights change (a training step, setWeights, setFlatWeights, a load).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { adam, dense, dropout, init, jsBackend, loadModel, sequential, type ReadyBackend, type Sequential } from '../../src/index.js';
import { expectSameBits, randomArray, randomLabels } from '../support/helpers.js';

const wasm = await init();
const made: Sequential[] = [];
afterEach(() => {
  for (const m of made.splice(0)) m.dispose();
});

function model(backend: ReadyBackend, seed = 3, inputSize = 37): Sequential {
  const m = sequential([dense({ units: 29, activation: 'relu' }), dropout({ rate: 0.3 }), dense({ units: 5 })], { inputSize, backend, seed });
  m.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }) });
  made.push(m);
  return m;
}

const ROWS = 41;

for (const backend of [wasm, jsBackend()]) {
  describe(`predict on ${backend.name}`, () => {
    it('one row at a time gives the bits of the batch predict, in every input form', () => {
      const m = model(backend);
      const x = randomArray(ROWS * 37, 11);
      const batch = m.predict(x);
      const out = new Float32Array(5);
      for (let r = 0; r < ROWS; r++) {
        const row = x.subarray(r * 37, r * 37 + 37);
        const want = batch.subarray(r * 5, r * 5 + 5);
        m.predictInto(row, out);
        expectSameBits(out, want, `row ${r} (Float32Array)`);
        expectSameBits(m.predict(Float64Array.from(row)), want, `row ${r} (Float64Array)`);
        expectSameBits(m.predict(Array.from(row)), want, `row ${r} (number[])`);
        expectSameBits(m.predict([Array.from(row)]), want, `row ${r} (number[][])`);
      }
      // Probabilities: each row sums to 1.
      for (let r = 0; r < ROWS; r++) expect(batch.subarray(r * 5, r * 5 + 5).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    });

    it('predictRows gives rows of outputs, and a chunked predict the same bits', () => {
      const m = model(backend);
      const x = randomArray(ROWS * 37, 12);
      const flat = m.predict(x);
      const rows = m.predictRows(x);
      expect(rows).toHaveLength(ROWS);
      for (let r = 0; r < ROWS; r++) expect(rows[r]).toEqual(Array.from(flat.subarray(r * 5, r * 5 + 5)));
      expectSameBits(m.predict(x, { batchSize: 7 }), flat, 'batchSize 7');
    });

    it('predictInto allocates no backend buffer once warm', () => {
      const m = model(backend);
      const row = randomArray(37, 13);
      const out = new Float32Array(5);
      // Warm: the first call stages the input; on wasm the second packs the kernels (packed-weights.ts).
      m.predictInto(row, out);
      m.predictInto(row, out);
      const live = backend.liveBuffers;
      for (let i = 0; i < 20; i++) m.predictInto(row, out);
      expect(backend.liveBuffers).toBe(live);
      m.dispose();
      expect(m.disposed).toBe(true);
    });

    it('refuses bad input naming the argument, without printing the data', () => {
      const m = model(backend);
      expect(() => m.predict(new Float32Array(36))).toThrow('simdnet predict: x has 36 values, which is not a multiple of the model\'s inputSize 37');
      expect(() => m.predict([])).toThrow('simdnet predict: x has no rows');
      expect(() => m.predict(new Float64Array(0))).toThrow('simdnet predict: x is empty');
      expect(() => m.predict(new Int32Array(37) as unknown as Float32Array)).toThrow(/predict: x must be a Float32Array, Float64Array or number\[\].*got a Int32Array/);
      const nan = randomArray(74, 1);
      nan[37 + 4] = NaN;
      expect(() => m.predict(Float64Array.from(nan))).toThrow('simdnet predict: x row 1, column 4 is NaN; inputs must be finite numbers');
      // A double beyond the f32 range would be stored as ±Infinity: refused in one chunk and in many.
      const huge = Float64Array.from(randomArray(74, 4));
      huge[37 + 9] = -1e300;
      expect(() => m.predict(huge)).toThrow('simdnet predict: x row 1, column 9 is -1e+300; inputs must be finite numbers');
      expect(() => m.predict(huge, { batchSize: 1 })).toThrow('simdnet predict: x row 1, column 9 is -1e+300; inputs must be finite numbers');
      expect(() => m.predictInto(huge.subarray(37), new Float32Array(5))).toThrow('simdnet predictInto: x row 0, column 9 is -1e+300; inputs must be finite numbers');
      const text = Array.from(randomArray(37, 2)) as unknown[];
      text[6] = 'secret-7';
      expect(() => m.predict(text as number[])).toThrow('simdnet predict: x row 0, column 6 is a string, expected a number');
      expect(() => m.predictInto(randomArray(37, 3), new Float32Array(4))).toThrow('simdnet predictInto: out has 4 values, expected 5 (1 rows × 5 outputs)');
      expect(() => m.predictInto(randomArray(37, 3), [0, 0, 0, 0, 0] as unknown as Float32Array)).toThrow(/predictInto: out must be a Float32Array of 5 values/);
    });

    it('no stale prediction after a training step, setWeights, setFlatWeights or a load', async () => {
      const m = model(backend);
      const row = randomArray(37, 21);
      const out = new Float32Array(5);
      /** m's prediction of row against a fresh model with m's weights. */
      const check = async (label: string) => {
        m.predictInto(row, out);
        const fresh = await loadModel(m.toBytes(), { backend });
        made.push(fresh);
        expectSameBits(out, fresh.predict(row), label);
      };
      m.predictInto(row, out);
      const before = out.slice();
      await m.fit(randomArray(8 * 37, 22), randomLabels(8, 5, 23), { epochs: 1, batchSize: 1 });
      m.predictInto(row, out);
      expect(Array.from(out)).not.toEqual(Array.from(before));
      await check('after fit');
      const other = model(backend, 99);
      m.setWeights(other.getWeights());
      await check('after setWeights');
      expectSameBits(m.predict(row), other.predict(row), 'setWeights gives the other model\'s predictions');
      m.setFlatWeights(model(backend, 7).getFlatWeights());
      await check('after setFlatWeights');
      const loaded = await loadModel(other.toBytes(), { backend });
      made.push(loaded);
      loaded.predictInto(row, out);
      expectSameBits(out, other.predict(row), 'after load');
    });
  });
}
