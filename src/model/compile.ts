/**
 * What `model.compile({ loss, optimizer, metrics })` accepts and fixes: the options resolved in one
 * function, after the checks that need the model's layers (the output count a loss needs, and that a
 * loss taking logits follows an 'identity' activation or one it fuses with).
 */
import type { ActivationName } from '../backend/contract.js';
import type { Optimizer } from '../train/types.js';
import { OptionReader } from '../train/pieces.js';
import type { Layer } from './layers.js';
import { Dense } from './dense.js';
import { ActivationLayer } from './activation-layer.js';
import { LOSSES, LOSS_ALIASES, lossByName, type Loss, type LossAlias, type LossName } from './losses.js';
import { resolveMetrics, type MetricName, type MetricSpec } from './metrics.js';
import { resolveOptimizer, type PieceSpec } from './resolve.js';

/** Options of Sequential.compile(). */
export interface CompileOptions {
  /**
   * The loss: 'softmaxCrossEntropy' (multi-class), 'sigmoidCrossEntropy' (binary or multi-label) or
   * 'meanSquaredError', or Keras's names for them: 'categoricalCrossentropy',
   * 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'mse'. The cross-entropies take the
   * last layer's logits ('identity'), or fuse with its 'softmax' / 'sigmoid' (see src/model/losses.ts).
   */
  loss: LossName | LossAlias;
  /**
   * The optimizer: one made by a factory of src/train/optimizers (`adam({ lr: 1e-3 })`), a name
   * ('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', with their defaults) or a config. The model takes
   * ownership: dispose() frees its state.
   * @default 'adam'
   */
  optimizer?: PieceSpec<Optimizer>;
  /**
   * The metrics fit() reports each epoch (and, prefixed val, on validation data) and evaluate()
   * returns, by Keras's names: 'accuracy', 'zeroOneLoss', 'precision', 'recall', 'f1',
   * 'topKAccuracy' (k = 5; `{ name: 'topKAccuracy', k: 3 }` for another k), 'mae'. See
   * src/model/metrics.ts for their definitions.
   * @default ['accuracy']
   */
  metrics?: readonly MetricSpec[];
}

/** What compile() fixed: the loss, the optimizer (owned by the model) and the metrics. */
export interface Compiled {
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly metrics: readonly MetricName[];
  /** top-k accuracy's k. */
  readonly topK: number;
  /** The last dense layer whose softmax / sigmoid the loss applies itself, or null. */
  readonly fused: Dense | null;
}

/** The activation the model's outputs come out of (dropout, flatten and identity layers pass it through). */
function finalActivation(layers: readonly Layer[]): { layer: Layer | null; activation: ActivationName | 'softmax' } {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (l instanceof Dense) return { layer: l, activation: l.activationName };
    if (l instanceof ActivationLayer && l.activation.name !== 'identity') return { layer: l, activation: l.activation.name };
  }
  return { layer: null, activation: 'identity' };
}

/**
 * The dense layer whose activation the loss applies itself (Keras's softmax or sigmoid output with a
 * cross-entropy), or null when the model outputs logits or the loss takes outputs as they are.
 * Anything else a cross-entropy cannot be fused with, and a softmax anywhere but there, is refused.
 */
function fusedLayer(loss: Loss, layers: readonly Layer[]): Dense | null {
  const last = finalActivation(layers);
  const name = last.layer?.name ?? 'input';
  const fusable = loss.fusedActivation !== null && last.activation === loss.fusedActivation && last.layer instanceof Dense &&
    last.layer === layers[layers.length - 1] && (loss.fusedActivation === 'softmax' || last.layer.activation.alpha === 1);
  const softmaxAt = layers.find((l) => l instanceof Dense && l.softmax && !(fusable && l === last.layer));
  if (softmaxAt !== undefined) {
    throw new RangeError(`simdnet compile: layer '${softmaxAt.name}' applies softmax, which simdnet supports only on the last layer with loss ` +
      `'categoricalCrossentropy' (softmaxCrossEntropy), fused into it; for loss '${loss.name}' give it activation 'identity'`);
  }
  if (fusable) return last.layer as Dense;
  if (loss.fromLogits && last.activation !== 'identity') {
    const own = loss.fusedActivation === 'softmax' ? "'softmax'" : "'sigmoid' (slope 1)";
    throw new RangeError(`simdnet compile: loss '${loss.name}' takes logits, but layer '${name}' applies '${last.activation}'` +
      (last.layer instanceof Dense && last.layer.activation.alpha !== 1 && last.activation === loss.fusedActivation ? ` with slope ${last.layer.activation.alpha}` : '') +
      `; give the last dense layer activation 'identity' or ${own}, which the loss then applies itself`);
  }
  return null;
}

/** Resolves compile()'s options for a model of `layers` with `outputs` outputs; errors name the option. */
export function resolveCompile(options: CompileOptions, layers: readonly Layer[], outputs: number): Compiled {
  const r = new OptionReader('compile', options, ['loss', 'optimizer', 'metrics']);
  if (!r.has('loss')) r.fail('loss', `given: one of ${[...LOSSES, ...Object.keys(LOSS_ALIASES)].map((l) => `'${l}'`).join(', ')}`, undefined);
  const loss = lossByName(r.raw('loss'));
  if (outputs < loss.minOutputs) {
    throw new RangeError(`simdnet compile: loss '${loss.name}' needs at least ${loss.minOutputs} outputs but the model has ${outputs}` +
      (loss.name === 'softmaxCrossEntropy' ? "; for two classes with one output use 'binaryCrossentropy' (sigmoidCrossEntropy)" : ''));
  }
  const fused = fusedLayer(loss, layers);
  const optimizer = resolveOptimizer('compile', 'optimizer', r.raw('optimizer') ?? 'adam');
  const metrics = resolveMetrics(r.raw('metrics') ?? ['accuracy']);
  return { loss, optimizer, metrics: metrics.names, topK: metrics.k, fused };
}
