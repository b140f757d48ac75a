/**
 * Classification metrics. A row's predicted class is the argmax of its outputs (several outputs) or
 * output ≥ the loss's threshold (one output); its true class is its label, the argmax of its target
 * row, or target ≥ 0.5. accuracy = correct / n and zeroOneLoss = 1 − accuracy (the 0/1 loss).
 */
import type { Backend, F32Buffer, I32Buffer } from '../backend/contract.js';

/** The names of the metrics compile() accepts. */
export const METRICS = ['accuracy', 'zeroOneLoss'] as const;
/** A metric name: one of METRICS. */
export type MetricName = (typeof METRICS)[number];

/** Checks a compile() metrics list; an unknown name is an error listing the known ones. */
export function resolveMetrics(value: unknown): MetricName[] {
  if (!Array.isArray(value)) throw new TypeError(`simdnet compile: metrics must be an array of names (${METRICS.join(', ')}), got ${String(value)}`);
  for (const name of value) {
    if (!(METRICS as readonly unknown[]).includes(name)) {
      throw new RangeError(`simdnet compile: unknown metric ${typeof name === 'string' ? `'${name}'` : String(name)}; expected one of ${METRICS.join(', ')}`);
    }
  }
  return [...new Set(value as MetricName[])];
}

/**
 * The number of rows of out [m, n] whose predicted class equals labels[i]: the countCorrect kernel for
 * several outputs; for one output, a JS pass comparing out ≥ threshold with the label.
 */
export function countCorrect(b: Backend, out: F32Buffer, labels: I32Buffer, m: number, n: number, threshold: number): number {
  if (n > 1) return b.countCorrect(out, labels, m, n);
  const o = out.data, l = labels.data;
  let correct = 0;
  for (let i = 0; i < m; i++) if ((o[i] >= threshold ? 1 : 0) === l[i]) correct++;
  return correct;
}

/** Writes the predicted class of each row of out [m, n] into classes[0..m). */
export function predictedClasses(b: Backend, out: F32Buffer, classes: I32Buffer, m: number, n: number, threshold: number): void {
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
