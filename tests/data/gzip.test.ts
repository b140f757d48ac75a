/**
 * Gzip is inflated as a stream and stops as soon as the output passes what the IDX header says the
 * file holds, or the stated limit: a small .gz that inflates to a gigabyte costs neither the gigabyte
 * nor the time to inflate it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BoundedOutput } from '../../src/data/bytes.js';
import { encodeIdx, idxFileBytes, maybeGunzip } from '../../src/data/index.js';
import { loadCsv, loadIdx, loadMnistDir, readDataFile } from '../../src/data/node.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(() => vi.restoreAllMocks());
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'simdnet-gz-'));
  dirs.push(d);
  return d;
}

const MiB = 2 ** 20;
/** `head` then `mib` MiB of zeros, as a gzip of about a kilobyte per MiB (one gzip member per MiB). */
function bomb(head: Uint8Array, mib: number): Uint8Array {
  const member = gzipSync(new Uint8Array(MiB));
  const parts = [gzipSync(head), ...Array.from({ length: mib }, () => member)];
  return Buffer.concat(parts);
}

/** Counts the chunks decompression produced before it stopped. */
function countChunks(): () => number {
  const push = vi.spyOn(BoundedOutput.prototype, 'push');
  return () => push.mock.calls.length;
}

describe('gzip bombs stop early', () => {
  const header = encodeIdx([10, 28, 28], new Uint8Array(7840)).subarray(0, 16); // promises 16 + 7840 bytes

  it('idxFileBytes reads the whole size from the header, or says it needs more bytes', () => {
    expect(idxFileBytes(header)).toBe(16 + 7840);
    expect(idxFileBytes(header.subarray(0, 10))).toBeNull();
    expect(idxFileBytes(Uint8Array.from([1, 2, 3, 4]))).toBeUndefined();
  });

  it('an IDX .gz holding a gigabyte fails just past its header size, in Node and with DecompressionStream', async () => {
    const gz = bomb(header, 1024);
    expect(gz.length).toBeLessThan(2 * MiB);
    const path = join(tempDir(), 'train-images-idx3-ubyte.gz');
    writeFileSync(path, gz);
    const chunks = countChunks();
    await expect(loadIdx(path)).rejects.toThrow(`simdnet readDataFile: ${path}: decompresses to more than the 7856 bytes its header says the file holds: corrupt, or a gzip bomb`);
    expect(chunks()).toBeLessThan(64);
    const before = chunks();
    await expect(maybeGunzip(gz, 'bomb.gz', { sizeFromHeader: idxFileBytes })).rejects.toThrow('simdnet maybeGunzip: bomb.gz: decompresses to more than the 7856 bytes its header says');
    expect(chunks() - before).toBeLessThan(64);
  });

  it('an MNIST folder of bombs fails on the first file read, naming it', async () => {
    const dir = tempDir();
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(join(dir, `${name}.gz`), bomb(header, 64));
    }
    const chunks = countChunks();
    await expect(loadMnistDir(dir)).rejects.toThrow(/decompresses to more than the 7856 bytes its header says/);
    expect(chunks()).toBeLessThan(4 * 64);
  });

  it('a CSV or other file stops at maxBytes (256 MiB by default), and a plain file past it is not read', async () => {
    const dir = tempDir();
    const path = join(dir, 'big.csv.gz');
    writeFileSync(path, bomb(new TextEncoder().encode('a,b\n'), 64));
    const chunks = countChunks();
    await expect(loadCsv(path, { maxBytes: MiB })).rejects.toThrow(`simdnet readDataFile: ${path}: decompresses to more than 1048576 bytes, the limit (maxBytes)`);
    expect(chunks()).toBeLessThan(64);
    await expect(maybeGunzip(bomb(new Uint8Array(4), 8), 'x.gz', { maxBytes: MiB })).rejects.toThrow('x.gz: decompresses to more than 1048576 bytes');
    const plain = join(dir, 'plain.csv');
    writeFileSync(plain, 'a,b\n'.repeat(1000));
    await expect(loadCsv(plain, { maxBytes: 100 })).rejects.toThrow(`simdnet readDataFile: ${plain}: has 4000 bytes, more than the limit of 100 (maxBytes)`);
    await expect(readDataFile(plain, { maxBytes: 0 })).rejects.toThrow('simdnet readDataFile: maxBytes must be an integer from 1 to 2147483648, got 0');
  });

  it('a good file of exactly its header size still reads, as one gzip member or several', async () => {
    const file = encodeIdx([3, 2, 2], Uint8Array.from({ length: 12 }, (_, i) => i));
    const path = join(tempDir(), 'ok.gz');
    writeFileSync(path, Buffer.concat([gzipSync(file.subarray(0, 5)), gzipSync(file.subarray(5))]));
    const idx = await loadIdx(path);
    expect(idx.dims).toEqual([3, 2, 2]);
    expect([...idx.data]).toEqual([...file.subarray(16)]);
    expect([...(await maybeGunzip(gzipSync(file), 'ok.gz', { sizeFromHeader: idxFileBytes }))]).toEqual([...file]);
  });
});
