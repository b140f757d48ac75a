/**
 * A failed allocation frees what was allocated before it: every allocation of a model's life
 * (construction, fit() with its optimizer slots, arena and batch buffers, predict(), loadModel with
 * a saved optimizer state) is made to fail in turn, and after dispose() no buffer may be left.
 */
import { describe, expect, test } from 'vitest';
import { adam, dense, dropout, jsBackend, loadModel, sequential, type Sequential } from '../../src/index.js';
import { INJECTED, failingBackend } from '../support/failing-backend.js';
import { gaussianBlobs } from '../support/model-data.js';

const data = gaussianBlobs(40, 3, 4, 9);

/** A model's whole life on `backend`; returns the model made (if any) so the caller disposes it. */
async function life(backend: ReturnType<typeof failingBackend>, made: Sequential[]): Promise<void> {
  const m = sequential([dense({ units: 8, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 3 })], { inputSize: 4, backend, seed: 5 });
  made.push(m);
  m.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }), metrics: ['accuracy'] });
  await m.fit(data.x, data.y, { epochs: 1, batchSize: 8, validationSplit: 0.25 });
  m.predict(data.x);
  made.push(await loadModel(m.toBytes(), { backend }));
  await made[made.length - 1].fit(data.x, data.y, { epochs: 1, batchSize: 8 });
}

describe('a failed allocation leaks nothing', () => {
  test('every allocation of a model\'s life, failing in turn, leaves no buffer after dispose()', async () => {
    const counting = failingBackend(jsBackend(), Infinity);
    const all: Sequential[] = [];
    await life(counting, all);
    all.forEach((m) => m.dispose());
    expect(counting.liveBuffers).toBe(0);
    const total = counting.allocations;
    expect(total).toBeGreaterThan(10);
    for (let k = 1; k <= total; k++) {
      const backend = failingBackend(jsBackend(), k);
      const made: Sequential[] = [];
      await expect(life(backend, made), `allocation ${k} of ${total}`).rejects.toThrow(INJECTED);
      made.forEach((m) => m.dispose());
      expect(backend.liveBuffers, `buffers left when allocation ${k} of ${total} failed`).toBe(0);
    }
  });
});
