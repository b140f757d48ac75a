/**
 * Saving and loading: bytes and file round trips (identical predictions, identical resumed training),
 * the atomic write, and clear errors on truncated, corrupt or foreign files.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  FORMAT_VERSION, adam, dense, dropout, l2, loadModel, schedules, sequential, sgd, type Sequential,
} from '../src/index.js';
import type { ReadyBackend } from '../src/init.js';
import { backends, expectClose } from './helpers.js';
import { bits, gaussianBlobs } from './model-data.js';

const { wasm, js } = await backends();
const dir = await mkdtemp(join(tmpdir(), 'simdnet-serialize-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const data = gaussianBlobs(60, 3, 4, 8);

function build(backend: ReadyBackend): Sequential {
  return sequential([
    dense({ units: 10, activation: 'leakyRelu', activationAlpha: 0.1, kernelRegularizer: l2(1e-3) }),
    dropout({ rate: 0.2 }),
    dense({ units: 3, useBias: true, biasInitializer: 'ones' }),
  ], { inputSize: 4, backend, seed: 21 }).compile({
    loss: 'softmaxCrossEntropy',
    optimizer: adam({ lr: schedules.exponentialDecay({ initial: 0.01, rate: 0.9 }) }),
    metrics: ['accuracy', 'zeroOneLoss'],
  });
}

async function using<T>(models: Sequential[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    for (const m of models) m.dispose();
  }
}

describe('round trips', () => {
  test('toBytes → loadModel: same architecture, weights, compile options and predictions, bit for bit', async () => {
    const a = build(wasm);
    await a.fit(data.x, data.y, { epochs: 2, batchSize: 8 });
    const b = await loadModel(a.toBytes(), { backend: wasm });
    await using([a, b], async () => {
      expect(b.toConfig()).toEqual(a.toConfig());
      expect(b.getWeights()).toEqual(a.getWeights());
      expect(b.compiled!.loss.name).toBe('softmaxCrossEntropy');
      expect(b.compiled!.optimizer.config).toEqual(a.compiled!.optimizer.config);
      expect(b.compiled!.metrics).toEqual(['accuracy', 'zeroOneLoss']);
      expect([b.epochsTrained, b.batchesTrained, b.dropoutStream]).toEqual([a.epochsTrained, a.batchesTrained, a.dropoutStream]);
      expect(bits(b.predict(data.x))).toEqual(bits(a.predict(data.x)));
      expect(b.summary()).toBe(a.summary());
    });
  });

  test('a loaded model resumes training exactly: fit(2) + save/load + fit(2) = fit(4)', async () => {
    const straight = build(js);
    const first = build(js);
    await using([straight, first], async () => {
      await straight.fit(data.x, data.y, { epochs: 4, batchSize: 8 });
      await first.fit(data.x, data.y, { epochs: 2, batchSize: 8 });
      const resumed = await loadModel(first.toBytes(), { backend: js });
      await using([resumed], async () => {
        const h = await resumed.fit(data.x, data.y, { epochs: 2, batchSize: 8 });
        // The schedule continued from the saved step count, Adam from its saved moments.
        expect(h.history.lr[0]).toBeCloseTo(0.01 * 0.9 ** 2, 12);
        expect(resumed.compiled!.optimizer.getState()!.step).toBe(straight.compiled!.optimizer.getState()!.step);
        expect(bits(resumed.getFlatWeights())).toEqual(bits(straight.getFlatWeights()));
      });
    });
  });

  test('save(path) writes atomically (no temp file is left) and loadModel(path) reads it back', async () => {
    const a = build(js);
    const path = join(dir, 'model.simdnet');
    await a.save(path);
    await writeFile(join(dir, 'keep.txt'), 'x');
    await a.fit(data.x, data.y, { epochs: 1 });
    await a.save(path); // over an existing file
    expect((await readdir(dir)).sort()).toEqual(['keep.txt', 'model.simdnet']);
    const b = await loadModel(path, { backend: wasm });
    await using([a, b], async () => {
      expect(new Uint8Array(await readFile(path))).toEqual(a.toBytes());
      expectClose(b.predict(data.x), a.predict(data.x), 1e-6, 1e-5, 'js-saved model loaded on wasm');
    });
  });

  test('a failed write removes its temp file and keeps the old model', async () => {
    const a = build(js);
    await using([a], async () => {
      await expect(a.save(join(dir, 'missing-dir', 'model.simdnet'))).rejects.toThrow(/ENOENT/);
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  });

  test('save(sink) hands the bytes over; an uncompiled model round-trips too', async () => {
    const a = sequential([dense({ units: 2, activation: 'sigmoid', activationAlpha: 3 })], { inputSize: 3, backend: js, seed: 4 });
    let saved: Uint8Array | null = null;
    await a.save((bytes) => void (saved = bytes));
    const b = await loadModel(saved!.buffer as ArrayBuffer, { backend: js });
    await using([a, b], async () => {
      expect(b.compiled).toBeNull();
      expect(b.toConfig()).toEqual(a.toConfig());
      expect(bits(b.predict(data.x.subarray(0, 12)))).toEqual(bits(a.predict(data.x.subarray(0, 12))));
    });
  });

  test('loading and disposing leaves no buffer behind', async () => {
    const a = build(wasm);
    await a.fit(data.x, data.y, { epochs: 1 });
    const bytes = a.toBytes();
    a.dispose();
    const before = wasm.liveBuffers;
    const b = await loadModel(bytes, { backend: wasm });
    b.dispose();
    expect(wasm.liveBuffers).toBe(before);
  });
});

describe('bad files', () => {
  const model = build(js);
  const bytes = model.toBytes();
  model.dispose();
  const load = (b: Uint8Array) => loadModel(b, { backend: js });

  test('truncated files say so', async () => {
    for (const keep of [0, 10, 40, bytes.length - 100, bytes.length - 1]) {
      await expect(load(bytes.slice(0, keep)), `${keep} bytes`).rejects.toThrow(/loadModel: the file is truncated/);
    }
  });

  test('a flipped byte anywhere is reported as corruption', async () => {
    for (const at of [20, 200, bytes.length - 50, bytes.length - 2]) {
      const bad = bytes.slice();
      bad[at] ^= 0x10;
      await expect(load(bad), `byte ${at}`).rejects.toThrow(/loadModel: the file is corrupt/);
    }
  });

  test('a foreign file or another format version is refused by name', async () => {
    await expect(load(new TextEncoder().encode('{"not": "a model"} and some more bytes'))).rejects.toThrow(/not a simdnet model: the file does not start with 'SIMDNETM'/);
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, FORMAT_VERSION + 1, true);
    await expect(load(newer)).rejects.toThrow(/unsupported format version 2: this simdnet reads version 1 \(the file was written by a newer simdnet\)/);
    await expect(loadModel('x' as never, {} as never)).rejects.toThrow(/options.backend is required/);
    await expect(loadModel(42 as never, { backend: js })).rejects.toThrow(/source must be a file path, a Uint8Array or an ArrayBuffer/);
    await expect(loadModel(join(dir, 'nope.simdnet'), { backend: js })).rejects.toThrow(/ENOENT/);
  });
});
