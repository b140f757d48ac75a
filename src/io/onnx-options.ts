/**
 * exportOnnx()'s options and their resolution against the model (apart from onnx.ts, so that the
 * package's entry can name them without loading protobufjs).
 */
import { OptionReader } from '../train/pieces.js';
import type { Sequential } from '../model/sequential.js';
import type { LayerConfig } from '../model/layer-registry.js';

/** Options of exportOnnx(). */
export interface OnnxOptions {
  /**
   * What the graph's `output` holds: 'logits', the last layer's raw outputs; or 'probabilities',
   * what predict() returns for a model compiled with a cross-entropy loss (a Softmax over each row
   * for softmaxCrossEntropy, a Sigmoid of each output for sigmoidCrossEntropy).
   * @default what predict() returns: 'probabilities' for a model compiled with a cross-entropy loss, else 'logits'
   */
  outputs?: 'logits' | 'probabilities';
}

export interface ResolvedOnnxOptions {
  readonly outputs: 'logits' | 'probabilities';
  /** The function 'probabilities' applies to the logits, from the compiled loss. */
  readonly probabilities: 'softmax' | 'sigmoid' | null;
}

export function resolveOnnxOptions(model: Sequential, options: OnnxOptions): ResolvedOnnxOptions {
  const r = new OptionReader('exportOnnx', options, ['outputs']);
  const loss = model.compiled?.loss.name ?? null;
  // A dense 'softmax' head gives probabilities compiled or not (predict() returns them either way).
  const last = model.layers.at(-1)?.toConfig() as LayerConfig | undefined;
  const softmaxHead = last?.type === 'dense' && last.activation === 'softmax';
  const probabilities = softmaxHead || loss === 'softmaxCrossEntropy' ? 'softmax' : loss === 'sigmoidCrossEntropy' ? 'sigmoid' : null;
  const outputs = r.raw('outputs') ?? (probabilities === null ? 'logits' : 'probabilities');
  if (outputs !== 'logits' && outputs !== 'probabilities') r.fail('outputs', "'logits' or 'probabilities'", outputs);
  if (outputs === 'probabilities' && probabilities === null) {
    throw new RangeError(`simdnet exportOnnx: outputs 'probabilities' needs a model compiled with softmaxCrossEntropy or sigmoidCrossEntropy (their softmax or σ turns the logits into probabilities), but this model is ${loss === null ? 'not compiled' : `compiled with ${loss}`}; use outputs: 'logits'`);
  }
  return { outputs: outputs as 'logits' | 'probabilities', probabilities };
}
