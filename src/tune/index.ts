/** Hyper-parameter search: tune() over a search space, ranked on a validation set; formatTrials() prints it. */
export { tune, rankTrials, TUNE_METRICS } from './tune.js';
export type {
  TuneOptions, TuneResult, Trial, TuneMetric, RetrainOptions, BuildFn, BuildContext, LabelledData,
} from './tune.js';
export { logUniform, uniform, intRange, choice, Distribution, KNOWN_DIMENSIONS, KNOWN_NAMES } from './space.js';
export type { SearchSpace, Dimension, KnownParams, TrialParams, ScheduleSpec } from './space.js';
export { formatTrials, formatValue } from './format.js';
