/** CIFAR-10 binary batches: parsing (CHW → HWC), the directory loader, and bad-file errors, on files the test writes. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_FILES, CIFAR10_LABEL_NAMES, CIFAR10_RECORD_BYTES, DataFormatError, parseCifarBatch, parseCifarLabelNames } from '../../src/data/index.js';
import { loadCifar10 } from '../../src/data/node.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The byte of channel k at pixel p of record `id` (distinct per record, pixel and channel). */
const pixel = (id: number, k: number, p: number): number => (id * 31 + k * 101 + p * 7) % 256;

/** A batch in the binary format: per record, 1 label byte then the R, G and B planes of 32×32. */
function writeBatch(labels: readonly number[], firstId = 0): Uint8Array {
  const out = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, r) => {
    const at = r * CIFAR10_RECORD_BYTES;
    out[at] = label;
    for (let k = 0; k < 3; k++) for (let p = 0; p < 1024; p++) out[at + 1 + k * 1024 + p] = pixel(firstId + r, k, p);
  });
  return out;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'simdnet-cifar-'));
  dirs.push(d);
  return d;
}

describe('parseCifarBatch', () => {
  it('reads a 3-record file: labels, HWC pixels in [0, 1], shape and names', () => {
    const ds = parseCifarBatch(writeBatch([3, 0, 9]));
    expect(ds.n).toBe(3);
    expect(ds.features).toBe(3072);
    expect(ds.shape).toEqual([32, 32, 3]);
    expect([...ds.y]).toEqual([3, 0, 9]);
    expect(ds.labelNames).toEqual(CIFAR10_LABEL_NAMES);
    // HWC: value at (row, col, k) of record r is channel k's plane byte at pixel row·32 + col.
    for (const [r, row, col, k] of [[0, 0, 0, 0], [1, 5, 7, 1], [2, 31, 31, 2], [2, 0, 31, 1]]) {
      const p = row * 32 + col;
      expect(ds.x[r * 3072 + (p * 3 + k)]).toBe(Math.fround(pixel(r, k, p) / 255));
    }
  });

  const cases: [string, Uint8Array, string][] = [
    ['an empty file', new Uint8Array(0), 'simdnet parseCifarBatch: b.bin: is empty'],
    ['a truncated record', writeBatch([1, 2]).subarray(0, CIFAR10_RECORD_BYTES + 100), 'b.bin: is truncated: 3173 bytes is 1 whole 3073-byte records (1 label + 3×32×32 pixels) and 100 bytes over'],
    ['a label above 9', writeBatch([1, 12, 3]), 'b.bin: record 1 has label 12, outside 0..9'],
    ['the CIFAR-100 format', new Uint8Array(2 * 3074), 'CIFAR-100, with 2 label bytes, is not supported'],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(() => parseCifarBatch(bytes, { name: 'b.bin' })).toThrow(message);
      expect(() => parseCifarBatch(bytes, { name: 'b.bin' })).toThrow(DataFormatError);
    });
  }

  it('parseCifarLabelNames wants 10 names', () => {
    expect(parseCifarLabelNames('a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n')).toEqual([...'abcdefghij']);
    expect(() => parseCifarLabelNames('a\nb\n', 'meta.txt')).toThrow('meta.txt: has 2 class names, CIFAR-10 has 10');
  });
});

describe('loadCifar10', () => {
  /** Writes batches 1..5 (2 records each, labels 2b−2, 2b−1) and a 3-record test batch into dir. */
  function writeDir(dir: string, gzTest = false): void {
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, CIFAR10_FILES.train[b - 1]), writeBatch([(2 * b - 2) % 10, (2 * b - 1) % 10], 100 * b));
    const test = writeBatch([7, 8, 9], 900);
    writeFileSync(join(dir, gzTest ? `${CIFAR10_FILES.test}.gz` : CIFAR10_FILES.test), gzTest ? gzipSync(test) : test);
  }

  it('joins the chosen training batches in order and reads the (gzip) test batch', async () => {
    const dir = tempDir();
    writeDir(dir, true);
    const all = await loadCifar10(dir);
    expect([all.train.n, all.test.n]).toEqual([10, 3]);
    expect([...all.train.y]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...all.test.y]).toEqual([7, 8, 9]);
    // Record 1 of batch 2 is train row 3; its first red byte is pixel(201, 0, 0).
    expect(all.train.x[3 * 3072]).toBe(Math.fround(pixel(201, 0, 0) / 255));

    const some = await loadCifar10(dir, { batches: [4, 2] });
    expect([...some.train.y]).toEqual([6, 7, 2, 3]);
    expect((await loadCifar10(dir, { batches: 1 })).train.n).toBe(2);
  });

  it('finds the cifar-10-batches-bin subfolder and reads batches.meta.txt', async () => {
    const root = tempDir();
    const dir = join(root, 'cifar-10-batches-bin');
    mkdirSync(dir);
    writeDir(dir);
    const names = Array.from({ length: 10 }, (_, i) => `class${i}`);
    writeFileSync(join(dir, CIFAR10_FILES.meta), `${names.join('\n')}\n\n`);
    const { train, test } = await loadCifar10(root, { batches: 1 });
    expect(train.labelNames).toEqual(names);
    expect(test.labelNames).toEqual(names);
  });

  it('lists missing files and names a bad one', async () => {
    const dir = tempDir();
    writeDir(dir);
    rmSync(join(dir, 'data_batch_3.bin'));
    await expect(loadCifar10(dir)).rejects.toThrow(`simdnet loadCifar10: ${dir} has no data_batch_3.bin; expected the CIFAR-10 binary version`);
    expect((await loadCifar10(dir, { batches: 2 })).train.n).toBe(4);
    writeFileSync(join(dir, 'data_batch_2.bin'), writeBatch([1, 2]).subarray(0, 5000));
    await expect(loadCifar10(dir, { batches: 2 })).rejects.toThrow(`simdnet parseCifarBatch: ${join(dir, 'data_batch_2.bin')}: is truncated`);
  });

  it('rejects bad batch choices', async () => {
    for (const batches of [0, 6, 1.5, [], [1, 1], [0, 2]]) {
      await expect(loadCifar10('/nonexistent', { batches })).rejects.toThrow('simdnet loadCifar10: batches must be a count 1..5 or a list of distinct batch numbers 1..5');
    }
  });
});
