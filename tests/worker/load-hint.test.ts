/**
 * A module Worker whose script did not load reports only an 'error' event with no message: the
 * usual cause is a bundler (esbuild, rollup) that left `new URL('./worker.js', import.meta.url)` alone.
 * The error must name the way out (the README's one-line worker file), not just "did not load".
 */
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/init.js';
import { moons } from '../../src/data/toy.js';
import { mlp } from '../../src/model/index.js';
import { trainInWorker, type WebWorkerLike } from '../../src/worker/host.js';

/** A Web Worker whose script failed to load: it fires one message-less 'error' and nothing else. */
function unloadedWorker(): WebWorkerLike & { terminated: boolean } {
  return {
    terminated: false,
    postMessage() {},
    addEventListener(type, listener) {
      if (type === 'error') queueMicrotask(() => listener({ message: '' }));
    },
    terminate() {
      this.terminated = true;
    },
  };
}

describe('trainInWorker with a worker whose script did not load', () => {
  it("names the bundler recipe: a file with import 'simdnet/worker', passed as options.worker", async () => {
    const data = moons({ n: 40, seed: 1 });
    const model = mlp({ inputSize: 2, hidden: [4], outputs: 2, backend: jsBackend() }).compile({ loss: 'softmaxCrossEntropy', optimizer: 'adam' });
    try {
      const worker = unloadedWorker();
      await expect(trainInWorker(model, data.x, data.y, { epochs: 1, worker, transfer: false })).rejects.toThrow(
        /its script did not load\. Bundled with esbuild or rollup\? .*import 'simdnet\/worker'.*worker: new Worker/,
      );
      // The model was not handed to the failed worker: it still trains here.
      expect((await model.fit(data.x, data.y, { epochs: 1 })).stopReason).toBe('completed');
    } finally {
      model.dispose();
    }
  });
});
