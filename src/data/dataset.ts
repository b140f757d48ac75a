/**
 * The in-memory shape every reader, toy generator and preprocessing step in src/data/ produces and
 * consumes: one flat Float32Array of inputs (so a batch is a contiguous slice that copies straight into
 * wasm memory) and one Int32Array of class ids.
 *
 *   x: [ row 0: features values | row 1: features values | … | row n−1 ]   (row-major [n, features])
 *   y: [ class of row 0, class of row 1, …, class of row n−1 ]              (each in [0, classes))
 *
 * Images keep `shape = [height, width, channels]` and store each row in HWC order (channels last,
 * the pixel's channels side by side), so `x[((r·w) + c)·channels + k]` is channel k of pixel (r, c).
 */

/** A labelled data set for classification. */
export interface Dataset {
  /** Inputs, row-major [n, features]. */
  readonly x: Float32Array;
  /** Class ids, one per row, each in [0, classes). */
  readonly y: Int32Array;
  /** Number of rows (examples). */
  readonly n: number;
  /** Values per row. */
  readonly features: number;
  /** Number of classes (class ids are 0..classes−1; a class may have no rows in a subset). */
  readonly classes: number;
  /** For images: [height, width, channels], with each row stored in HWC order. */
  readonly shape?: readonly [number, number, number];
  /** A name per class id, when the source has them (CIFAR-10, string labels in a CSV). */
  readonly labelNames?: readonly string[];
}

/** A data set that comes as a training and a test split (MNIST, CIFAR-10). */
export interface TrainTest {
  /** The training split. */
  readonly train: Dataset;
  /** The test split. */
  readonly test: Dataset;
}

/**
 * A data file that cannot be read: wrong magic number, truncated, inconsistent header, labels out of
 * range, … `source` names the file (a path, or the name the caller gave the bytes), so a CLI can print
 * the message alone, without a stack trace.
 */
export class DataFormatError extends Error {
  /** 'DataFormatError', so the class shows in messages and survives structured cloning as a name. */
  override readonly name = 'DataFormatError';
  constructor(
    /** The file (or caller-given name of the bytes) that is wrong. */
    readonly source: string,
    message: string,
  ) {
    super(message);
  }
}

/** Throws a DataFormatError whose message reads `simdnet <fn>: <source>: <what>`. */
export function formatError(fn: string, source: string, what: string): never {
  throw new DataFormatError(source, `simdnet ${fn}: ${source}: ${what}`);
}

function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}

/**
 * Builds a Dataset after checking that its parts agree (lengths, label range, shape, label names).
 * Every producer in src/data/ goes through here, so a Dataset that exists is consistent. Does not copy.
 */
export function createDataset(parts: {
  x: Float32Array;
  y: Int32Array;
  features: number;
  classes: number;
  shape?: readonly [number, number, number];
  labelNames?: readonly string[];
}): Dataset {
  const { x, y, features, classes, shape, labelNames } = parts;
  const fail = (what: string): never => {
    throw new RangeError(`simdnet createDataset: ${what}`);
  };
  if (!(x instanceof Float32Array)) fail('x must be a Float32Array');
  if (!(y instanceof Int32Array)) fail('y must be an Int32Array');
  if (!isCount(features) || features === 0) fail(`features must be a positive integer, got ${features}`);
  if (!isCount(classes) || classes === 0) fail(`classes must be a positive integer, got ${classes}`);
  const n = y.length;
  if (x.length !== n * features) fail(`x has ${x.length} values, expected n·features = ${n}·${features} = ${n * features}`);
  for (let i = 0; i < n; i++) {
    const c = y[i];
    if (c < 0 || c >= classes) fail(`y[${i}] = ${c} is outside the class range 0..${classes - 1}`);
  }
  if (shape !== undefined) {
    if (shape.length !== 3 || !shape.every((d) => isCount(d) && d > 0)) fail(`shape must be [height, width, channels] of positive integers, got [${shape.join(', ')}]`);
    if (shape[0] * shape[1] * shape[2] !== features) fail(`shape [${shape.join(', ')}] holds ${shape[0] * shape[1] * shape[2]} values, but features = ${features}`);
  }
  if (labelNames !== undefined && labelNames.length !== classes) fail(`labelNames has ${labelNames.length} names for ${classes} classes`);
  const ds: { -readonly [K in keyof Dataset]: Dataset[K] } = { x, y, n, features, classes };
  if (shape !== undefined) ds.shape = [shape[0], shape[1], shape[2]];
  if (labelNames !== undefined) ds.labelNames = [...labelNames];
  return ds;
}

/** A new Dataset with the same metadata as `like` (features, classes, shape, label names). */
export function withRows(like: Dataset, x: Float32Array, y: Int32Array): Dataset {
  return createDataset({ x, y, features: like.features, classes: like.classes, shape: like.shape, labelNames: like.labelNames });
}

/**
 * Joins data sets row-wise (e.g. the five CIFAR-10 training batches). They must agree on features,
 * classes and shape; the label names of the first are kept.
 */
export function concatDatasets(datasets: readonly Dataset[]): Dataset {
  if (datasets.length === 0) throw new RangeError('simdnet concatDatasets: datasets is empty');
  const first = datasets[0];
  let n = 0;
  for (const [i, d] of datasets.entries()) {
    const sameShape = (d.shape === undefined && first.shape === undefined) || (d.shape !== undefined && first.shape !== undefined && d.shape.every((v, k) => v === first.shape![k]));
    if (d.features !== first.features || d.classes !== first.classes || !sameShape) {
      throw new RangeError(
        `simdnet concatDatasets: datasets[${i}] has features ${d.features}, classes ${d.classes}, shape [${d.shape?.join(', ') ?? ''}], ` +
          `but datasets[0] has features ${first.features}, classes ${first.classes}, shape [${first.shape?.join(', ') ?? ''}]`,
      );
    }
    n += d.n;
  }
  const x = new Float32Array(n * first.features);
  const y = new Int32Array(n);
  let row = 0;
  for (const d of datasets) {
    x.set(d.x, row * first.features);
    y.set(d.y, row);
    row += d.n;
  }
  return withRows(first, x, y);
}

/** How many rows of each class: counts[c] for c in 0..classes−1. */
export function classCounts(ds: Dataset): Int32Array {
  const counts = new Int32Array(ds.classes);
  for (let i = 0; i < ds.n; i++) counts[ds.y[i]]++;
  return counts;
}
