/**
 * The model `simdnet train` builds from its settings: the --layers tokens (layer-spec.ts) in order,
 * then a dense output of one logit per class. Hidden conv2d and dense layers take --activation (He
 * initialisation for the ReLU family, Glorot otherwise) and the --l1/--l2 penalty; --dropout adds a
 * dropout layer after every hidden dense layer. A `bn` token takes the activation of the layer before
 * it (conv → bn → relu, the order batch normalization was made for), and that layer drops its bias
 * (the batch norm's beta does its work). A flatten goes in before the first dense layer on images.
 */
import { defaultKernelInitializer } from '../backend/activations.js';
import type { ActivationName } from '../backend/contract.js';
import type { ReadyBackend } from '../backend/init.js';
import { dense } from '../model/dense.js';
import { dropout } from '../model/dropout.js';
import { flatten } from '../model/flatten.js';
import { activation } from '../model/activation-layer.js';
import { avgPool2d, batchNormalization, conv2d, globalAvgPool2d, maxPool2d } from '../model/index.js';
import type { Layer, Shape } from '../model/layers.js';
import { sequential, type Sequential } from '../model/sequential.js';
import type { Regularizer } from '../train/types.js';
import { needsImages, tokenName, type LayerToken } from './layer-spec.js';
import { UsageError } from './values.js';

/** What the builder needs besides the tokens. */
export interface BuildSettings {
  readonly layers: readonly LayerToken[];
  readonly activation: ActivationName;
  /** The activation's parameter; undefined for the default. */
  readonly slope?: number;
  readonly dropout: number;
  readonly regularizer: Regularizer | null;
  readonly seed: number;
}

/** "28x28x1-conv32x5-pool2-dense128-10": the network as the run prints it. */
export function networkName(tokens: readonly LayerToken[], inputShape: Shape, classes: number): string {
  const input = inputShape.length === 3 && needsImages(tokens) ? inputShape.join('x') : String(inputShape.reduce((a, b) => a * b, 1));
  // Bare widths print as before (784-256-128-10): only a network with other layers names its dense ones.
  const mlp = tokens.every((t) => t.kind === 'dense');
  return [input, ...tokens.map((t) => (mlp && t.kind === 'dense' ? String(t.units) : tokenName(t))), String(classes)].join('-');
}

/** The layers for `s.layers` on rows of `inputShape`, ending in `classes` logits. */
export function buildLayers(s: BuildSettings, inputShape: Shape, classes: number): Layer[] {
  if (needsImages(s.layers) && inputShape.length !== 3) {
    throw new UsageError(`--layers ${s.layers.map(tokenName).join(',')}: convolution and pooling layers need image data (--data mnist, --idx DIR or --cifar DIR), not rows of ${inputShape.join('x')} features`);
  }
  const act = { activation: s.activation, activationAlpha: s.slope };
  const kernel = { kernelInitializer: defaultKernelInitializer(s.activation), kernelRegularizer: s.regularizer };
  const layers: Layer[] = [];
  let image = inputShape.length === 3;
  s.layers.forEach((t, i) => {
    // A bn right after this layer takes over its activation (and its bias).
    const normed = s.layers[i + 1]?.kind === 'bn';
    const own = normed ? { activation: 'identity' as const, useBias: false } : act;
    switch (t.kind) {
      case 'conv':
        layers.push(conv2d({ filters: t.filters, kernelSize: t.kernel, strides: t.stride, padding: t.padding, ...own, ...kernel }));
        break;
      case 'maxPool':
        layers.push(maxPool2d({ poolSize: t.size }));
        break;
      case 'avgPool':
        layers.push(avgPool2d({ poolSize: t.size }));
        break;
      case 'gap':
        layers.push(globalAvgPool2d());
        image = false;
        break;
      case 'bn': {
        layers.push(batchNormalization());
        const before = s.layers[i - 1]?.kind;
        if (before === 'conv' || before === 'dense') layers.push(activation({ name: s.activation, alpha: s.slope }));
        break;
      }
      case 'dropout':
        layers.push(dropout({ rate: t.rate }));
        break;
      case 'flatten':
        layers.push(flatten());
        image = false;
        break;
      case 'dense':
        if (image) layers.push(flatten());
        image = false;
        layers.push(dense({ units: t.units, ...own, ...kernel }));
        if (s.dropout > 0) layers.push(dropout({ rate: s.dropout }));
        break;
    }
  });
  if (image && needsImages(s.layers)) layers.push(flatten());
  layers.push(dense({ units: classes, kernelRegularizer: s.regularizer }));
  return layers;
}

/** The model, compiled by the caller; a shape a layer cannot take is a usage error naming the layer. */
export function buildModel(s: BuildSettings, inputShape: Shape, classes: number, backend: ReadyBackend): Sequential {
  const layers = buildLayers(s, inputShape, classes);
  try {
    return sequential(layers, { inputShape, backend, seed: s.seed });
  } catch (e) {
    if (e instanceof RangeError && /cannot take input shape/.test(e.message)) {
      throw new UsageError(`--layers ${s.layers.map(tokenName).join(',')} on ${inputShape.join('x')} images: ${e.message.replace(/^simdnet sequential: /, '')}`);
    }
    throw e;
  }
}
