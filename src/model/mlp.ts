/**
 * `mlp({ inputSize, hidden, outputs, ... })`: the common multi-layer perceptron as one call, built
 * from dense and dropout layers into a Sequential.
 */
import type { ActivationName, Backend } from '../backend/contract.js';
import { defaultKernelInitializer } from '../backend/activations.js';
import type { Initializer } from '../train/types.js';
import { OptionReader } from '../train/pieces.js';
import { l2 as l2Penalty } from '../train/regularizers.js';
import type { Layer } from './layers.js';
import { dense } from './dense.js';
import { dropout } from './dropout.js';
import type { PieceSpec } from './resolve.js';
import { Sequential } from './sequential.js';

/** Options of mlp(). */
export interface MlpOptions {
  /** The number of input features. */
  inputSize: number;
  /**
   * The widths of the hidden layers, e.g. [128, 64].
   * @default []
   */
  hidden?: readonly number[];
  /** The number of outputs (classes for softmaxCrossEntropy; the last layer has activation 'identity'). */
  outputs: number;
  /**
   * The hidden layers' activation.
   * @default 'relu'
   */
  activation?: ActivationName;
  /**
   * A dropout rate after each hidden layer; 0 for none.
   * @default 0
   */
  dropout?: number;
  /**
   * An L2 penalty α·Σw² on every kernel (not the biases); 0 for none.
   * @default 0
   */
  l2?: number;
  /**
   * The hidden layers' kernel initializer (a name such as 'heNormal', or an initializer).
   * @default 'heNormal' for relu-like activations (init 'he' in ACTIVATION_TABLE), else 'glorotUniform'
   */
  kernelInitializer?: PieceSpec<Initializer>;
  /** The backend (see SequentialOptions.backend). Required. */
  backend: Backend;
  /**
   * See SequentialOptions.seed.
   * @default 0
   */
  seed?: number;
}

/**
 * The common multi-layer perceptron in one line (a Sequential):
 * `mlp({ inputSize: 784, hidden: [128, 64], outputs: 10, activation: 'relu', dropout: 0.2, l2: 1e-4, backend })`
 * is dense(128, relu) → dropout → dense(64, relu) → dropout → dense(10) (logits). Hidden layers use He
 * initialisation for relu-like activations and Glorot otherwise. Not compiled: call compile().
 * @example
 *     const model = mlp({ inputSize: 4, hidden: [16], outputs: 3, backend }).compile({ loss: 'softmaxCrossEntropy' });
 */
export function mlp(options: MlpOptions): Sequential {
  const r = new OptionReader('mlp', options, ['inputSize', 'hidden', 'outputs', 'activation', 'dropout', 'l2', 'kernelInitializer', 'backend', 'seed']);
  const hidden = r.has('hidden') && (r.raw('hidden') as unknown[]).length > 0 ? r.numbers('hidden', { min: 1, integer: true }) : [];
  const outputs = r.number('outputs', undefined, { min: 1, integer: true });
  const act = (r.raw('activation') ?? 'relu') as ActivationName;
  const rate = r.number('dropout', 0, { min: 0, below: 1 });
  const alpha = r.number('l2', 0, { min: 0 });
  const kernelRegularizer = alpha > 0 ? l2Penalty(alpha) : null;
  const layers: Layer[] = [];
  for (const units of hidden) {
    const kernelInitializer = options.kernelInitializer ?? defaultKernelInitializer(act);
    layers.push(dense({ units, activation: act, kernelInitializer, kernelRegularizer }));
    if (rate > 0) layers.push(dropout({ rate }));
  }
  layers.push(dense({ units: outputs, kernelRegularizer }));
  return new Sequential(layers, { inputSize: options.inputSize, backend: options.backend, seed: options.seed });
}
