/** Hyper-parameter search: tune() over a search space, ranked on a validation set; formatTrials() prints it. */
export { tune } from './tune.js';
export { rankTrials } from './trial.js';
export { TUNE_METRICS } from './types.js';
export type {
  TuneOptions, TuneResult, Trial, TuneMetric, RetrainOptions, BuildFn, BuildContext, LabelledData,
} from './types.js';
export { logUniform, uniform, intRange, choice, Distribution, KNOWN_DIMENSIONS, KNOWN_NAMES } from './space.js';
export type { SearchSpace, Dimension, KnownDimension, KnownParams, TrialParams, ScheduleSpec } from './space.js';
export { formatTrials, formatValue } from './format.js';
