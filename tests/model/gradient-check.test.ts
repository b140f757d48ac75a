/**
 * The public gradientCheck(): a correct model passes (weights and dropout stream restored bit for
 * bit), a custom regularizer with a wrong gradient is caught and located, the fused softmax /
 * sigmoid outputs check out, and its options are checked.
 */
import { describe, expect, test } from 'vitest';
import { dense, dropout, gradientCheck, sequential, type Backend, type F32Buffer, type Regularizer } from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { backends, randomArray, randomLabels, withModel } from '../support/helpers.js';
import { bits } from '../support/model-data.js';
import { gradcheck } from '../support/gradcheck.js';

const { wasm, js } = await backends();
const BACKENDS: ReadyBackend[] = [wasm, js];

const x = randomArray(6 * 3, 71);
const y = randomLabels(6, 4, 72);

/** A user's regularizer, α·Σw⁴, with its gradient 4α·w³ (or, `broken`, a missing factor 4). */
function quartic(alpha: number, broken: boolean): Regularizer {
  return {
    config: { name: 'quartic', alpha },
    penalty(_b: Backend, w: F32Buffer, len: number): number {
      let s = 0;
      for (let i = 0; i < len; i++) s += w.data[i] ** 4;
      return alpha * s;
    },
    addGradient(_b: Backend, w: F32Buffer, g: F32Buffer, len: number): void {
      for (let i = 0; i < len; i++) g.data[i] += (broken ? 1 : 4) * alpha * w.data[i] ** 3;
    },
  };
}

describe('gradientCheck()', () => {
  for (const backend of BACKENDS) {
    test(`${backend.name}: a correct custom regularizer passes; the weights are restored`, async () => {
      const m = sequential([dense({ units: 5, activation: 'tanh', kernelRegularizer: quartic(2, false) }), dropout({ rate: 0.3 }), dense({ units: 4 })], { inputSize: 3, backend, seed: 6 });
      await withModel(m, () => {
        m.compile({ loss: 'softmaxCrossEntropy' });
        const w = m.getFlatWeights();
        const stream = m.dropoutStream;
        const r = gradientCheck(m, Array.from({ length: 6 }, (_, i) => Array.from(x.subarray(i * 3, i * 3 + 3))), y, { training: true });
        expect(r.passed, JSON.stringify(r.failures)).toBe(true);
        expect(r.failures).toEqual([]);
        expect(r.checked + r.skipped).toBe(m.parameterCount + x.length);
        expect(r.worst).not.toBeNull();
        expect(r.maxRelativeError).toBe(r.worst!.relativeError);
        expect(r.maxRelativeError).toBeLessThan(1e-2);
        expect(bits(m.getFlatWeights())).toEqual(bits(w));
        expect(m.dropoutStream).toBe(stream);
      });
    });

    test(`${backend.name}: a wrong gradient is caught, and the worst element named`, async () => {
      const m = sequential([dense({ units: 5, activation: 'tanh', kernelRegularizer: quartic(2, true), name: 'hidden' }), dense({ units: 4 })], { inputSize: 3, backend, seed: 6 });
      await withModel(m, () => {
        m.compile({ loss: 'softmaxCrossEntropy' });
        const r = gradientCheck(m, x, y, { inputs: false });
        expect(r.passed).toBe(false);
        expect(r.checked + r.skipped).toBe(m.parameterCount);
        expect(r.worst!.where).toMatch(/^hidden\/kernel\[\d+\]$/);
        expect(r.maxRelativeError).toBeGreaterThan(0.1);
        expect(r.failures.length).toBeGreaterThan(0);
        expect(r.failures.length).toBeLessThanOrEqual(10);
        for (const f of r.failures) expect(f.where).toMatch(/^hidden\/kernel/);
      });
    });
  }

  test('options and a model without compile() are refused', async () => {
    const m = sequential([dense({ units: 4 })], { inputSize: 3, backend: js });
    await withModel(m, () => {
      expect(() => gradientCheck(m, x, y)).toThrow(/gradientCheck: call model.compile/);
      m.compile({ loss: 'softmaxCrossEntropy' });
      expect(() => gradientCheck(m, x, y, { h: 0 })).toThrow(/gradientCheck: h must be a finite number > 0, got 0/);
      expect(() => gradientCheck(m, x, y, { step: 1 } as never)).toThrow(/unknown option 'step'/);
      expect(() => gradientCheck(m, x.subarray(1), y)).toThrow(/gradientCheck: x has 17 values/);
    });
  });
});

describe('fused outputs pass the central-difference check', () => {
  test("softmax + 'categoricalCrossentropy'", async () => {
    await gradcheck({
      label: 'dense(relu) → dense(softmax) categoricalCrossentropy',
      build: (b) => sequential([dense({ units: 5, activation: 'relu' }), dense({ units: 4, activation: 'softmax' })], { inputSize: 3, backend: b, seed: 2 })
        .compile({ loss: 'categoricalCrossentropy' }),
      x, y,
    });
  });

  test("sigmoid + 'binaryCrossentropy'", async () => {
    await gradcheck({
      label: 'dense(tanh) → dense(sigmoid) binaryCrossentropy',
      build: (b) => sequential([dense({ units: 5, activation: 'tanh' }), dense({ units: 2, activation: 'sigmoid' })], { inputSize: 3, backend: b, seed: 2 })
        .compile({ loss: 'binaryCrossentropy' }),
      x, y: Array.from({ length: 6 }, (_, i) => [i % 2, (i >> 1) % 2]),
    });
  });
});
