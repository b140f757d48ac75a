/**
 * The metrics beyond accuracy: precision, recall and F1 (macro and per class), top-k accuracy and
 * MAE, against hand-computed values on small cases and a float64 reference on random ones; in
 * evaluate(), in fit's logs (and their val forms), and through save/load.
 */
import { describe, expect, test } from 'vitest';
import { dense, loadModel, sequential, sgd } from '../../src/index.js';
import { MetricAccumulator, perClassScores, resolveMetrics, type MetricName } from '../../src/model/metrics.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { backends, randomArray, randomLabels, withModel } from '../support/helpers.js';

const { wasm, js } = await backends();
const BACKENDS: ReadyBackend[] = [wasm, js];
const ALL: MetricName[] = ['accuracy', 'precision', 'recall', 'f1', 'topKAccuracy', 'mae'];

function accumulate(outputs: number, rows: number[][], classes: number[], k = 5, threshold = 0, targets: Float32Array | null = null, predictions: Float32Array | null = null) {
  const acc = new MetricAccumulator({ names: ALL, k, outputs, threshold });
  acc.add(Float32Array.from(rows.flat()), Int32Array.from(classes), targets, predictions, classes.length);
  return acc.values();
}

describe('hand-computed small cases', () => {
  // Predicted 0, 1, 2, 1, 0, 2 for true 0, 1, 0, 1, 1, 2: counts[t][p] = [[1, 0, 1], [1, 2, 0], [0, 0, 1]].
  const rows = [[2, 1, 0], [0, 3, 1], [1, 0, 2], [0, 2, 1], [5, 1, 0], [0, 0, 4]];
  const truth = [0, 1, 0, 1, 1, 2];

  test('three classes: per class and macro', () => {
    const v = accumulate(3, rows, truth, 2);
    expect(v.precisionPerClass).toEqual([1 / 2, 1, 1 / 2]);
    expect(v.recallPerClass).toEqual([1 / 2, 2 / 3, 1]);
    expect(v.f1PerClass![0]).toBeCloseTo(0.5, 15);
    expect(v.f1PerClass![1]).toBeCloseTo(0.8, 15);
    expect(v.f1PerClass![2]).toBeCloseTo(2 / 3, 15);
    expect(v.precision).toBeCloseTo(2 / 3, 15);
    expect(v.recall).toBeCloseTo(13 / 18, 15);
    expect(v.f1).toBeCloseTo(59 / 90, 15);
    // Rows 2 and 4 have their true class second: in the top 2, not the top 1.
    expect(v.topKAccuracy).toBe(1);
    expect(accumulate(3, rows, truth, 1).topKAccuracy).toBeCloseTo(4 / 6, 15);
  });

  test('a class that occurs in neither truth nor predictions stays out of the macro mean', () => {
    const v = accumulate(4, rows.map((r) => [...r, -10]), truth, 2);
    expect(v.precisionPerClass).toEqual([1 / 2, 1, 1 / 2, 0]);
    expect(v.precision).toBeCloseTo(2 / 3, 15);
    expect(v.f1).toBeCloseTo(59 / 90, 15);
  });

  test('ties at the k-th place count as in the top k (tf.math.in_top_k)', () => {
    expect(accumulate(3, [[1, 1, 0]], [1], 1).topKAccuracy).toBe(1);
    expect(accumulate(3, [[2, 1, 1]], [2], 1).topKAccuracy).toBe(0);
  });

  test('one output: precision, recall and F1 of class 1 (Keras binary Precision/Recall)', () => {
    // Predicted (output ≥ 0) 1, 0, 1, 0, 1, 0 for true 1, 1, 0, 0, 1, 1: TP 2, FP 1, FN 2.
    const v = accumulate(1, [[0.5], [-1], [2], [-0.3], [1], [-2]], [1, 1, 0, 0, 1, 1]);
    expect(v.precision).toBeCloseTo(2 / 3, 15);
    expect(v.recall).toBe(1 / 2);
    expect(v.f1).toBeCloseTo(4 / 7, 15);
  });

  test('mae: against float targets, or the one-hot rows of the labels', () => {
    expect(accumulate(2, [[0, 0]], [0], 5, 0, Float32Array.of(1, 1), Float32Array.of(0.5, 2)).mae).toBe(0.75);
    expect(accumulate(2, [[0, 0]], [1], 5, 0, null, Float32Array.of(0.25, 0.5)).mae).toBe(0.375);
  });

  test('perClassScores gives 0 where precision or recall is undefined', () => {
    expect(perClassScores([[0, 0], [3, 0]])).toEqual({ precision: [0, 0], recall: [0, 0], f1: [0, 0], present: [true, true] });
  });

  test('compile() names and specs', () => {
    expect(resolveMetrics(['f1', 'accuracy', 'f1', { name: 'topKAccuracy', k: 3 }])).toEqual({ names: ['f1', 'accuracy', 'topKAccuracy'], k: 3 });
    expect(resolveMetrics(['topKAccuracy']).k).toBe(5);
    expect(() => resolveMetrics(['auc'])).toThrow(/unknown metric 'auc'; expected one of accuracy, zeroOneLoss, precision, recall, f1, topKAccuracy, mae/);
    expect(() => resolveMetrics([{ name: 'f1', k: 2 }])).toThrow(/name must be 'topKAccuracy'/);
    expect(() => resolveMetrics([{ name: 'topKAccuracy', k: 0 }])).toThrow(/k must be a finite integer ≥ 1, got 0/);
  });
});

/** Metrics from predict()'s probabilities in float64, written independently of src/model/metrics.ts. */
function reference(p: Float32Array, y: Int32Array, classes: number, k: number) {
  const n = y.length;
  const tp = new Float64Array(classes), predicted = new Float64Array(classes), actual = new Float64Array(classes);
  let top = 0, abs = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(p.subarray(i * classes, (i + 1) * classes));
    const arg = row.indexOf(Math.max(...row));
    predicted[arg]++;
    actual[y[i]]++;
    if (arg === y[i]) tp[arg]++;
    if (row.filter((v) => v > row[y[i]]).length < k) top++;
    row.forEach((v, j) => (abs += Math.abs(v - (j === y[i] ? 1 : 0))));
  }
  const P = [...tp].map((t, c) => (predicted[c] > 0 ? t / predicted[c] : 0));
  const R = [...tp].map((t, c) => (actual[c] > 0 ? t / actual[c] : 0));
  const F = P.map((v, c) => (v + R[c] > 0 ? (2 * v * R[c]) / (v + R[c]) : 0));
  const present = [...predicted].map((v, c) => v + actual[c] > 0);
  const macro = (a: number[]) => a.filter((_, c) => present[c]).reduce((s, v) => s + v, 0) / present.filter(Boolean).length;
  return { precision: macro(P), recall: macro(R), f1: macro(F), P, R, F, topKAccuracy: top / n, mae: abs / (n * classes) };
}

describe('evaluate() and fit() against a float64 reference', () => {
  for (const backend of BACKENDS) {
    test(`${backend.name}: random 5-class model`, async () => {
      const n = 200, features = 6, classes = 5;
      const x = randomArray(n * features, 31);
      const y = randomLabels(n, classes, 32);
      await withModel(sequential([dense({ units: 8, activation: 'relu' }), dense({ units: classes })], { inputSize: features, backend, seed: 4 }), async (m) => {
        m.compile({ loss: 'categoricalCrossentropy', optimizer: sgd({ lr: 0.1 }), metrics: [...ALL.filter((a) => a !== 'topKAccuracy'), { name: 'topKAccuracy', k: 2 }] });
        await m.fit(x, y, { epochs: 2, batchSize: 32 });
        const e = m.evaluate(x, y, { batchSize: 37 });
        const r = reference(m.predict(x), y, classes, 2);
        for (const key of ['precision', 'recall', 'f1', 'topKAccuracy'] as const) expect(e[key], key).toBeCloseTo(r[key], 12);
        expect(Math.abs(e.mae! - r.mae)).toBeLessThan(1e-9);
        expect(e.precisionPerClass).toHaveLength(classes);
        e.precisionPerClass!.forEach((v, c) => expect(v).toBeCloseTo(r.P[c], 12));
        e.recallPerClass!.forEach((v, c) => expect(v).toBeCloseTo(r.R[c], 12));
        e.f1PerClass!.forEach((v, c) => expect(v).toBeCloseTo(r.F[c], 12));
        expect(e.topKAccuracy).toBeGreaterThan(e.accuracy);
      });
    });
  }

  test("fit's logs carry each metric and its val form; val values are evaluate()'s", async () => {
    const n = 120, features = 4, classes = 3;
    const x = randomArray(n * features, 41);
    const y = randomLabels(n, classes, 42);
    await withModel(sequential([dense({ units: classes })], { inputSize: features, backend: wasm, seed: 1 }), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.1 }), metrics: ['accuracy', 'precision', 'recall', 'f1', 'topKAccuracy', 'mae'] });
      const h = await m.fit(x, y, { epochs: 2, batchSize: 20, validationSplit: 0.25 });
      for (const key of ['precision', 'recall', 'f1', 'topKAccuracy', 'mae', 'valPrecision', 'valRecall', 'valF1', 'valTopKAccuracy', 'valMae']) {
        expect(h.history[key], key).toHaveLength(2);
        for (const v of h.history[key]) expect(v >= 0 && v <= 1, `${key} ${v}`).toBe(true);
      }
      expect(h.history.topKAccuracy).toEqual([1, 1]); // k = 5 ≥ 3 classes
      const v = m.evaluate(x.subarray(90 * features), y.subarray(90));
      expect(h.history.valPrecision[1]).toBe(v.precision);
      expect(h.history.valF1[1]).toBe(v.f1);
      expect(h.history.valMae[1]).toBe(v.mae);
    });
  });

  test('the training metrics are over the epoch\'s batches, before each update (one full batch: the starting weights)', async () => {
    const x = randomArray(50 * 3, 51);
    const y = randomLabels(50, 4, 52);
    await withModel(sequential([dense({ units: 4 })], { inputSize: 3, backend: js, seed: 2 }), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.5 }), metrics: ['f1', 'mae'] });
      const before = m.evaluate(x, y);
      const h = await m.fit(x, y, { epochs: 1, batchSize: 'full' });
      expect(h.history.f1[0]).toBe(before.f1);
      expect(Math.abs(h.history.mae[0] - before.mae!)).toBeLessThan(1e-12);
    });
  });

  test('mae for regression: mean |prediction − target|', async () => {
    const x = randomArray(30 * 2, 61);
    const t = Array.from({ length: 30 }, (_, i) => [Math.sin(i), Math.cos(i)]);
    await withModel(sequential([dense({ units: 2 })], { inputSize: 2, backend: wasm, seed: 3 }), (m) => {
      m.compile({ loss: 'mse', metrics: ['mae'] });
      const p = m.predict(x);
      let abs = 0;
      t.forEach((row, i) => row.forEach((v, j) => (abs += Math.abs(p[i * 2 + j] - v))));
      expect(Math.abs(m.evaluate(x, t).mae! - abs / 60)).toBeLessThan(1e-7);
    });
  });

  test("a saved model keeps its metrics and top-k's k", async () => {
    const m = sequential([dense({ units: 3 })], { inputSize: 2, backend: js });
    m.compile({ loss: 'softmaxCrossEntropy', metrics: ['f1', { name: 'topKAccuracy', k: 2 }] });
    const loaded = await loadModel(m.toBytes(), { backend: js });
    await withModel(m, () => withModel(loaded, () => {
      expect(loaded.compiled!.metrics).toEqual(['f1', 'topKAccuracy']);
      expect(loaded.compiled!.topK).toBe(2);
    }));
  });
});
