/**
 * The layer registry: the closed union of layer configs (what a saved topology holds) and the
 * function that turns one back into a layer object. A new layer kind adds its config to LayerConfig
 * and one entry to LAYERS.
 */
import { Dense, type DenseConfig } from './dense.js';
import { ActivationLayer, type ActivationConfig } from './activation-layer.js';
import { Dropout, type DropoutConfig } from './dropout.js';
import { Flatten, type FlattenConfig } from './flatten.js';
import { Conv2d, type Conv2dConfig } from './conv2d.js';
import { AvgPool2d, GlobalAvgPool2d, MaxPool2d, type GlobalAvgPool2dConfig, type Pool2dConfig } from './pool2d.js';
import { BatchNormalization, type BatchNormalizationConfig } from './batch-norm.js';
import type { Layer } from './layers.js';

/** A layer as plain data (what a saved model's topology holds), discriminated by `type`. */
export type LayerConfig =
  | DenseConfig | ActivationConfig | DropoutConfig | FlattenConfig
  | Conv2dConfig | Pool2dConfig<'maxPool2d'> | Pool2dConfig<'avgPool2d'> | GlobalAvgPool2dConfig | BatchNormalizationConfig;

const LAYERS: { readonly [T in LayerConfig['type']]: (config: Extract<LayerConfig, { type: T }>) => Layer } = {
  dense: ({ name, units, activation, activationAlpha, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer }: DenseConfig) =>
    new Dense({ name, units, activation, activationAlpha, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer }),
  activation: ({ name, activation, alpha }: ActivationConfig) => new ActivationLayer({ name: activation, alpha, layerName: name }),
  dropout: ({ name, rate }: DropoutConfig) => new Dropout({ name, rate }),
  flatten: ({ name }: FlattenConfig) => new Flatten({ name }),
  conv2d: ({ name, filters, kernelSize, strides, padding, dilation, activation, activationAlpha, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer }: Conv2dConfig) =>
    new Conv2d({ name, filters, kernelSize, strides, padding, dilation, activation, activationAlpha, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer }),
  maxPool2d: ({ name, poolSize, strides, padding }: Pool2dConfig) => new MaxPool2d({ name, poolSize, strides, padding }),
  avgPool2d: ({ name, poolSize, strides, padding }: Pool2dConfig) => new AvgPool2d({ name, poolSize, strides, padding }),
  globalAvgPool2d: ({ name }: GlobalAvgPool2dConfig) => new GlobalAvgPool2d({ name }),
  batchNormalization: ({ name, momentum, epsilon, center, scale }: BatchNormalizationConfig) => new BatchNormalization({ name, momentum, epsilon, center, scale }),
};

/** Rebuilds a layer from its config; an unknown type is an error naming the known ones. */
export function layerFromConfig(config: LayerConfig): Layer {
  const type = (config as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(LAYERS, type)) {
    throw new RangeError(`simdnet: unknown layer type ${JSON.stringify(type)}; known types: ${Object.keys(LAYERS).join(', ')}`);
  }
  return (LAYERS[type as LayerConfig['type']] as (c: LayerConfig) => Layer)(config);
}
