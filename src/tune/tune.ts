/**
 * `tune({ train, validation, space, grid | trials, metric, backend })`: hyper-parameter search on a
 * validation set, in the manner of sklearn's GridSearchCV / RandomizedSearchCV (without the folds) and
 * Keras Tuner.
 *
 *     const backend = await init();
 *     const result = await tune({
 *       train: mnist.train, validation: { split: 0.1 }, backend,
 *       space: { lr: logUniform(1e-4, 1e-2), hidden: [[128], [256, 128]], dropout: [0, 0.2] },
 *       trials: 12, epochs: 5, patience: 2,
 *     });
 *     console.log(formatTrials(result));
 *     const model = await result.retrain();   // the best settings, trained on train + validation
 *
 * Each trial builds a fresh model (the mlp of its params, or a custom build()), compiles it with the
 * trial's optimizer, learning rate and schedule, trains it on the training rows, measures it on the
 * validation rows and disposes it: only the numbers are kept. Trial i's model is seeded by a seed
 * derived from (seed, i), the random search and the validation split by seeds derived from `seed`,
 * so a rerun with the same options gives the same trials and the same ranking.
 */
import type { Callback } from '../train/callbacks.js';
import type { Sequential } from '../model/sequential.js';
import { OptionReader } from '../train/pieces.js';
import { resolveTuneOptions } from './resolve.js';
import { join } from './rows.js';
import { buildModel, describeTrial, rankTrials, runTrial } from './trial.js';
import type { RetrainOptions, Trial, TuneOptions, TuneResult } from './types.js';

/** Runs the search; see TuneOptions and the module comment. */
export async function tune(options: TuneOptions): Promise<TuneResult> {
  const o = resolveTuneOptions(options);
  const done: Trial[] = [];
  let aborted = false;
  for (let i = 0; i < o.points.length; i++) {
    if (o.signal?.aborted) {
      aborted = true;
      break;
    }
    const trial = await runTrial(o, i, o.points[i]);
    if (trial === null) {
      aborted = true;
      break;
    }
    Object.freeze(trial);
    done.push(trial);
    if (o.onTrial !== null) await o.onTrial(trial, { done: done.length, total: o.points.length });
  }
  if (done.length === 0) {
    throw new Error(`simdnet tune: aborted before the first trial finished (${o.points.length} trials planned)`);
  }
  if (done.every((t) => t.error !== null)) {
    throw new Error(`simdnet tune: all ${done.length} trials failed; the first: ${describeTrial(0, done[0].params)}: ${done[0].error}`);
  }
  const trials = Object.freeze(rankTrials(done, o.metric));
  const best = trials[0];
  const retrain = async (retrainOptions: RetrainOptions = {}): Promise<Sequential> => {
    const rr = new OptionReader('tune retrain', retrainOptions, ['epochs', 'callbacks', 'signal', 'verbose']);
    const epochs = rr.number('epochs', best.epochs, { min: 1, integer: true });
    const all = join(o.train, o.validation);
    const model = buildModel(o, best.params, best.seed, `retrain of ${describeTrial(best.index, best.params)}`);
    try {
      await model.fit(all.x, all.y, {
        epochs, batchSize: best.params.batchSize ?? 32, seed: best.seed,
        callbacks: (rr.raw('callbacks') ?? []) as Callback[], signal: rr.raw('signal') as AbortSignal | undefined, verbose: rr.boolean('verbose', false),
      });
      return model;
    } catch (e) {
      model.dispose();
      throw e;
    }
  };
  return Object.freeze({ metric: o.metric, search: o.search, trials, best, aborted, retrain });
}
