/** Image data sets written as a user's files, for the CLI tests: MNIST-format IDX and CIFAR-10 binary directories. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadMnist } from '../../src/data/node.js';
import { CIFAR10_FILES, encodeIdx, MNIST_FILES } from '../../src/data/index.js';

/** A new directory with the first `trainRows` training and `testRows` test digits of MNIST as gzipped IDX files. */
export async function mnistIdxDir(trainRows: number, testRows: number): Promise<string> {
  const { train, test } = await loadMnist();
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-idx-'));
  const put = (name: string, dims: number[], values: ArrayLike<number>, scale: number): void =>
    writeFileSync(join(dir, `${name}.gz`), gzipSync(encodeIdx(dims, Uint8Array.from(values, (v) => Math.round(v * scale)))));
  put(MNIST_FILES.trainImages, [trainRows, 28, 28], train.x.subarray(0, trainRows * 784), 255);
  put(MNIST_FILES.trainLabels, [trainRows], train.y.subarray(0, trainRows), 1);
  put(MNIST_FILES.testImages, [testRows, 28, 28], test.x.subarray(0, testRows * 784), 255);
  put(MNIST_FILES.testLabels, [testRows], test.y.subarray(0, testRows), 1);
  return dir;
}

/**
 * A CIFAR-10 batch in the real record format (1 label byte, then the 1024 R, 1024 G and 1024 B bytes
 * of a 32×32 image), `pixel(record, label, plane, index)` giving each byte.
 */
export function cifarBatch(records: number, pixel: (record: number, label: number, plane: number, index: number) => number): Uint8Array {
  const bytes = new Uint8Array(records * 3073);
  for (let r = 0; r < records; r++) {
    const label = r % 10;
    bytes[r * 3073] = label;
    for (let i = 0; i < 3072; i++) bytes[r * 3073 + 1 + i] = pixel(r, label, Math.floor(i / 1024), i % 1024);
  }
  return bytes;
}

/** A new directory with the five training batches (`perBatch` records each) and the test batch (`testRecords`). */
export function cifarDir(perBatch: number, testRecords: number, pixel: Parameters<typeof cifarBatch>[1]): string {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-cifar-'));
  CIFAR10_FILES.train.forEach((name, b) => writeFileSync(join(dir, name), cifarBatch(perBatch, (r, ...rest) => pixel(b * perBatch + r, ...rest))));
  writeFileSync(join(dir, CIFAR10_FILES.test), cifarBatch(testRecords, (r, ...rest) => pixel(100000 + r, ...rest)));
  return dir;
}
