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
 * The cross-entropies take logits (the last layer's activation must be 'identity'): softmax and the
 * loss fuse into one numerically stable pass whose gradient is Ŷ − Y* (ConvNetJS' softmax layer),
 * and σ with binary cross-entropy into σ(z) − t.
 */
import type { Backend, F32Buffer, I32Buffer } from '../backend/contract.js';

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
  /** True when the model must output logits (its last activation must be 'identity'). */
  readonly fromLogits: boolean;
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
  sum(b: Backend, out: F32Buffer, y: BatchTargets, grad: F32Buffer | null, m: number, n: number): number;
  /** Writes predict()'s values for raw outputs into `into` and returns the buffer holding them. */
  predictions(b: Backend, out: F32Buffer, into: F32Buffer, m: number, n: number): F32Buffer;
}

function targetsOf(y: BatchTargets, loss: LossName): F32Buffer {
  if (y.targets === null) throw new Error(`simdnet ${loss}: the batch has no float targets`);
  return y.targets;
}

const REGISTRY: { readonly [K in LossName]: Loss } = {
  softmaxCrossEntropy: {
    name: 'softmaxCrossEntropy',
    usesTargets: false,
    fromLogits: true,
    minOutputs: 2,
    targetRange: [0, 1],
    threshold: 0,
    terms: (m) => m,
    sum: (b, out, y, grad, m, n) => b.softmaxCrossEntropy(out, y.labels, null, grad, m, n, 1 / m),
    predictions: (b, out, into, m, n) => {
      b.softmax(out, into, m, n);
      return into;
    },
  },
  sigmoidCrossEntropy: {
    name: 'sigmoidCrossEntropy',
    usesTargets: true,
    fromLogits: true,
    minOutputs: 1,
    targetRange: [0, 1],
    threshold: 0,
    terms: (m, n) => m * n,
    sum: (b, out, y, grad, m, n) => b.sigmoidCrossEntropy(out, targetsOf(y, 'sigmoidCrossEntropy'), grad, m * n, 1 / (m * n)),
    predictions: (b, out, into, m, n) => {
      b.activationForward('sigmoid', out, into, m * n, 1);
      return into;
    },
  },
  meanSquaredError: {
    name: 'meanSquaredError',
    usesTargets: true,
    fromLogits: false,
    minOutputs: 1,
    targetRange: [-Infinity, Infinity],
    threshold: 0.5,
    terms: (m, n) => m * n,
    sum: (b, out, y, grad, m, n) => b.meanSquaredError(out, targetsOf(y, 'meanSquaredError'), grad, m * n, 1 / (m * n)),
    predictions: (_b, out) => out,
  },
};

/** The loss of that name; an unknown name is an error listing the known ones. */
export function lossByName(name: unknown): Loss {
  if (typeof name !== 'string' || !Object.hasOwn(REGISTRY, name)) {
    throw new RangeError(`simdnet compile: unknown loss ${typeof name === 'string' ? `'${name}'` : String(name)}; expected one of ${LOSSES.join(', ')}`);
  }
  return REGISTRY[name as LossName];
}
