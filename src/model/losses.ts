/**
 * The losses, as a closed registry. Each is a mean over the batch of a per-term loss, computed by one
 * fused kernel that also writes the gradient ∂(mean loss)/∂output:
 *
 * | name                  | model output     | y                        | mean over | predict() returns |
 * |-----------------------|------------------|--------------------------|-----------|-------------------|
 * | softmaxCrossEntropy   | logits [m, n≥2]  | class index per row      | m rows    | softmax(logits)   |
 * | sigmoidCrossEntropy   | logits [m, n]    | targets in [0, 1]        | m·n terms | σ(logits)         |
 * | meanSquaredError      | values [m, n]    | any finite targets       | m·n terms | the outputs       |
 *
 * The cross-entropies take logits: softmax and the loss fuse into one numerically stable pass whose
 * gradient is Ŷ − Y* (ConvNetJS' softmax layer), and σ with binary cross-entropy into σ(z) − t. The
 * last layer either outputs logits ('identity') or applies the loss's own activation, as a Keras
 * model does (`dense({ units: 10, activation: 'softmax' })` with 'categoricalCrossentropy', or
 * 'sigmoid' with 'binaryCrossentropy'): compile() then fuses that activation into the loss, so
 * training runs on the logits (stable, gradient Ŷ − Y*) and predict() returns the probabilities,
 * exactly what the layer outputs before compile().
 *
 * Keras's names work as aliases (LOSS_ALIASES): categoricalCrossentropy and
 * sparseCategoricalCrossentropy are softmaxCrossEntropy (y as one-hot rows or class indices, either
 * way), binaryCrossentropy is sigmoidCrossEntropy, mse is meanSquaredError. A saved model records the
 * canonical name.
 */
import type { F32Buffer, I32Buffer, Kernels } from '../backend/contract.js';
import { excerpt } from '../train/pieces.js';

/** The names of the losses compile() accepts (see the table above). */
export const LOSSES = ['softmaxCrossEntropy', 'sigmoidCrossEntropy', 'meanSquaredError'] as const;
/** A loss name: one of LOSSES. */
export type LossName = (typeof LOSSES)[number];

/** A batch's y on the backend: true classes (always; accuracy uses them) and float targets [m, n]. */
export interface BatchTargets {
  readonly labels: I32Buffer;
  /** null for softmaxCrossEntropy, which reads the labels. */
  readonly targets: F32Buffer | null;
}

/** A loss as the training step uses it: its fused loss-and-gradient kernel, its predictions, its target rules. */
export interface Loss {
  readonly name: LossName;
  /** True when the loss reads float targets [m, n]; false when it reads the integer labels. */
  readonly usesTargets: boolean;
  /** True when the loss reads logits (the model's last activation is 'identity' or fusedActivation). */
  readonly fromLogits: boolean;
  /**
   * The activation this loss fuses with when the last layer applies it (Keras's softmax / sigmoid
   * output with a cross-entropy): training then runs the loss on that layer's logits, and predict()
   * returns the activation's values as before. null: no fusion.
   */
  readonly fusedActivation: 'softmax' | 'sigmoid' | null;
  /** The fewest outputs the loss makes sense for. */
  readonly minOutputs: number;
  /** The range 2-D targets must lie in (checked when y enters). */
  readonly targetRange: readonly [number, number];
  /**
   * For a one-output model: the output value at or above which the predicted class is 1
   * (logit 0 = probability ½ for sigmoidCrossEntropy; 0.5 for meanSquaredError).
   */
  readonly threshold: number;
  /** The number of terms the mean divides the sum by. */
  terms(m: number, n: number): number;
  /** The summed loss over a batch; `grad` (when given) receives ∂(sum/terms)/∂output. */
  sum(b: Kernels, out: F32Buffer, y: BatchTargets, grad: F32Buffer | null, m: number, n: number): number;
  /** Like sum(), with `grad` receiving ∂sum/∂output · gradScale (a weighted row passes its weight / terms). */
  scaledSum(b: Kernels, out: F32Buffer, y: BatchTargets, grad: F32Buffer | null, m: number, n: number, gradScale: number): number;
  /** Writes predict()'s values for raw outputs into `into` and returns the buffer holding them. */
  predictions(b: Kernels, out: F32Buffer, into: F32Buffer, m: number, n: number): F32Buffer;
}

function targetsOf(y: BatchTargets, loss: LossName): F32Buffer {
  if (y.targets === null) throw new Error(`simdnet ${loss}: the batch has no float targets`);
  return y.targets;
}

/** A loss's own part; sum() follows from scaledSum() and terms(). */
type LossSpec = Omit<Loss, 'sum'>;

function withSum(spec: LossSpec): Loss {
  return { ...spec, sum: (b, out, y, grad, m, n) => spec.scaledSum(b, out, y, grad, m, n, 1 / spec.terms(m, n)) };
}

const REGISTRY: { readonly [K in LossName]: Loss } = {
  softmaxCrossEntropy: withSum({
    name: 'softmaxCrossEntropy',
    usesTargets: false,
    fromLogits: true,
    fusedActivation: 'softmax',
    minOutputs: 2,
    targetRange: [0, 1],
    threshold: 0,
    terms: (m) => m,
    scaledSum: (b, out, y, grad, m, n, scale) => b.softmaxCrossEntropy(out, y.labels, null, grad, m, n, scale),
    predictions: (b, out, into, m, n) => {
      b.softmax(out, into, m, n);
      return into;
    },
  }),
  sigmoidCrossEntropy: withSum({
    name: 'sigmoidCrossEntropy',
    usesTargets: true,
    fromLogits: true,
    fusedActivation: 'sigmoid',
    minOutputs: 1,
    targetRange: [0, 1],
    threshold: 0,
    terms: (m, n) => m * n,
    scaledSum: (b, out, y, grad, m, n, scale) => b.sigmoidCrossEntropy(out, targetsOf(y, 'sigmoidCrossEntropy'), grad, m * n, scale),
    predictions: (b, out, into, m, n) => {
      b.activationForward('sigmoid', out, into, m * n, 1);
      return into;
    },
  }),
  meanSquaredError: withSum({
    name: 'meanSquaredError',
    usesTargets: true,
    fromLogits: false,
    fusedActivation: null,
    minOutputs: 1,
    targetRange: [-Infinity, Infinity],
    threshold: 0.5,
    terms: (m, n) => m * n,
    scaledSum: (b, out, y, grad, m, n, scale) => b.meanSquaredError(out, targetsOf(y, 'meanSquaredError'), grad, m * n, scale),
    predictions: (_b, out) => out,
  }),
};

/**
 * Keras's and TensorFlow.js's names for the same losses. categoricalCrossentropy takes one-hot rows
 * or class indices here (Keras's takes one-hot rows; its sparse form takes indices): both are
 * softmaxCrossEntropy.
 */
export const LOSS_ALIASES: Readonly<Record<LossAlias, LossName>> = {
  categoricalCrossentropy: 'softmaxCrossEntropy',
  sparseCategoricalCrossentropy: 'softmaxCrossEntropy',
  binaryCrossentropy: 'sigmoidCrossEntropy',
  mse: 'meanSquaredError',
};
/** A Keras spelling compile() accepts: a key of LOSS_ALIASES. */
export type LossAlias = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy' | 'mse';

/** The loss of that name (or a Keras alias); an unknown name is an error listing the known ones. */
export function lossByName(name: unknown): Loss {
  const key = typeof name === 'string' && Object.hasOwn(LOSS_ALIASES, name) ? LOSS_ALIASES[name as LossAlias] : name;
  if (typeof key !== 'string' || !Object.hasOwn(REGISTRY, key)) {
    throw new RangeError(`simdnet compile: unknown loss ${excerpt(name)}; expected one of ${LOSSES.join(', ')} ` +
      `(or Keras's ${Object.keys(LOSS_ALIASES).join(', ')})`);
  }
  return REGISTRY[key as LossName];
}
