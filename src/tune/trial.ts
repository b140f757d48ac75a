/** One trial of a search: build and compile its model, train, measure, dispose; and the ranking of trials. */
import { earlyStopping } from '../train/early-stopping.js';
import { Sequential } from '../model/sequential.js';
import { mlp } from '../model/mlp.js';
import { optimizer as makeOptimizer } from '../train/optimizers.js';
import { scheduleFromConfig } from '../train/schedules.js';
import type { Optimizer } from '../train/types.js';
import { trialSeed } from './resolve.js';
import { fillSchedule, type TrialParams } from './space.js';
import type { BuildContext, ResolvedTuneOptions, Trial, TuneMetric } from './types.js';

/** "trial 3 (lr 0.01, hidden [64])": names a trial in messages. */
export function describeTrial(index: number, params: TrialParams): string {
  const parts = Object.entries(params).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
  return `trial ${index} (${parts.join(', ')})`;
}

/** The trial's optimizer: its name and lr, under its schedule when it has one. */
function trialOptimizer(params: TrialParams, epochs: number): Optimizer {
  const name = params.optimizer ?? 'adam';
  if (params.schedule === undefined || params.schedule === null) {
    return makeOptimizer(name, params.lr === undefined ? {} : { lr: params.lr });
  }
  // Without lr, a schedule starts from the optimizer's own default rate.
  const lr = params.lr ?? (makeOptimizer(name).config.lr as number);
  return makeOptimizer(name, { lr: scheduleFromConfig(fillSchedule(params.schedule, lr, epochs)) });
}

/** Builds and compiles the model of `params` (disposed again if compiling fails). */
export function buildModel(o: ResolvedTuneOptions, params: TrialParams, seed: number, where: string): Sequential {
  const ctx: BuildContext = Object.freeze({ backend: o.backend, inputSize: o.inputSize, outputs: o.outputs, seed });
  let model: Sequential;
  try {
    model = o.build !== null
      ? o.build(params, ctx)
      : mlp({ inputSize: o.inputSize, outputs: o.outputs, hidden: params.hidden, activation: params.activation, dropout: params.dropout, l2: params.l2, backend: o.backend, seed });
  } catch (e) {
    throw withContext(e, where);
  }
  try {
    if (!(model instanceof Sequential)) throw new TypeError(`build must return a Sequential model, got ${String(model)}`);
    if (model.backend !== o.backend) throw new RangeError('build must make the model on ctx.backend');
    if (model.inputSize !== o.inputSize || model.outputSize !== o.outputs) {
      throw new RangeError(`build made a model of ${model.inputSize} inputs and ${model.outputSize} outputs; the data needs ${o.inputSize} and ${o.outputs}`);
    }
    // A schedule is sized by the trial's epochs, also when retrain() trains fewer (best.epochs).
    model.compile({ loss: o.loss.name, optimizer: trialOptimizer(params, params.epochs ?? o.epochs) });
    return model;
  } catch (e) {
    if (model instanceof Sequential) model.dispose();
    throw withContext(e, where);
  }
}

function withContext(e: unknown, where: string): Error {
  const message = e instanceof Error ? e.message.replace(/^simdnet /, '') : String(e);
  const wrapped = new (e instanceof TypeError ? TypeError : RangeError)(`simdnet tune: ${where}: ${message}`);
  (wrapped as Error & { cause?: unknown }).cause = e;
  return wrapped;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Runs one trial; resolves to null when the signal aborted it. */
export async function runTrial(o: ResolvedTuneOptions, index: number, params: TrialParams): Promise<Trial | null> {
  const t0 = now();
  const seed = trialSeed(o.seed, index);
  const epochs = params.epochs ?? o.epochs;
  const where = describeTrial(index, params);
  const model = buildModel(o, params, seed, where);
  try {
    // The data loss, not the loss with the penalty: the penalty grows with l2 whatever the fit.
    const stopper = o.patience === null ? null : earlyStopping({
      monitor: o.metric === 'valLoss' ? 'valDataLoss' : 'valAccuracy', patience: o.patience, restoreBestWeights: true,
    });
    let fitted;
    try {
      fitted = await model.fit(o.train.x, o.train.y, {
        epochs, batchSize: params.batchSize ?? 32, seed, validationData: o.validation,
        callbacks: stopper === null ? [] : [stopper], signal: o.signal ?? undefined,
      });
    } catch (e) {
      // The data and the settings were checked before training, so this is the trial's own failure
      // (typically a divergence): it is kept, ranked last, rather than ending the search.
      return {
        index, params, seed, valLoss: NaN, valAccuracy: NaN, epochsRun: model.epochsTrained, epochs: model.epochsTrained,
        stopReason: 'failed', seconds: (now() - t0) / 1000, history: {}, error: e instanceof Error ? e.message : String(e),
      };
    }
    if (fitted.stopReason === 'aborted') return null;
    const v = model.evaluate(o.validation.x, o.validation.y);
    const best = stopper !== null && stopper.bestEpoch >= 0 ? stopper.bestEpoch + 1 : fitted.epochs;
    return {
      index, params, seed, valLoss: v.dataLoss, valAccuracy: v.accuracy, epochsRun: fitted.epochs, epochs: best,
      stopReason: fitted.stopReason, seconds: (now() - t0) / 1000, history: fitted.history, error: null,
    };
  } finally {
    model.dispose();
  }
}

/** Best first: by the metric, then the other value, then the run order; failed trials last. */
export function rankTrials(trials: readonly Trial[], metric: TuneMetric): Trial[] {
  const failed = (t: Trial) => t.error !== null || Number.isNaN(metric === 'valLoss' ? t.valLoss : t.valAccuracy);
  const loss = (t: Trial) => (Number.isNaN(t.valLoss) ? Infinity : t.valLoss);
  return [...trials].sort((a, b) => {
    const fa = failed(a), fb = failed(b);
    if (fa !== fb) return fa ? 1 : -1;
    if (!fa) {
      const primary = metric === 'valAccuracy' ? b.valAccuracy - a.valAccuracy : loss(a) - loss(b);
      if (primary !== 0) return primary;
      const secondary = metric === 'valAccuracy' ? loss(a) - loss(b) : b.valAccuracy - a.valAccuracy;
      if (secondary !== 0 && !Number.isNaN(secondary)) return secondary;
    }
    return a.index - b.index;
  });
}
