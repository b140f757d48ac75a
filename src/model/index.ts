/** The model API: layers, sequential models, losses and metrics, training, saving and loading. */
export { dense, Dense } from './dense.js';
export type { DenseOptions, DenseConfig } from './dense.js';
export { activation, ActivationLayer } from './activation-layer.js';
export type { ActivationOptions, ActivationConfig } from './activation-layer.js';
export { dropout, Dropout } from './dropout.js';
export type { DropoutOptions, DropoutConfig } from './dropout.js';
export { Layer } from './layers.js';
export type { LayerConfig, ParamSpec } from './layers.js';
export { layerFromConfig } from './layer-registry.js';
export { sequential, mlp, Sequential } from './sequential.js';
export type {
  SequentialOptions, CompileOptions, Compiled, PredictOptions, Evaluation, WeightTensor, GradientOptions, Gradients,
  SequentialConfig, MlpOptions,
} from './sequential.js';
export { LOSSES } from './losses.js';
export type { LossName } from './losses.js';
export { METRICS, confusionMatrix } from './metrics.js';
export type { MetricName } from './metrics.js';
export type { Features, Targets } from './data.js';
export type { FitOptions, History, StopWhen } from './fit.js';
export type { Callback, BatchLogs, EpochLogs, TrainEndLogs, StopReason } from './callbacks.js';
export { earlyStopping } from './early-stopping.js';
export type { EarlyStopping, EarlyStoppingOptions } from './early-stopping.js';
export { loadModel, FORMAT_VERSION } from './serialize.js';
export type { ModelSink, LoadOptions } from './serialize.js';
export type { PieceSpec } from './resolve.js';
