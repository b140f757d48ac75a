/**
 * Data sets for simdnet, browser-safe: parsers that work on bytes or text (MNIST IDX, CIFAR-10 binary,
 * CSV), toy 2-D sets, and preprocessing. The Node file loaders (loadMnist, loadMnistDir, loadCifar10,
 * loadCsv) live in the separate entry src/data/node.ts (`simdnet/node`), so bundling this one never
 * pulls node:fs.
 */
export { createDataset, concatDatasets, classCounts, DataFormatError } from './dataset.js';
export type { Dataset, TrainTest } from './dataset.js';
export { DEFAULT_FILE_LIMIT, isGzip, maybeGunzip, MAX_DATA_BYTES } from './bytes.js';
export type { GunzipOptions } from './bytes.js';
export { parseIdx, encodeIdx, idxFileBytes } from './idx.js';
export type { IdxArray } from './idx.js';
export { parseMnist, MNIST_FILES, MNIST_LABEL_NAMES } from './mnist.js';
export { parseCifarBatch, parseCifarBatches, parseCifarLabelNames, CIFAR10_FILES, CIFAR10_LABEL_NAMES, CIFAR10_RECORD_BYTES } from './cifar.js';
export type { CifarParseOptions } from './cifar.js';
export { CSV_LABEL_LIMIT, CSV_MAX_CLASSES, parseCsv } from './csv.js';
export type { CsvOptions } from './csv.js';
export { xor, blobs, circles, spirals, moons, toyDataset, TOY_DATASETS } from './toy.js';
export type { ToyOptions, XorOptions, BlobsOptions, CirclesOptions, SpiralsOptions, ToyName } from './toy.js';
export {
  scaleToUnit, fitStandardization, applyStandardization, standardize, oneHot, subset, take, trainValTestSplit,
} from './preprocess.js';
export type { DataSplit, Standardization, Standardized, SplitOptions } from './preprocess.js';
