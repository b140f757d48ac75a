/** computeGradients()' options, resolved: read in one place, out of Sequential. */
import { OptionReader } from '../train/pieces.js';
import { classWeights, readClassWeight } from '../train/fit-options.js';
import type { GradientOptions } from './inference.js';

/** GradientOptions with their defaults applied and classWeight turned into one weight per class (or null). */
export interface ResolvedGradientOptions {
  readonly training: boolean;
  readonly inputGradients: boolean;
  readonly weights: Float64Array | null;
}

/** Checks and resolves computeGradients()' options for a model of `outputs` outputs. */
export function resolveGradientOptions(options: GradientOptions, outputs: number): ResolvedGradientOptions {
  const r = new OptionReader('computeGradients', options, ['training', 'inputGradients', 'classWeight']);
  const training = r.boolean('training', false);
  const inputGradients = r.boolean('inputGradients', false);
  const classWeight = readClassWeight(r);
  const weights = classWeight === null ? null : classWeights(classWeight, Math.max(2, outputs), 'computeGradients');
  return { training, inputGradients, weights };
}
