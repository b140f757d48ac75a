/**
 * `simdnet train`: load data, build an MLP or a CNN (build-model.ts), train it with a progress bar and a line per epoch, report
 * the test accuracy, and optionally save the model and draw pictures.
 */
import cliProgress from 'cli-progress';
import type { ReadyBackend } from '../backend/init.js';
import { earlyStopping } from '../train/early-stopping.js';
import type { Callback, EpochLogs } from '../train/callbacks.js';
import type { History } from '../train/fit.js';
import type { Shape } from '../model/layers.js';
import { optimizer } from '../train/optimizers.js';
import { l1, l1l2, l2 } from '../train/regularizers.js';
import type { Regularizer } from '../train/types.js';
import type { LoadedData } from './data-source.js';
import { buildModel, networkName } from './build-model.js';
import { drawPlots } from './plots.js';
import { makeSchedule, type TrainSettings } from './settings.js';

export type { TrainSettings } from './settings.js';

export interface TrainResult {
  data: string;
  backend: string;
  network: string;
  parameters: number;
  epochs: number;
  stopReason: string;
  seconds: number;
  trainSeconds: number;
  testAccuracy: number;
  /** The macro-averaged F1 score on the test set (see src/model/metrics.ts). */
  testF1: number;
  testLoss: number;
  history: Record<string, number[]>;
  saved?: string;
  plots?: string[];
}

function regularizer(s: TrainSettings): Regularizer | null {
  if (s.l1 > 0 && s.l2 > 0) return l1l2({ l1: s.l1, l2: s.l2 });
  if (s.l2 > 0) return l2(s.l2);
  if (s.l1 > 0) return l1(s.l1);
  return null;
}

/** The rows' shape: [h, w, c] for images, [features] otherwise. */
export function inputShapeOf(data: LoadedData): Shape {
  return data.train.shape ?? [data.train.features];
}

const fmt = (x: number | undefined, digits = 4): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits));

/** One line per epoch: loss, accuracy, validation loss and accuracy, learning rate, speed. */
export function epochLine(logs: EpochLogs, epochs: number): string {
  const parts = [
    `epoch ${String(logs.epoch + 1).padStart(String(epochs).length)}/${epochs}`,
    `loss ${fmt(logs.loss)}`,
    `acc ${fmt(logs.accuracy)}`,
  ];
  if (logs.valLoss !== undefined) parts.push(`val_loss ${fmt(logs.valLoss)}`, `val_acc ${fmt(logs.valAccuracy)}`);
  parts.push(`lr ${logs.lr.toPrecision(3)}`, `${Math.round(logs.samplesPerSec)} samples/s`);
  return parts.join('  ');
}

/** A progress bar per epoch (ETA, samples/s) on stderr when it is a terminal. */
function progressCallback(epochs: number, rowsPerEpoch: number, out: NodeJS.WriteStream, log: (line: string) => void): Callback {
  const bar = new cliProgress.SingleBar({
    stream: out,
    format: 'epoch {epochNo}/{epochs} [{bar}] {percentage}% | ETA {eta}s | {speed} samples/s',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  let start = 0;
  let seen = 0;
  return {
    onEpochBegin: (epoch) => {
      start = performance.now();
      seen = 0;
      bar.start(rowsPerEpoch, 0, { epochNo: epoch + 1, epochs, speed: '-' });
    },
    onBatchEnd: (_batch, { size }) => {
      seen += size;
      const speed = Math.round(seen / ((performance.now() - start) / 1000));
      bar.update(seen, { speed });
    },
    onEpochEnd: (_epoch, logs) => {
      bar.stop();
      log(epochLine(logs, epochs));
    },
    onTrainEnd: () => bar.stop(),
  };
}

/**
 * Trains, evaluates, saves and draws. When `signal` aborts, fit stops after the current batch and the
 * model is still saved (the test set is then not evaluated: testAccuracy, testF1 and testLoss are NaN).
 */
export async function runTrain(
  s: TrainSettings, data: LoadedData, backend: ReadyBackend, log: (line: string) => void, signal?: AbortSignal,
): Promise<TrainResult> {
  const t0 = performance.now();
  const { train, test } = data;
  const inputShape = inputShapeOf(data);
  const model = buildModel({ ...s, regularizer: regularizer(s) }, inputShape, train.classes, backend);
  try {
    model.compile({
      loss: 'softmaxCrossEntropy',
      optimizer: optimizer(s.optimizer, { lr: makeSchedule(s.schedule, s.lr, s.epochs) }),
      metrics: ['accuracy', 'f1'],
    });
    const network = networkName(s.layers, inputShape, train.classes);
    log(`data: ${data.name}: ${train.n} training and ${test.n} test rows, ${train.features} features, ${train.classes} classes`);
    const augment = s.augment === null ? '' : `; augment: shifts up to ${s.augment.shift} pixels${s.augment.flip ? ', mirror images' : ''}`;
    log(`model: ${network} (${s.activation}${s.slope !== undefined ? `, a = ${s.slope}` : ''}), ${model.parameterCount} parameters, backend ${backend.name}${augment}`);
    const callbacks: Callback[] = [];
    const trainRows = Math.round(train.n * (1 - s.val));
    callbacks.push(progressCallback(s.epochs, trainRows, process.stderr, log));
    if (s.patience > 0) {
      if (s.val === 0) throw new Error('--patience needs a validation split (--val > 0) to watch');
      callbacks.push(earlyStopping({ monitor: 'valLoss', patience: s.patience, restoreBestWeights: true }));
    }
    const tFit = performance.now();
    const history: History = await model.fit(train.x, train.y, {
      epochs: s.epochs, batchSize: s.batch, shuffle: true, seed: s.seed, validationSplit: s.val, callbacks, signal, augment: s.augment,
    });
    const aborted = history.stopReason === 'aborted';
    const trainSeconds = (performance.now() - tFit) / 1000;
    const evaluation = aborted ? { accuracy: NaN, f1: NaN, loss: NaN } : model.evaluate(test.x, test.y);
    const result: TrainResult = {
      data: data.name, backend: backend.name, network, parameters: model.parameterCount,
      epochs: history.epochs, stopReason: history.stopReason, seconds: 0, trainSeconds,
      testAccuracy: evaluation.accuracy, testF1: evaluation.f1 ?? NaN, testLoss: evaluation.loss, history: history.history,
    };
    // Stopped before its first batch (a signal while the data loaded): nothing worth saving.
    if (s.save !== undefined && !(aborted && model.batchesTrained === 0)) {
      await model.save(s.save);
      result.saved = s.save;
    }
    if (s.plot !== undefined && !aborted) result.plots = await drawPlots(s.plot, model, data, history, s);
    result.seconds = (performance.now() - t0) / 1000;
    return result;
  } finally {
    model.dispose();
  }
}
