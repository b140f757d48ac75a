/**
 * Classification and regression metrics. A row's predicted class is the argmax of its outputs
 * (several outputs) or output ≥ the loss's threshold (one output); its true class is its label, the
 * argmax of its target row, or target ≥ 0.5. compile({ metrics }) picks them, by Keras's names:
 *
 * | metric        | value                                                                         |
 * |---------------|-------------------------------------------------------------------------------|
 * | accuracy      | correct / n                                                                   |
 * | zeroOneLoss   | 1 − accuracy (the 0/1 loss)                                                   |
 * | precision     | TP / (TP + FP); recall TP / (TP + FN); f1 2·P·R / (P + R) (0 when undefined):  |
 * | recall, f1    | one output: of class 1 (Keras's binary Precision/Recall); several: the macro  |
 * |               | mean over the classes that occur in the truth or the predictions (scikit-learn |
 * |               | average='macro'). evaluate() also gives them per class.                       |
 * | topKAccuracy  | rows whose true class is among the k largest outputs / n (ties at the k-th    |
 * |               | place count as in, as tf.math.in_top_k); `{ name: 'topKAccuracy', k }`, k 5    |
 * | mae           | mean |prediction − target| over n·outputs terms, on predict()'s values         |
 *
 * Metrics are computed in float64 from the float32 outputs.
 */
import type { F32Buffer, I32Buffer, Kernels } from '../backend/contract.js';
import { OptionReader, excerpt } from '../train/pieces.js';

/** The names of the metrics compile() accepts. */
export const METRICS = ['accuracy', 'zeroOneLoss', 'precision', 'recall', 'f1', 'topKAccuracy', 'mae'] as const;
/** A metric name: one of METRICS. */
export type MetricName = (typeof METRICS)[number];
/** A metric for compile(): its name, or `{ name: 'topKAccuracy', k }`. */
export type MetricSpec = MetricName | { readonly name: 'topKAccuracy'; readonly k: number };

/** Keras's default k of top-k accuracy. */
export const DEFAULT_TOP_K = 5;

/** compile()'s metrics, checked: the names in order (no repeats) and top-k's k. */
export interface ResolvedMetrics {
  readonly names: readonly MetricName[];
  readonly k: number;
}

/** Checks a compile() metrics list (names or specs); an unknown name is an error listing the known ones. */
export function resolveMetrics(value: unknown): ResolvedMetrics {
  if (!Array.isArray(value)) throw new TypeError(`simdnet compile: metrics must be an array of names (${METRICS.join(', ')}), got ${excerpt(value)}`);
  const names: MetricName[] = [];
  let k = DEFAULT_TOP_K;
  for (const spec of value) {
    let name: unknown = spec;
    if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
      const r = new OptionReader('compile metrics', spec, ['name', 'k']);
      name = r.raw('name');
      if (name !== 'topKAccuracy') r.fail('name', "'topKAccuracy' (the one metric with an option, k)", name);
      k = r.number('k', DEFAULT_TOP_K, { min: 1, integer: true });
    }
    if (!(METRICS as readonly unknown[]).includes(name)) {
      throw new RangeError(`simdnet compile: unknown metric ${excerpt(name)}; expected one of ${METRICS.join(', ')}`);
    }
    if (!names.includes(name as MetricName)) names.push(name as MetricName);
  }
  return { names, k };
}

/** The metrics as compile() takes them back (what a saved model records). */
export function metricSpecs(m: ResolvedMetrics): MetricSpec[] {
  return m.names.map((name) => (name === 'topKAccuracy' && m.k !== DEFAULT_TOP_K ? { name, k: m.k } : name));
}

/** What a metric pass needs: which metrics, top-k's k, the class count and the loss's threshold. */
export interface MetricSetup {
  readonly names: readonly MetricName[];
  readonly k: number;
  /** Outputs per row. */
  readonly outputs: number;
  /** For one output: the output value at or above which the predicted class is 1. */
  readonly threshold: number;
}

/** Metrics that need more than the correct count (accuracy and zeroOneLoss come from countCorrect). */
const EXTRA: readonly MetricName[] = ['precision', 'recall', 'f1', 'topKAccuracy', 'mae'];

/** True when `names` asks for a metric beyond accuracy / zeroOneLoss. */
export function needsExtraMetrics(names: readonly MetricName[]): boolean {
  return names.some((n) => EXTRA.includes(n));
}

/** precision, recall and f1 of each class from a confusion matrix (counts[t][p]); 0 where undefined. */
export function perClassScores(counts: readonly (readonly number[])[]): { precision: number[]; recall: number[]; f1: number[]; present: boolean[] } {
  const c = counts.length;
  const precision: number[] = [], recall: number[] = [], f1: number[] = [], present: boolean[] = [];
  for (let k = 0; k < c; k++) {
    let predicted = 0, actual = 0;
    for (let j = 0; j < c; j++) {
      predicted += counts[j][k];
      actual += counts[k][j];
    }
    const tp = counts[k][k];
    const p = predicted > 0 ? tp / predicted : 0;
    const r = actual > 0 ? tp / actual : 0;
    precision.push(p);
    recall.push(r);
    f1.push(p + r > 0 ? (2 * p * r) / (p + r) : 0);
    present.push(predicted > 0 || actual > 0);
  }
  return { precision, recall, f1, present };
}

/** The values of the extra metrics (see the table above), and precision/recall/f1 per class. */
export interface MetricValues {
  /** Precision: of class 1 for one output, else the macro mean over the classes that occur (see the table above). */
  readonly precision?: number;
  /** Recall, averaged as precision is. */
  readonly recall?: number;
  /** F1 (2·P·R / (P + R) per class), averaged as precision is. */
  readonly f1?: number;
  /** Precision of each class, by class index. */
  readonly precisionPerClass?: number[];
  /** Recall of each class, by class index. */
  readonly recallPerClass?: number[];
  /** F1 of each class, by class index. */
  readonly f1PerClass?: number[];
  /** The fraction of rows whose true class is among the k largest outputs (ties at the k-th place count as in). */
  readonly topKAccuracy?: number;
  /** Mean |prediction − target| over n·outputs terms, on predict()'s values (regression). */
  readonly mae?: number;
}

/**
 * Accumulates the extra metrics over batches (or chunks): add() each batch's outputs, then values().
 * Reads host views of the batch's buffers: nothing is allocated on the backend.
 */
export class MetricAccumulator {
  private readonly classes: number;
  private readonly counts: number[][];
  private rows = 0;
  private inTopK = 0;
  private absError = 0;
  private terms = 0;

  constructor(readonly setup: MetricSetup) {
    this.classes = Math.max(2, setup.outputs);
    this.counts = Array.from({ length: this.classes }, () => new Array<number>(this.classes).fill(0));
  }

  /** True when add() needs predict()'s values (for mae). */
  get wantsPredictions(): boolean {
    return this.setup.names.includes('mae');
  }

  /**
   * One batch of m rows: raw outputs [m, n], true classes [m], float targets [m, n] (null: one-hot of
   * the classes) and, when wantsPredictions, predict()'s values [m, n].
   */
  add(out: Float32Array, classes: Int32Array, targets: Float32Array | null, predictions: Float32Array | null, m: number): void {
    const n = this.setup.outputs;
    const k = this.setup.k;
    for (let i = 0; i < m; i++) {
      const t = classes[i];
      let p: number;
      if (n === 1) p = out[i] >= this.setup.threshold ? 1 : 0;
      else {
        p = 0;
        let above = 0;
        const own = out[i * n + t];
        for (let j = 0; j < n; j++) {
          const v = out[i * n + j];
          if (v > out[i * n + p]) p = j;
          if (v > own) above++;
        }
        if (above < k) this.inTopK++;
      }
      if (n === 1) this.inTopK++;
      this.counts[t][p]++;
    }
    if (predictions !== null) {
      for (let i = 0; i < m * n; i++) {
        const target = targets !== null ? targets[i] : classes[Math.floor(i / n)] === i % n ? 1 : 0;
        this.absError += Math.abs(predictions[i] - target);
      }
      this.terms += m * n;
    }
    this.rows += m;
  }

  /** The metrics asked for, over everything added. */
  values(): MetricValues {
    const names = this.setup.names;
    const out: Record<string, number | number[]> = {};
    if (names.includes('precision') || names.includes('recall') || names.includes('f1')) {
      const s = perClassScores(this.counts);
      const macro = (v: number[]): number => {
        if (this.setup.outputs === 1) return v[1];
        let sum = 0, count = 0;
        v.forEach((x, c) => {
          if (s.present[c]) {
            sum += x;
            count++;
          }
        });
        return count > 0 ? sum / count : 0;
      };
      for (const key of ['precision', 'recall', 'f1'] as const) {
        if (!names.includes(key)) continue;
        out[key] = macro(s[key]);
        out[`${key}PerClass`] = s[key];
      }
    }
    if (names.includes('topKAccuracy')) out.topKAccuracy = this.rows > 0 ? this.inTopK / this.rows : 0;
    if (names.includes('mae')) out.mae = this.terms > 0 ? this.absError / this.terms : 0;
    return out as MetricValues;
  }
}

/** Adds a pass's outputs (buffers on `b`) to `acc`: predicted values through `predict` only when mae needs them. */
export function accumulate(
  acc: MetricAccumulator, out: F32Buffer, labels: I32Buffer, targets: F32Buffer | null, m: number,
  predict: (() => F32Buffer) | null,
): void {
  const n = acc.setup.outputs;
  const values = acc.wantsPredictions && predict !== null ? predict().data.subarray(0, m * n) : null;
  acc.add(out.data.subarray(0, m * n), labels.data.subarray(0, m), targets === null ? null : targets.data.subarray(0, m * n), values, m);
}

/**
 * The number of rows of out [m, n] whose predicted class equals labels[i]: the countCorrect kernel for
 * several outputs; for one output, a JS pass comparing out ≥ threshold with the label.
 */
export function countCorrect(b: Kernels, out: F32Buffer, labels: I32Buffer, m: number, n: number, threshold: number): number {
  if (n > 1) return b.countCorrect(out, labels, m, n);
  const o = out.data, l = labels.data;
  let correct = 0;
  for (let i = 0; i < m; i++) if ((o[i] >= threshold ? 1 : 0) === l[i]) correct++;
  return correct;
}

/** Writes the predicted class of each row of out [m, n] into classes[0..m). */
export function predictedClasses(b: Kernels, out: F32Buffer, classes: I32Buffer, m: number, n: number, threshold: number): void {
  if (n > 1) {
    b.argmaxRows(out, classes, m, n);
    return;
  }
  const o = out.data, c = classes.data;
  for (let i = 0; i < m; i++) c[i] = o[i] >= threshold ? 1 : 0;
}

/**
 * The confusion matrix of true vs predicted classes: counts[t][p] is the number of rows of true class t
 * predicted as p (rows: truth, columns: prediction, as in scikit-learn).
 */
export function confusionMatrix(trueClasses: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  if (trueClasses.length !== predicted.length) {
    throw new RangeError(`simdnet confusionMatrix: ${trueClasses.length} true classes but ${predicted.length} predictions`);
  }
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`simdnet confusionMatrix: classes must be a positive integer, got ${classes}`);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < trueClasses.length; i++) {
    const t = trueClasses[i], p = predicted[i];
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new RangeError(`simdnet confusionMatrix: true class [${i}] = ${t} is not in [0, ${classes - 1}]`);
    if (!Number.isInteger(p) || p < 0 || p >= classes) throw new RangeError(`simdnet confusionMatrix: prediction [${i}] = ${p} is not in [0, ${classes - 1}]`);
    counts[t][p]++;
  }
  return counts;
}
