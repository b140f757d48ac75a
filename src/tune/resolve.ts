/** Checks tune()'s options and fills in their defaults, once, before any trial runs. */
import type { Backend } from '../backend/contract.js';
import type { Dataset } from '../data/dataset.js';
import { Rng } from '../math/random.js';
import { LOSSES, lossByName } from '../model/losses.js';
import { OptionReader } from '../train/pieces.js';
import { readRows, splitRows } from './rows.js';
import { checkSpace, grid, sample, type TrialParams } from './space.js';
import { TUNE_METRICS, type BuildFn, type ResolvedTuneOptions, type Rows, type TuneOptions } from './types.js';

const TUNE_OPTIONS = ['train', 'validation', 'backend', 'inputSize', 'outputs', 'loss', 'space', 'grid', 'trials', 'metric', 'epochs', 'patience', 'seed', 'build', 'onTrial', 'signal'];

/** Independent streams from one seed: the split, the sampling, and trial i (stream 2 + i). */
function deriveSeed(seed: number, stream: number): number {
  return new Rng((seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0).fork();
}
const SPLIT_STREAM = 0;
const SAMPLE_STREAM = 1;
/** The seed of trial i of a search seeded by `seed`. */
export const trialSeed = (seed: number, i: number) => deriveSeed(seed, 2 + i);

function isDataset(v: object): v is Dataset {
  const d = v as Partial<Dataset>;
  return typeof d.features === 'number' && typeof d.classes === 'number';
}

function isBackend(b: unknown): b is Backend {
  return b !== null && typeof b === 'object' && typeof (b as Backend).f32 === 'function' && typeof (b as Backend).free === 'function';
}

/** Checks every option (naming the wrong one), reads and splits the data, and lists the points to try. */
export function resolveTuneOptions(options: TuneOptions): ResolvedTuneOptions {
  const r: OptionReader = new OptionReader('tune', options, TUNE_OPTIONS);
  const backend = r.raw('backend');
  if (!isBackend(backend)) r.fail('backend', 'the ReadyBackend from `await init()` or `jsBackend()` (there is no default backend)', backend);
  const train = r.raw('train');
  if (train === null || typeof train !== 'object') r.fail('train', '{ x, y } or a Dataset', train);
  const ds = isDataset(train) ? train : null;
  const inputSize = ds !== null && !r.has('inputSize') ? ds.features : r.number('inputSize', undefined, { min: 1, integer: true });
  const outputs = ds !== null && !r.has('outputs') ? ds.classes : r.number('outputs', undefined, { min: 1, integer: true });
  const loss = lossByName(r.oneOf('loss', LOSSES, 'softmaxCrossEntropy'));
  const metric = r.oneOf('metric', TUNE_METRICS, 'valAccuracy');
  const seed = r.number('seed', 0, { min: 0, below: 2 ** 32, integer: true });
  const epochs = r.number('epochs', 10, { min: 1, integer: true });
  const patience = r.optionalNumber('patience', null, { min: 1, integer: true });
  const build = r.raw('build') ?? null;
  if (build !== null && typeof build !== 'function') r.fail('build', 'a function (params, ctx) => Sequential', build);
  const onTrial = r.raw('onTrial') ?? null;
  if (onTrial !== null && typeof onTrial !== 'function') r.fail('onTrial', 'a function (trial, progress) => void', onTrial);
  const signal = r.raw('signal') ?? null;
  if (signal !== null && (typeof signal !== 'object' || typeof (signal as AbortSignal).aborted !== 'boolean')) r.fail('signal', 'an AbortSignal', signal);

  // The search: grid (the default without trials) or random, never both.
  const dims = checkSpace(r.raw('space'), build !== null);
  const wantsGrid = r.raw('grid');
  if (wantsGrid !== undefined && typeof wantsGrid !== 'boolean') r.fail('grid', 'true or false', wantsGrid);
  let points: TrialParams[];
  let search: 'grid' | 'random';
  if (r.has('trials')) {
    if (wantsGrid === true) r.fail('grid', 'left out when trials is given (grid: true searches every point; trials: n draws n random points)', true);
    search = 'random';
    points = sample(dims, r.number('trials', undefined, { min: 1, integer: true }), new Rng(deriveSeed(seed, SAMPLE_STREAM)));
  } else {
    if (wantsGrid === false) r.fail('trials', 'given when grid is false (the number of random points to try)', undefined);
    search = 'grid';
    points = grid(dims);
  }

  // Data: checked once here, so a trial fails only for reasons of its own.
  const b = backend as Backend;
  const trainRows = readRows('train', train, inputSize, outputs, loss, b);
  const v = r.raw('validation');
  if (v === null || typeof v !== 'object') r.fail('validation', '{ x, y }, a Dataset or { split: fraction }', v);
  let split: { train: Rows; validation: Rows };
  if ('split' in v) {
    const fraction = new OptionReader('tune validation', v, ['split']).number('split', undefined, { above: 0, below: 1 });
    split = splitRows(trainRows, fraction, deriveSeed(seed, SPLIT_STREAM));
  } else {
    split = { train: trainRows, validation: readRows('validation', v, inputSize, outputs, loss, b) };
  }
  return {
    backend: b, inputSize, outputs, loss, points, search, metric, epochs, patience, seed,
    build: build as BuildFn | null, onTrial: onTrial as NonNullable<TuneOptions['onTrial']> | null, signal: signal as AbortSignal | null,
    train: split.train, validation: split.validation,
  };
}
