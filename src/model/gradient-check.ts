/**
 * `gradientCheck(model, x, y, options?)`: the analytic gradient of a compiled model's loss
 * (computeGradients: the forward/backward pass fit() runs) against central differences of the loss,
 * for every parameter and every input: the counterpart of PyTorch's `gradcheck`. A user who writes a
 * custom regularizer (or a layer) checks it with this; the library's own tests check every layer,
 * activation, loss and regularizer with it.
 *
 *     const report = gradientCheck(model, x, y);
 *     if (!report.passed) console.log(report.worst);   // { where: 'dense_1/kernel[3]', analytic, numeric, relativeError }
 *
 * Tolerance. The forward pass is float32, so the difference quotient is limited two ways:
 * - roundoff: the loss is a float32 sum with relative error ~ a few ε32 (ε32 ≈ 6e-8); divided by 2h
 *   with h = 1e-2 that is ~1e-5·|L|, so an absolute term atol = 1e-3 covers losses up to ~50;
 * - truncation: the central difference errs by h²/6·|L'''| ≈ 2e-5·|L'''|, covered by rtol = 1e-2 for
 *   gradients whose third derivative is within ~500× their size (sigmoid slopes up to ~5).
 * A bug (a missing term, a wrong transpose, a wrong scale) shows up as an error of the order of the
 * gradient itself, far above both. An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
 *
 * Kinks. Some activations are not differentiable at a few inputs (relu, leakyRelu, step and elu with
 * α ≠ 1 at 0; the activation table lists each one's kinks), nor is l1 at w = 0: if a perturbation of
 * ±h moves a pre-activation across a kink, the central difference measures a jump, not the
 * derivative. The check detects exactly that (it compares on which side of each kink every kinked
 * activation's input lies, read from the model's arena, with the unperturbed one) and skips those
 * elements, counting them in `skipped`.
 *
 * Cost: two loss evaluations over all of (x, y) per parameter and per input value: for small models
 * and a few rows. The weights are restored afterwards, bit for bit.
 */
import type { F32Buffer } from '../backend/contract.js';
import { activationKinks } from '../backend/activations.js';
import { OptionReader } from '../train/pieces.js';
import { readClassWeight } from '../train/fit-options.js';
import { ActivationLayer } from './activation-layer.js';
import { countRows, type Features, type Targets } from './data.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Conv2d } from './conv2d.js';
import { AvgPool2d, GlobalAvgPool2d, MaxPool2d } from './pool2d.js';
import { BatchNormalization } from './batch-norm.js';
import type { Layer } from './layers.js';
import type { Sequential } from './sequential.js';

/** Options of gradientCheck(). */
export interface GradientCheckOptions {
  /**
   * The step of the central difference (f(w + h) − f(w − h)) / 2h.
   * @default 1e-2
   */
  h?: number;
  /** @default 1e-3 (see the file comment) */
  atol?: number;
  /** @default 1e-2 */
  rtol?: number;
  /**
   * Check in training mode: dropout on, with the same masks for every evaluation.
   * @default false
   */
  training?: boolean;
  /**
   * Also check ∂loss/∂x.
   * @default true
   */
  inputs?: boolean;
  /**
   * Weight the loss by class, as fit()'s classWeight does.
   * @default null
   */
  classWeight?: Readonly<Record<number, number>> | null;
}

/** One checked element. */
export interface GradientCheckElement {
  /** 'dense_1/kernel[3]' (the weight's name and its index in getWeights()' values) or 'x[row][column]'. */
  readonly where: string;
  readonly analytic: number;
  /** The central difference. */
  readonly numeric: number;
  /** |analytic − numeric| / max(|analytic|, |numeric|, atol / rtol): the floor keeps roundoff on near-zero gradients from dominating. */
  readonly relativeError: number;
}

/** What gradientCheck() found. */
export interface GradientCheckReport {
  /** True when every checked element is within atol + rtol·|numeric|. */
  readonly passed: boolean;
  /** The largest relativeError over the checked elements (0 when none was checked). */
  readonly maxRelativeError: number;
  /** The element with that error, or null when none was checked. */
  readonly worst: GradientCheckElement | null;
  /** The first elements outside the tolerance (at most 10), in check order. */
  readonly failures: readonly GradientCheckElement[];
  readonly checked: number;
  /** Elements skipped because ±h crossed a kink (relu at 0, l1 at w = 0, ...). */
  readonly skipped: number;
}

const MAX_FAILURES = 10;

/** Element i of a layer's forward output, as a buffer: where the next layer reads its input. */
function outputOf(layers: readonly Layer[], i: number, scratch: readonly Record<string, F32Buffer>[], training: boolean): F32Buffer | null {
  if (i < 0) return null;
  const l = layers[i];
  const s = scratch[i];
  if (l instanceof Dense) return l.activationFused ? s.z : s.y ?? s.z;
  if (l instanceof Conv2d) return s.y ?? s.z;
  if (l instanceof MaxPool2d || l instanceof AvgPool2d || l instanceof GlobalAvgPool2d || l instanceof BatchNormalization) return s.y;
  if (l instanceof Flatten) return outputOf(layers, i - 1, scratch, training);
  if (l instanceof ActivationLayer) return l.activation.name === 'identity' ? outputOf(layers, i - 1, scratch, training) : s.y;
  if (l instanceof Dropout) return training && l.rate > 0 ? s.y : outputOf(layers, i - 1, scratch, training);
  return null;
}

/**
 * For every kinked activation's input over the first n rows (after a forward pass), and each of its
 * kinks k: input > k; then every max pool's argmax (a perturbation that moves a window's maximum to
 * another tap crosses a kink of the max), as bytes.
 */
function kinkSigns(model: Sequential, n: number, training: boolean, x: Float32Array): Uint8Array {
  const net = model.network;
  const arena = net.arenaFor(n);
  const parts: { values: ArrayLike<number>; kinks: readonly number[] }[] = [];
  const argmaxes: Uint8Array[] = [];
  net.layers.forEach((l, i) => {
    if (l instanceof Dense || l instanceof Conv2d) {
      const kinks = l instanceof Dense && l.activationFused ? [] : activationKinks(l.activation.name, l.activation.alpha);
      if (kinks.length > 0) parts.push({ values: arena.scratch[i].z.data.subarray(0, n * l.outputSize), kinks });
    } else if (l instanceof MaxPool2d) {
      const a = arena.indices[i].argmax.data.subarray(0, n * l.outputSize);
      argmaxes.push(new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
    } else if (l instanceof ActivationLayer) {
      const kinks = activationKinks(l.activation.name, l.activation.alpha);
      if (kinks.length === 0) return;
      const input = outputOf(net.layers, i - 1, arena.scratch, training);
      parts.push({ values: input === null ? x : input.data.subarray(0, n * l.inputSize), kinks });
    }
  });
  const total = parts.reduce((s, p) => s + p.values.length * p.kinks.length, 0) + argmaxes.reduce((s, a) => s + a.length, 0);
  const signs = new Uint8Array(total);
  let k = 0;
  for (const { values, kinks } of parts) {
    for (const at of kinks) for (let j = 0; j < values.length; j++) signs[k++] = values[j] > at ? 1 : 0;
  }
  for (const a of argmaxes) {
    signs.set(a, k);
    k += a.length;
  }
  return signs;
}

function sameSigns(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when a regularizer of the model has an l1 term (not differentiable at w = 0). */
function hasL1(model: Sequential): boolean {
  return model.layers.some((l) => (l instanceof Dense || l instanceof Conv2d) &&
    [l.kernelRegularizer, l.biasRegularizer].some((r) => r !== null && ((r.config.l1 as number) > 0 || r.config.name === 'l1')));
}

/** x as one flat Float32Array copy (the check perturbs it). */
function flatInputs(x: Features, inputSize: number): Float32Array {
  const n = countRows('gradientCheck', x, inputSize);
  if (x instanceof Float32Array) return Float32Array.from(x);
  const flat = new Float32Array(n * inputSize);
  x.forEach((row, i) => flat.set(row, i * inputSize));
  return flat;
}

/**
 * Checks the model's gradient against central differences of its loss on (x, y): see the file
 * comment. The model must be compiled; its weights, layer state and dropout stream are restored afterwards.
 * @example
 *     const model = sequential([dense({ units: 4, activation: 'tanh', kernelRegularizer: myRegularizer }), dense({ units: 3 })], { inputSize: 2, backend });
 *     model.compile({ loss: 'softmaxCrossEntropy' });
 *     const { passed, worst } = gradientCheck(model, [[0.1, -0.3], [0.5, 0.2]], [0, 2]);
 */
export function gradientCheck(model: Sequential, x: Features, y: Targets, options: GradientCheckOptions = {}): GradientCheckReport {
  model.requireCompiled('gradientCheck');
  const r = new OptionReader('gradientCheck', options, ['h', 'atol', 'rtol', 'training', 'inputs', 'classWeight']);
  const h = r.number('h', 1e-2, { above: 0 });
  const atol = r.number('atol', 1e-3, { min: 0 });
  const rtol = r.number('rtol', 1e-2, { above: 0 });
  const training = r.boolean('training', false);
  const checkInputs = r.boolean('inputs', true);
  const classWeight = readClassWeight(r);
  const xs = flatInputs(x, model.inputSize);
  const n = xs.length / model.inputSize;
  const l1 = hasL1(model);
  const stream = model.dropoutStream;
  const original = model.getFlatWeights();
  // A training-mode pass moves batch normalization's moving statistics: put them back afterwards.
  const state = model.network.stateValues();
  const gradientOptions = { training, classWeight };
  const lossAt = (input: Float32Array): number => {
    model.dropoutStream = stream;
    return model.computeGradients(input, y, gradientOptions).loss;
  };

  const floor = atol / rtol;
  let checked = 0, skipped = 0, worst: GradientCheckElement | null = null;
  const failures: GradientCheckElement[] = [];
  const compare = (where: string, analytic: number, numeric: number): void => {
    checked++;
    const err = Math.abs(analytic - numeric);
    const e: GradientCheckElement = { where, analytic, numeric, relativeError: err / Math.max(Math.abs(analytic), Math.abs(numeric), floor) };
    if (worst === null || e.relativeError > worst.relativeError) worst = e;
    if (!(err <= atol + rtol * Math.abs(numeric)) && failures.length < MAX_FAILURES) failures.push(e);
  };
  // The central difference in one coordinate (set by put), or null when ±h crosses a kink; the
  // denominator is the f32 step actually taken, not 2h.
  const difference = (base: Uint8Array, value: number, put: (v: number) => void, input: Float32Array, kinkedAtZero: boolean): number | null => {
    const plus = Math.fround(value + h);
    const minus = Math.fround(value - h);
    if (kinkedAtZero && Math.sign(plus) !== Math.sign(minus)) return null;
    put(plus);
    const fPlus = lossAt(input);
    const signsPlus = kinkSigns(model, n, training, input);
    put(minus);
    const fMinus = lossAt(input);
    const signsMinus = kinkSigns(model, n, training, input);
    put(value);
    if (!sameSigns(base, signsPlus) || !sameSigns(base, signsMinus)) return null;
    return (fPlus - fMinus) / (plus - minus);
  };

  try {
    model.dropoutStream = stream;
    const g = model.computeGradients(xs, y, { ...gradientOptions, inputGradients: checkInputs });
    const base = kinkSigns(model, n, training, xs);
    const weights = Float32Array.from(original);
    const names = model.getWeights().flatMap((w) => Array.from(w.values, (_, j) => `${w.name}[${j}]`));
    for (let i = 0; i < weights.length; i++) {
      const d = difference(base, weights[i], (v) => {
        weights[i] = v;
        model.setFlatWeights(weights);
      }, xs, l1);
      if (d === null) skipped++;
      else compare(names[i], g.gradients[i], d);
    }
    if (checkInputs) {
      const f = model.inputSize;
      for (let i = 0; i < xs.length; i++) {
        const d = difference(base, xs[i], (v) => (xs[i] = v), xs, false);
        if (d === null) skipped++;
        else compare(`x[${Math.floor(i / f)}][${i % f}]`, g.inputGradients![i], d);
      }
    }
  } finally {
    model.setFlatWeights(original);
    model.network.setStateValues(state);
    model.dropoutStream = stream;
  }
  const w = worst as GradientCheckElement | null;
  return { passed: failures.length === 0, maxRelativeError: w?.relativeError ?? 0, worst: w, failures, checked, skipped };
}
