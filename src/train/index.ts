/**
 * Training: the loop (fit), its callbacks, and the pieces: optimizers, regularizers, learning-rate
 * schedules and initializers.
 *
 * Optimizers and regularizers are exported by name (`adam({ lr })`, `l2(1e-4)`). Schedules and
 * initializers are exported as namespaces, as in Keras (`schedules.cosineDecay({...})`,
 * `initializers.heNormal()`), because both families have a `constant`.
 */
export type {
  Initializer, LearningRateSchedule, Optimizer, OptimizerState, PieceConfig, Regularizer, ScheduleState, StepInfo,
} from './types.js';
export {
  sgd, adam, adamw, rmsprop, adagrad, optimizer, optimizerFromConfig, OPTIMIZER_NAMES,
} from './optimizers.js';
export type {
  LearningRate, OptimizerCommonOptions, SgdOptions, AdamOptions, AdamWOptions, RmspropOptions, AdagradOptions,
  OptimizerName, OptimizerOptionsByName,
} from './optimizers.js';
export { l1, l2, l1l2, regularizerFromConfig, REGULARIZER_NAMES } from './regularizers.js';
export type { L1L2Options } from './regularizers.js';
export { scheduleFromConfig, SCHEDULE_NAMES } from './schedules.js';
export { initializer, initializerFromConfig, INITIALIZER_NAMES } from './initializers.js';
export * as schedules from './schedules.js';
export * as initializers from './initializers.js';
export type { FitOptions, History, StopWhen } from './fit.js';
export type { AugmentOptions } from './augment.js';
export type { Evaluation } from './step.js';
export type { Callback, CallbackModel, BatchLogs, BatchBeginLogs, EpochLogs, TrainBeginLogs, TrainEndLogs, StopReason } from './callbacks.js';
export { earlyStopping } from './early-stopping.js';
export type { EarlyStopping, EarlyStoppingOptions } from './early-stopping.js';
