/**
 * Saving and loading: bytes and file round trips (identical predictions, identical resumed training),
 * the atomic write, and clear errors on truncated, corrupt or foreign files.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  FORMAT_VERSION, adam, dense, dropout, l2, loadModel, schedules, sequential, type LearningRate, type Sequential,
} from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { backends, expectClose } from '../support/helpers.js';
import { bits, gaussianBlobs } from '../support/model-data.js';
import { header, withHeader } from '../support/model-file.js';

const { wasm, js } = await backends();
const dir = await mkdtemp(join(tmpdir(), 'simdnet-serialize-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const data = gaussianBlobs(60, 3, 4, 8);

function build(backend: ReadyBackend, lr: LearningRate = schedules.exponentialDecay({ initial: 0.01, rate: 0.9 })): Sequential {
  return sequential([
    dense({ units: 10, activation: 'leakyRelu', activationAlpha: 0.1, kernelRegularizer: l2(1e-3) }),
    dropout({ rate: 0.2 }),
    dense({ units: 3, useBias: true, biasInitializer: 'ones' }),
  ], { inputSize: 4, backend, seed: 21 }).compile({
    loss: 'softmaxCrossEntropy',
    optimizer: adam({ lr }),
    metrics: ['accuracy', 'zeroOneLoss'],
  });
}

/** A plateau schedule and fit options under which, on `data`, the validation loss stalls after a few epochs. */
const plateau = () => schedules.reduceOnPlateau({ initial: 0.02, factor: 0.5, patience: 1, minDelta: 0.01 });
const PLATEAU_FIT = { batchSize: 8, validationSplit: 0.25 };

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

  test('a reduceOnPlateau schedule resumes too: fit(5) + save/load + fit(3) = fit(8), weights and rates, bit for bit', async () => {
    const straight = build(js, plateau());
    const first = build(js, plateau());
    await using([straight, first], async () => {
      const all = await straight.fit(data.x, data.y, { epochs: 8, ...PLATEAU_FIT });
      const before = await first.fit(data.x, data.y, { epochs: 5, ...PLATEAU_FIT });
      // Saved after the validation loss stalled: the rate has dropped (state away from its start).
      expect(first.compiled!.optimizer.schedule!(0)).toBeLessThan(0.02);
      const resumed = await loadModel(first.toBytes(), { backend: js });
      await using([resumed], async () => {
        expect(resumed.compiled!.optimizer.getState()).toEqual(first.compiled!.optimizer.getState());
        const after = await resumed.fit(data.x, data.y, { epochs: 3, ...PLATEAU_FIT });
        expect([...before.history.lr, ...after.history.lr]).toEqual(all.history.lr);
        // It went on from the reduced rate and reduced it again (a fresh schedule would start at 0.02).
        expect(Math.min(...after.history.lr)).toBeLessThan(Math.min(...before.history.lr));
        expect(resumed.compiled!.optimizer.schedule!.getState!()).toEqual(straight.compiled!.optimizer.schedule!.getState!());
        expect(bits(resumed.getFlatWeights())).toEqual(bits(straight.getFlatWeights()));
      });
    });
  });

  test("a schedule state's non-finite numbers survive the JSON header", async () => {
    const a = build(js, schedules.reduceOnPlateau({ initial: 0.02, mode: 'max' }));
    await a.fit(data.x, data.y, { epochs: 1, batchSize: 8 });
    // A reported -Infinity accuracy (sign −1 in 'max' mode) makes best +Infinity; -Infinity the other way round.
    for (const best of [Infinity, -Infinity]) {
      a.compiled!.optimizer.schedule!.setState!({ lr: 0.01, best, wait: 1, cooldownCounter: 0 });
      const b = await loadModel(a.toBytes(), { backend: js });
      await using([b], async () => {
        expect(b.compiled!.optimizer.schedule!.getState!()).toEqual({ lr: 0.01, best, wait: 1, cooldownCounter: 0 });
      });
    }
    a.dispose();
  });

  test('a file without the schedule state (written before it was saved) still loads, with the schedule at its start', async () => {
    const first = build(js, plateau());
    await first.fit(data.x, data.y, { epochs: 5, ...PLATEAU_FIT });
    const bytes = first.toBytes();
    expect(withHeader(bytes, () => undefined), 'an unedited header gives the same bytes').toEqual(bytes);
    expect(header(bytes).optimizerState.schedule).toEqual({ lr: 0.01, best: expect.any(Number), wait: 0, cooldownCounter: 0 });
    const old = withHeader(bytes, (h) => delete h.optimizerState.schedule);
    const loaded = await loadModel(old, { backend: js });
    await using([first, loaded], async () => {
      expect(loaded.getWeights()).toEqual(first.getWeights());
      const state = loaded.compiled!.optimizer.getState()!;
      expect(state.step).toBe(first.compiled!.optimizer.getState()!.step);
      expect(state.schedule).toEqual({ lr: 0.02, best: Infinity, wait: 0, cooldownCounter: 0 });
      const h = await loaded.fit(data.x, data.y, { epochs: 1, ...PLATEAU_FIT });
      expect(h.history.lr).toEqual([0.02]);
    });
    // A damaged schedule state is named (the checksum is right: the writer itself was wrong).
    const bad = withHeader(bytes, (h) => (h.optimizerState.schedule.wait = 'soon'));
    await expect(loadModel(bad, { backend: js })).rejects.toThrow(/loadModel: the file is corrupt: its schedule state's wait is not a number/);
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

  test('a header that contradicts itself is refused before a model is built', async () => {
    const before = js.liveBuffers;
    await expect(load(withHeader(bytes, (h) => (h.weights[0].shape = [2, 2])))).rejects.toThrow(/the file is corrupt: its weight list describes \d+ values, its weights block holds \d+/);
    await expect(load(withHeader(bytes, (h) => (h.weights[0] = 'kernel')))).rejects.toThrow(/its header's weights\[0\] is a string, expected an object/);
    await expect(load(withHeader(bytes, (h) => (h.training.epochs = -1)))).rejects.toThrow(/its header's training.epochs is the number -1, expected an integer ≥ 0/);
    await expect(load(withHeader(bytes, (h) => (h.optimizerState = { step: 1, slots: ['nope'] })))).rejects.toThrow(/the optimizer slot 'nope' is missing/);
    expect(js.liveBuffers).toBe(before);
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
