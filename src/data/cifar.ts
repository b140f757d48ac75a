/**
 * CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar.html, "Binary version"): each of
 * data_batch_1.bin … data_batch_5.bin and test_batch.bin is a run of 3073-byte records
 *
 *   [label: 1 byte, 0..9] [R: 32×32 bytes] [G: 32×32 bytes] [B: 32×32 bytes]   (planes row-major)
 *
 * with no header. We convert the planar CHW record to HWC rows (r, g, b of a pixel side by side), the
 * layout every Dataset image uses (see dataset.ts), with shape [32, 32, 3] and values in [0, 1].
 * batches.meta.txt, when present, holds the class names one per line.
 */
import { createDataset, formatError, type Dataset } from './dataset.js';
import { byteTable } from './preprocess.js';

/** Side of a CIFAR image in pixels. */
const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;
/** Bytes per CIFAR-10 record: 1 label + 3 planes of 32×32. */
export const CIFAR10_RECORD_BYTES = 1 + PIXELS;

/** The CIFAR-10 class names, in class-id order (as in batches.meta.txt). */
export const CIFAR10_LABEL_NAMES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** The file names of the binary version: the five training batches and the test batch. */
export const CIFAR10_FILES = {
  /** The five training batches, 10 000 images each. */
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  /** The 10 000 test images. */
  test: 'test_batch.bin',
  /** The class names, one a line. */
  meta: 'batches.meta.txt',
} as const;

/** Options of parseCifarBatch / parseCifarBatches. */
export interface CifarParseOptions {
  /** The file name used in error messages (parseCifarBatch only). @default 'CIFAR-10 batch' */
  name?: string;
  /** The class names. @default CIFAR10_LABEL_NAMES */
  labelNames?: readonly string[];
}

/**
 * Parses one CIFAR-10 binary batch into a Dataset (x in [0, 1], HWC, shape [32, 32, 3]). Errors name
 * the file (options.name): empty, a length that is not a whole number of 3073-byte records
 * (truncated, or the CIFAR-100 format), a label > 9.
 */
export function parseCifarBatch(bytes: Uint8Array, options: CifarParseOptions = {}): Dataset {
  return parseCifarBatches([{ bytes, name: options.name ?? 'CIFAR-10 batch' }], options);
}

/** Checks one batch's length and labels; returns its record count. */
function checkBatch(bytes: Uint8Array, name: string): number {
  if (bytes.length === 0) formatError('parseCifarBatch', name, 'is empty');
  const n = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
  const rest = bytes.length - n * CIFAR10_RECORD_BYTES;
  if (rest !== 0) {
    const hint = bytes.length % (CIFAR10_RECORD_BYTES + 1) === 0 ? ' (its length fits 3074-byte records: CIFAR-100, with 2 label bytes, is not supported)' : '';
    formatError(
      'parseCifarBatch',
      name,
      `is truncated: ${bytes.length} bytes is ${n} whole ${CIFAR10_RECORD_BYTES}-byte records (1 label + 3×32×32 pixels) and ${rest} bytes over${hint}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const c = bytes[i * CIFAR10_RECORD_BYTES];
    if (c > 9) formatError('parseCifarBatch', name, `record ${i} has label ${c}, outside 0..9`);
  }
  return n;
}

/**
 * Parses several batches (e.g. the five training files) straight into one Dataset, without the
 * per-batch arrays a concat would need (the 50 000 training images are 615 MB as float32).
 */
export function parseCifarBatches(batches: readonly { bytes: Uint8Array; name: string }[], options: Omit<CifarParseOptions, 'name'> = {}): Dataset {
  const labelNames = options.labelNames ?? CIFAR10_LABEL_NAMES;
  if (labelNames.length !== 10) throw new RangeError(`simdnet parseCifarBatch: labelNames must have 10 names, got ${labelNames.length}`);
  if (batches.length === 0) throw new RangeError('simdnet parseCifarBatches: batches is empty');
  const counts = batches.map((b) => checkBatch(b.bytes, b.name));
  const total = counts.reduce((a, b) => a + b, 0);
  const table = byteTable(255);
  const x = new Float32Array(total * PIXELS);
  const y = new Int32Array(total);
  let row = 0;
  batches.forEach(({ bytes }, b) => {
    for (let i = 0; i < counts[b]; i++, row++) {
      const src = i * CIFAR10_RECORD_BYTES;
      y[row] = bytes[src];
      const dst = row * PIXELS;
      // CHW → HWC: pixel p's channel k moves from plane k to position 3p + k.
      for (let p = 0; p < PLANE; p++) {
        const o = dst + 3 * p;
        x[o] = table[bytes[src + 1 + p]];
        x[o + 1] = table[bytes[src + 1 + PLANE + p]];
        x[o + 2] = table[bytes[src + 1 + 2 * PLANE + p]];
      }
    }
  });
  return createDataset({ x, y, features: PIXELS, classes: 10, shape: [SIDE, SIDE, 3], labelNames });
}

/** Reads batches.meta.txt: one class name per line (blank lines dropped); must give 10 names. */
export function parseCifarLabelNames(text: string, name: string = CIFAR10_FILES.meta): string[] {
  const names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length !== 10) formatError('parseCifarLabelNames', name, `has ${names.length} class names, CIFAR-10 has 10`);
  return names;
}
