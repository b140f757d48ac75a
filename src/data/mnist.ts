/**
 * MNIST from its IDX files (see idx.ts for the format): an images file [count, rows, cols] and a labels
 * file [count] with digits 0–9. Works on bytes (browsers included); src/data/node.ts finds and reads
 * the files in Node.
 */
import { createDataset, formatError, type Dataset } from './dataset.js';
import { parseIdx } from './idx.js';
import { scaleToUnit } from './preprocess.js';

/** The four standard MNIST file names (each may also come with a `.gz` suffix). */
export const MNIST_FILES = {
  /** The 60 000 training images. */
  trainImages: 'train-images-idx3-ubyte',
  /** Their labels. */
  trainLabels: 'train-labels-idx1-ubyte',
  /** The 10 000 test images. */
  testImages: 't10k-images-idx3-ubyte',
  /** Their labels. */
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** MNIST's classes: the digits, so labelNames[c] === String(c). */
export const MNIST_LABEL_NAMES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * Builds a Dataset from the bytes of an uncompressed MNIST images file and its labels file (one
 * split). Pixels are scaled to [0, 1]; shape is [rows, cols, 1]. Errors name `names.images` /
 * `names.labels` and say what is wrong: not IDX, wrong number of dimensions, labels > 9, or image
 * and label counts that differ. Gzip bytes must go through maybeGunzip first.
 */
export function parseMnist(images: Uint8Array, labels: Uint8Array, names: { images?: string; labels?: string } = {}): Dataset {
  const imagesName = names.images ?? 'MNIST images';
  const labelsName = names.labels ?? 'MNIST labels';
  const img = parseIdx(images, imagesName);
  const lab = parseIdx(labels, labelsName);
  if (img.dims.length !== 3) {
    formatError('parseMnist', imagesName, `has ${img.dims.length} dimensions (${img.dims.join('×')}); MNIST images have 3: count×rows×cols (magic 0x00000803)`);
  }
  if (lab.dims.length !== 1) {
    formatError('parseMnist', labelsName, `has ${lab.dims.length} dimensions (${lab.dims.join('×')}); MNIST labels have 1: count (magic 0x00000801)`);
  }
  const [count, rows, cols] = img.dims;
  if (rows === 0 || cols === 0) formatError('parseMnist', imagesName, `has empty images of ${rows}×${cols} pixels`);
  if (lab.dims[0] !== count) {
    formatError('parseMnist', labelsName, `has ${lab.dims[0]} labels, but ${imagesName} has ${count} images: the files do not belong together`);
  }
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = lab.data[i];
    if (c > 9) formatError('parseMnist', labelsName, `item ${i} has label ${c}, outside 0..9`);
    y[i] = c;
  }
  return createDataset({ x: scaleToUnit(img.data), y, features: rows * cols, classes: 10, shape: [rows, cols, 1], labelNames: MNIST_LABEL_NAMES });
}
