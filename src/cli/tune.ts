/**
 * `simdnet tune`: grid search (or random search with --trials) over learning rate, hidden layers,
 * dropout and L2 on a validation split of the training rows; prints the ranked table, then the best
 * settings' test accuracy after retraining on train + validation.
 */
import type { ReadyBackend } from '../backend/init.js';
import { tune } from '../tune/tune.js';
import { formatTrials } from '../tune/format.js';
import type { SearchSpace } from '../tune/space.js';
import type { LoadedData } from './data-source.js';
import { parseLayers } from './layer-spec.js';
import { parseInteger, parseNumber } from './values.js';

/** "a,b,c" → numbers, each checked by `parse`. */
function list<T>(flag: string, value: string, sep: string, parse: (flag: string, v: string) => T): T[] {
  return value.split(sep).map((v) => parse(flag, v.trim()));
}

export function tuneSpace(o: Record<string, unknown>): SearchSpace {
  return {
    lr: list('--lr', String(o.lr), ',', (f, v) => parseNumber(f, v, Number.MIN_VALUE)),
    hidden: list('--layers', String(o.layers), ';', parseLayers),
    dropout: list('--dropout', String(o.dropout), ',', (f, v) => parseNumber(f, v, 0, 0.95)),
    l2: list('--l2', String(o.l2), ',', (f, v) => parseNumber(f, v, 0)),
  };
}

export async function runTune(o: Record<string, unknown>, data: LoadedData, backend: ReadyBackend): Promise<void> {
  const trials = o.trials === undefined ? undefined : parseInteger('--trials', String(o.trials), 1);
  const epochs = parseInteger('--epochs', String(o.epochs), 1);
  const split = parseNumber('--val', String(o.val), 0.01, 0.9);
  const log = (s: string): void => void (o.json ? process.stderr : process.stdout).write(s + '\n');
  log(`tuning on ${data.name}: ${trials === undefined ? 'grid search' : `random search, ${trials} trials`}, ${epochs} epochs per trial, validation ${split}`);
  const result = await tune({
    train: data.train, validation: { split }, backend, space: tuneSpace(o), epochs, seed: Number(o.seed),
    ...(trials === undefined ? { grid: true } : { trials }),
    onTrial: (t, { total }) => log(`trial ${t.index + 1}/${total}: val accuracy ${t.valAccuracy.toFixed(4)}, val loss ${t.valLoss.toFixed(4)} (${t.seconds.toFixed(1)} s)`),
  });
  log(formatTrials(result));
  const model = await result.retrain();
  try {
    const test = model.evaluate(data.test.x, data.test.y);
    log(`best settings retrained on train + validation: test accuracy ${(test.accuracy * 100).toFixed(2)}%`);
    if (o.json) {
      process.stdout.write(JSON.stringify({
        metric: result.metric, best: result.best.params, testAccuracy: test.accuracy,
        trials: result.trials.map((t) => ({ params: t.params, valAccuracy: t.valAccuracy, valLoss: t.valLoss, epochs: t.epochsRun, seconds: t.seconds })),
      }) + '\n');
    }
  } finally {
    model.dispose();
  }
}
