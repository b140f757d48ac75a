/**
 * Training in a Node worker (worker_threads) through trainInWorker / WorkerTrainer, on the dist/ build
 * (what the package ships, and what the browser tests load): the same bits as model.fit() in the main
 * thread, progress per batch and epoch, cancelling, moved buffers, reuse and errors.
 * `npm test` builds dist/ first; alone, run `npm run build` before this file.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import * as simdnet from '../../dist/simdnet.js';
import type { BatchLogs, EpochLogs, ReadyBackend, Sequential } from '../../dist/simdnet.js';
import { FIT, makeData, makeModel, runScenario } from '../browser/scenario.js';
import { expectSameBits } from '../support/helpers.js';

const { init, jsBackend, trainInWorker, WorkerTrainer } = simdnet;

let wasm: ReadyBackend;
const data = makeData(simdnet);

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/worker.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first');
  wasm = await init();
});

/** x and y copied, since trainInWorker moves (detaches) what it is given. */
const copies = (): [Float32Array, Int32Array] => [data.x.slice(), data.y.slice()];

function expectSameModel(actual: Sequential, expected: Sequential, label: string): void {
  expectSameBits(actual.getFlatWeights(), expected.getFlatWeights(), `${label}: weights`);
  const a = actual.compiled!.optimizer.getState()!;
  const e = expected.compiled!.optimizer.getState()!;
  expect(a.step, `${label}: optimizer step`).toBe(e.step);
  expect(a.schedule, `${label}: schedule state`).toEqual(e.schedule);
  for (const slot of Object.keys(e.slots)) expectSameBits(a.slots[slot], e.slots[slot], `${label}: optimizer slot ${slot}`);
  expect([actual.epochsTrained, actual.batchesTrained, actual.dropoutStream], `${label}: counters`)
    .toEqual([expected.epochsTrained, expected.batchesTrained, expected.dropoutStream]);
}

/** A history without samplesPerSec (a timing, the one value that may differ between two runs). */
function comparable(history: Record<string, number[]>): Record<string, number[]> {
  const { samplesPerSec: _timing, ...rest } = history;
  return rest;
}

describe('trainInWorker in Node (worker_threads)', () => {
  it('gives the main thread the same weights, optimizer state, counters and history as fit() there, bit for bit', async () => {
    const main = makeModel(simdnet, wasm, data.classes);
    const inWorker = makeModel(simdnet, wasm, data.classes);
    try {
      const expected = await main.fit(data.x, data.y, FIT);
      const [x, y] = copies();
      const got = await trainInWorker(inWorker, x, y, FIT);
      expect(got.stopReason).toBe('completed');
      expect(got.epochs).toBe(FIT.epochs);
      expect(comparable(got.history)).toEqual(comparable(expected.history));
      expectSameModel(inWorker, main, 'after the worker');
      // Training on in the main thread continues identically: the optimizer state and the counters
      // (shuffle epoch, dropout stream, Adam's step) came back, not only the weights.
      await main.fit(data.x, data.y, { ...FIT, epochs: 1 });
      await inWorker.fit(data.x, data.y, { ...FIT, epochs: 1 });
      expectSameModel(inWorker, main, 'one more epoch in the main thread');
    } finally {
      main.dispose();
      inWorker.dispose();
    }
  });

  it("brings a reduceOnPlateau schedule's running state back to the main thread, and takes it to the next run", async () => {
    const plateauModel = (): Sequential => simdnet.mlp({
      inputSize: 2, hidden: [24, 24], outputs: data.classes, activation: 'tanh', dropout: 0.1, seed: 42, backend: wasm,
    }).compile({
      loss: 'softmaxCrossEntropy',
      optimizer: simdnet.adam({ lr: simdnet.schedules.reduceOnPlateau({ initial: 0.02, factor: 0.5, patience: 2, minDelta: 0.01 }) }),
    });
    const main = plateauModel();
    const inWorker = plateauModel();
    const schedule = (m: Sequential) => m.compiled!.optimizer.schedule!.getState!();
    try {
      const expected = await main.fit(data.x, data.y, FIT);
      expect(Math.min(...expected.history.lr), 'the validation loss stalled: the rate dropped').toBeLessThan(0.02);
      const got = await trainInWorker(inWorker, ...copies(), FIT);
      expect(comparable(got.history)).toEqual(comparable(expected.history));
      expect(schedule(inWorker)).toEqual(schedule(main));
      expectSameModel(inWorker, main, 'reduceOnPlateau');
      // A second run in a worker starts from the reduced rate (it travels in toBytes()) and brings the new state back.
      const more = await main.fit(data.x, data.y, FIT);
      const gotMore = await trainInWorker(inWorker, ...copies(), FIT);
      expect(gotMore.history.lr).toEqual(more.history.lr);
      expect(schedule(inWorker)).toEqual(schedule(main));
      expectSameModel(inWorker, main, 'reduceOnPlateau, second run');
    } finally {
      main.dispose();
      inWorker.dispose();
    }
  });

  it('matches the shared scenario run in the main thread (the reference of the browser tests)', async () => {
    const [main, worker] = [await runScenario(simdnet, 'main'), await runScenario(simdnet, 'worker')];
    expect(worker).toEqual(main);
    expect(main.counters.batches).toBeGreaterThan(0);
  });

  it('trains a js-backend model in a js-backend worker, bit for bit', async () => {
    const js = jsBackend();
    const main = makeModel(simdnet, js, data.classes);
    const inWorker = makeModel(simdnet, js, data.classes);
    try {
      await main.fit(data.x, data.y, { ...FIT, epochs: 2 });
      await trainInWorker(inWorker, ...copies(), { ...FIT, epochs: 2 });
      expectSameModel(inWorker, main, 'js backend');
    } finally {
      main.dispose();
      inWorker.dispose();
    }
  });

  it('reports progress after every batch and every epoch, with the logs fit() callbacks get', async () => {
    const expectedBatches: BatchLogs[] = [];
    const expectedEpochs: EpochLogs[] = [];
    const main = makeModel(simdnet, wasm, data.classes);
    const inWorker = makeModel(simdnet, wasm, data.classes);
    try {
      await main.fit(data.x, data.y, {
        ...FIT,
        // A copy made in the hook, as the worker's message is (‖∇‖² is a getter, computed when read during the
        // hook, so a spread leaves it out).
        callbacks: [{ onBatchEnd: (_b, logs) => void expectedBatches.push({ ...logs, gradNormSquared: logs.gradNormSquared }), onEpochEnd: (_e, logs) => void expectedEpochs.push(logs) }],
      });
      const batches: BatchLogs[] = [];
      const epochs: EpochLogs[] = [];
      await trainInWorker(inWorker, ...copies(), { ...FIT, onBatchEnd: (logs) => batches.push(logs), onEpochEnd: (logs) => epochs.push(logs) });
      const trainRows = data.y.length - Math.floor(data.y.length * FIT.validationSplit);
      expect(batches).toHaveLength(FIT.epochs * Math.ceil(trainRows / FIT.batchSize));
      expect(batches).toEqual(expectedBatches);
      expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4]);
      const withoutTiming = (logs: EpochLogs[]) => logs.map(({ samplesPerSec: _t, ...rest }) => rest);
      expect(withoutTiming(epochs)).toEqual(withoutTiming(expectedEpochs));
    } finally {
      main.dispose();
      inWorker.dispose();
    }
  });

  it('cancels with an AbortSignal: stops between batches, keeps what was trained, bit for bit as fit() stopped there', async () => {
    const inWorker = makeModel(simdnet, wasm, data.classes);
    const main = makeModel(simdnet, wasm, data.classes);
    try {
      const controller = new AbortController();
      const [x, y] = copies();
      const history = await trainInWorker(inWorker, x, y, { ...FIT, epochs: 1000, onEpochEnd: () => controller.abort(), signal: controller.signal });
      expect(history.stopReason).toBe('aborted');
      expect(history.epochs).toBeGreaterThanOrEqual(1);
      expect(history.epochs).toBeLessThan(1000);
      const stoppedAt = inWorker.batchesTrained;
      expect(stoppedAt).toBeGreaterThan(0);
      // The same training stopped in the main thread after the same number of batches.
      const stop = new AbortController();
      await main.fit(data.x, data.y, {
        ...FIT, epochs: 1000, signal: stop.signal,
        callbacks: [{ onBatchEnd: (_b, _logs, m) => void (m.batchesTrained === stoppedAt && stop.abort()) }],
      });
      expectSameModel(inWorker, main, `stopped after ${stoppedAt} batches`);
    } finally {
      main.dispose();
      inWorker.dispose();
    }
  });

  it('with a signal aborted before the start, trains nothing and leaves the weights as they were', async () => {
    const model = makeModel(simdnet, wasm, data.classes);
    try {
      const before = model.getFlatWeights();
      const history = await trainInWorker(model, ...copies(), { ...FIT, signal: AbortSignal.abort() });
      expect(history).toMatchObject({ epochs: 0, stopReason: 'aborted' });
      expectSameBits(model.getFlatWeights(), before, 'weights');
      expect(model.batchesTrained).toBe(0);
    } finally {
      model.dispose();
    }
  });

  it('moves x and y by default (detached here), copies them with transfer: false, and copies a view of a larger buffer', async () => {
    const model = makeModel(simdnet, wasm, data.classes);
    try {
      const [x, y] = copies();
      await trainInWorker(model, x, y, { epochs: 1 });
      expect([x.length, y.length, x.buffer.byteLength]).toEqual([0, 0, 0]);

      const [x2, y2] = copies();
      await trainInWorker(model, x2, y2, { epochs: 1, transfer: false });
      expect(x2).toEqual(data.x);
      expect(y2).toEqual(data.y);

      // x is the second half of a larger buffer: the buffer must stay whole here.
      const big = new Float32Array(data.x.length * 2);
      big.set(data.x, data.x.length);
      const view = big.subarray(data.x.length);
      await trainInWorker(model, view, data.y.slice(), { epochs: 1 });
      expect(big.length).toBe(data.x.length * 2);
      expect(view).toEqual(data.x);
    } finally {
      model.dispose();
    }
  });

  it('moves validationData too, and trains with an earlyStopping like fit() with the earlyStopping callback', async () => {
    const split = 180;
    const val = { x: data.x.slice(split * 2), y: data.y.slice(split) };
    const opts = { epochs: 30, batchSize: 16 };
    const stopping = { monitor: 'valLoss', patience: 1, restoreBestWeights: true };
    const main = makeModel(simdnet, wasm, data.classes);
    const inWorker = makeModel(simdnet, wasm, data.classes);
    try {
      const expected = await main.fit(data.x.subarray(0, split * 2), data.y.subarray(0, split), {
        ...opts, validationData: val, callbacks: [simdnet.earlyStopping(stopping)],
      });
      const moved = { x: val.x.slice(), y: val.y.slice() };
      const got = await trainInWorker(inWorker, data.x.slice(0, split * 2), data.y.slice(0, split), { ...opts, validationData: moved, earlyStopping: stopping });
      expect(moved.x.length).toBe(0);
      expect(got.stopReason).toBe(expected.stopReason);
      expect(comparable(got.history)).toEqual(comparable(expected.history));
      expectSameModel(inWorker, main, 'early stopping');
    } finally {
      main.dispose();
      inWorker.dispose();
    }
  });

  it('a WorkerTrainer trains several times on one worker, one run at a time, and marks the model as training meanwhile', async () => {
    const trainer = new WorkerTrainer();
    const main = makeModel(simdnet, wasm, data.classes);
    const inWorker = makeModel(simdnet, wasm, data.classes);
    const other = makeModel(simdnet, wasm, data.classes);
    try {
      for (let run = 0; run < 2; run++) {
        await main.fit(data.x, data.y, { ...FIT, epochs: 2 });
        const running = trainer.train(inWorker, ...copies(), { ...FIT, epochs: 2 });
        await expect(inWorker.fit(data.x, data.y)).rejects.toThrow(/already training/);
        await expect(trainer.train(other, ...copies())).rejects.toThrow(/already training a model/);
        await running;
        expectSameModel(inWorker, main, `run ${run + 1}`);
      }
    } finally {
      await trainer.terminate();
      main.dispose();
      inWorker.dispose();
      other.dispose();
    }
    await expect(trainer.train(inWorker, ...copies())).rejects.toThrow(/terminated/);
  });

  it('terminate() during training rejects the run and leaves the model as it was', async () => {
    const trainer = new WorkerTrainer();
    const model = makeModel(simdnet, wasm, data.classes);
    try {
      const before = model.getFlatWeights();
      const running = trainer.train(model, ...copies(), { ...FIT, epochs: 1000, onEpochEnd: () => void trainer.terminate() });
      await expect(running).rejects.toThrow(/terminated/);
      expectSameBits(model.getFlatWeights(), before, 'weights');
      // `training` is @internal (stripped from the public types), so it is read through a cast.
      expect((model as unknown as { training: boolean }).training).toBe(false);
    } finally {
      await trainer.terminate();
      model.dispose();
    }
  });

  it('trains in a worker the caller made from simdnet/worker (the route for bundlers without worker support)', async () => {
    const main = makeModel(simdnet, wasm, data.classes);
    const inWorker = makeModel(simdnet, wasm, data.classes);
    try {
      await main.fit(data.x, data.y, { ...FIT, epochs: 1 });
      const worker = new Worker(new URL('../../dist/worker.js', import.meta.url));
      await trainInWorker(inWorker, ...copies(), { ...FIT, epochs: 1, worker });
      expectSameModel(inWorker, main, 'own worker');
    } finally {
      main.dispose();
      inWorker.dispose();
    }
  });

  describe('errors', () => {
    it('names what is wrong before starting a worker', async () => {
      const model = makeModel(simdnet, wasm, data.classes);
      const uncompiled = simdnet.mlp({ inputSize: 2, outputs: 3, backend: wasm });
      try {
        await expect(trainInWorker(uncompiled, ...copies())).rejects.toThrow('simdnet trainInWorker: call model.compile({ loss, optimizer }) first');
        await expect(trainInWorker({} as Sequential, ...copies())).rejects.toThrow(/model must be a model made by sequential\(\) or mlp\(\)/);
        await expect(trainInWorker(model, ...copies(), { callbacks: [] } as never)).rejects.toThrow(/callbacks cannot run in a worker/);
        await expect(trainInWorker(model, ...copies(), { onEpochEnd: 3 } as never)).rejects.toThrow('onEpochEnd must be a function, got number');
        await expect(trainInWorker(model, ...copies(), { transfer: 'yes' } as never)).rejects.toThrow('transfer must be true or false');
        await expect(trainInWorker(model, ...copies(), { signal: {} } as never)).rejects.toThrow('signal must be an AbortSignal');
        expect(() => new WorkerTrainer({ worker: {} as never })).toThrow(/options.worker must be a Worker/);
        model.dispose();
        await expect(trainInWorker(model, ...copies())).rejects.toThrow(/disposed/);
      } finally {
        uncompiled.dispose();
      }
    });

    it("reports fit()'s own errors from the worker with their class, and the trainer stays usable", async () => {
      const trainer = new WorkerTrainer();
      const model = makeModel(simdnet, wasm, data.classes);
      try {
        const before = model.getFlatWeights();
        await expect(trainer.train(model, ...copies(), { epochs: 0 })).rejects.toThrow(new RangeError('simdnet fit: epochs must be a finite integer ≥ 1, got 0'));
        await expect(trainer.train(model, new Float32Array(5), data.y.slice())).rejects.toThrow(RangeError);
        expectSameBits(model.getFlatWeights(), before, 'weights after failed runs');
        const history = await trainer.train(model, ...copies(), { epochs: 1 });
        expect(history.stopReason).toBe('completed');
      } finally {
        await trainer.terminate();
        model.dispose();
      }
    });

    it('a listener that throws stops the training, and train() rejects with its error', async () => {
      const model = makeModel(simdnet, wasm, data.classes);
      try {
        const before = model.getFlatWeights();
        const boom = new Error('listener failed');
        await expect(trainInWorker(model, ...copies(), { epochs: 1000, onBatchEnd: () => { throw boom; } })).rejects.toBe(boom);
        expectSameBits(model.getFlatWeights(), before, 'weights');
      } finally {
        model.dispose();
      }
    });

    it('refuses x or y whose buffers an earlier call moved, and the model stays usable (transfer or not)', async () => {
      const model = makeModel(simdnet, wasm, data.classes);
      try {
        const [x, y] = copies();
        await trainInWorker(model, x, y, { epochs: 1 });
        expect(x.length).toBe(0); // moved to the first worker
        for (const transfer of [true, false]) {
          await expect(trainInWorker(model, x, y, { epochs: 1, transfer })).rejects.toThrow(
            new TypeError("simdnet trainInWorker: x's buffer is detached: an earlier trainInWorker moved it to its worker. Pass a copy (x.slice()) to each call, or transfer: false to copy instead of moving"),
          );
          await expect(trainInWorker(model, data.x.slice(), y, { epochs: 1, transfer })).rejects.toThrow(/y's buffer is detached/);
          const valX = new Float32Array(4);
          structuredClone(valX, { transfer: [valX.buffer] });
          await expect(trainInWorker(model, ...copies(), { epochs: 1, transfer, validationData: { x: valX, y: new Int32Array(2) } })).rejects.toThrow(/validationData\.x's buffer is detached/);
          expect((model as unknown as { training: boolean }).training).toBe(false);
        }
        expect((await model.fit(...copies(), { epochs: 1 })).stopReason).toBe('completed');
      } finally {
        model.dispose();
      }
    });

    it('a worker that never reports ready fails after startTimeout and releases the model', async () => {
      const model = makeModel(simdnet, wasm, data.classes);
      try {
        const mute = new Worker('setInterval(() => {}, 1000)', { eval: true });
        await expect(trainInWorker(model, ...copies(), { worker: mute, startTimeout: 300 })).rejects.toThrow(
          /simdnet trainInWorker: could not start the worker: the worker did not report ready within 300 ms/,
        );
        expect((model as unknown as { training: boolean }).training).toBe(false);
        expect((await model.fit(...copies(), { epochs: 1 })).stopReason).toBe('completed');
        expect(() => new WorkerTrainer({ startTimeout: 0 })).toThrow(/options\.startTimeout must be a number of milliseconds > 0/);
        expect(() => new WorkerTrainer({ startTimeout: 'soon' as never })).toThrow(/startTimeout must be/);
      } finally {
        model.dispose();
      }
    });

    it('a worker that does not speak the protocol, or dies, fails the run with a clear error', async () => {
      const model = makeModel(simdnet, wasm, data.classes);
      try {
        const silent = new Worker("require('node:worker_threads').parentPort.postMessage({ type: 'ready', protocol: 'other/9' })", { eval: true });
        await expect(trainInWorker(model, ...copies(), { worker: silent })).rejects.toThrow(/the worker speaks 'other\/9'/);
        const dying = new Worker('process.exit(3)', { eval: true });
        await expect(trainInWorker(model, ...copies(), { worker: dying })).rejects.toThrow(/could not start the worker: the training worker exited \(code 3\)/);
      } finally {
        model.dispose();
      }
    });
  });
});
