/**
 * What `model.compile({ loss, optimizer, metrics })` accepts and fixes: the options resolved in one
 * function, after the checks that need the model's layers (the output count a loss needs, and that a
 * loss taking logits follows an 'identity' activation).
 */
import type { ActivationName } from '../backend/contract.js';
import type { Optimizer } from '../train/types.js';
import { OptionReader } from '../train/pieces.js';
import type { Layer } from './layers.js';
import { Dense } from './dense.js';
import { ActivationLayer } from './activation-layer.js';
import { lossByName, type Loss, type LossName } from './losses.js';
import { resolveMetrics, type MetricName } from './metrics.js';
import { resolveOptimizer, type PieceSpec } from './resolve.js';

/** Options of Sequential.compile(). */
export interface CompileOptions {
  /**
   * The loss: 'softmaxCrossEntropy' (multi-class, from logits), 'sigmoidCrossEntropy' (binary or
   * multi-label, from logits) or 'meanSquaredError'. See src/model/losses.ts.
   */
  loss: LossName;
  /**
   * The optimizer: one made by a factory of src/train/optimizers (`adam({ lr: 1e-3 })`), a name
   * ('sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', with their defaults) or a config. The model takes
   * ownership: dispose() frees its state.
   * @default 'adam'
   */
  optimizer?: PieceSpec<Optimizer>;
  /**
   * The metrics fit() reports each epoch (and on validation data): 'accuracy', 'zeroOneLoss'.
   * @default ['accuracy']
   */
  metrics?: readonly MetricName[];
}

/** What compile() fixed: the loss, the optimizer (owned by the model) and the metrics. */
export interface Compiled {
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly metrics: readonly MetricName[];
}

/** The activation the model's outputs come out of (dropout, flatten and identity layers pass it through). */
function finalActivation(layers: readonly Layer[]): { layer: string; activation: ActivationName } {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    if (l instanceof Dense) return { layer: l.name ?? 'dense', activation: l.activation.name };
    if (l instanceof ActivationLayer && l.activation.name !== 'identity') return { layer: l.name ?? 'activation', activation: l.activation.name };
  }
  return { layer: 'input', activation: 'identity' };
}

/** Resolves compile()'s options for a model of `layers` with `outputs` outputs; errors name the option. */
export function resolveCompile(options: CompileOptions, layers: readonly Layer[], outputs: number): Compiled {
  const r = new OptionReader('compile', options, ['loss', 'optimizer', 'metrics']);
  if (!r.has('loss')) r.fail('loss', `given: one of 'softmaxCrossEntropy', 'sigmoidCrossEntropy', 'meanSquaredError'`, undefined);
  const loss = lossByName(r.raw('loss'));
  if (outputs < loss.minOutputs) {
    throw new RangeError(`simdnet compile: loss '${loss.name}' needs at least ${loss.minOutputs} outputs but the model has ${outputs}` +
      (loss.name === 'softmaxCrossEntropy' ? "; for two classes with one output use 'sigmoidCrossEntropy'" : ''));
  }
  if (loss.fromLogits) {
    const last = finalActivation(layers);
    if (last.activation !== 'identity') {
      throw new RangeError(`simdnet compile: loss '${loss.name}' takes logits, but layer '${last.layer}' applies '${last.activation}'; ` +
        `give the last layer activation 'identity' (the loss applies ${loss.name === 'softmaxCrossEntropy' ? 'softmax' : 'the sigmoid'} itself)`);
    }
  }
  const optimizer = resolveOptimizer('compile', 'optimizer', r.raw('optimizer') ?? 'adam');
  const metrics = resolveMetrics(r.raw('metrics') ?? ['accuracy']);
  return { loss, optimizer, metrics };
}
