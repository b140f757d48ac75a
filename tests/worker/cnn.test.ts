/**
 * A CNN trains in a Node worker through trainInWorker (dist/ build) to the same bits as model.fit() in
 * the main thread: tests/browser/cnn-scenario.js (convolutions, pooling, dropout, fit's augment, Adam)
 * on 320 MNIST digits. `npm test` builds dist/ first; alone, run `npm run build` before this file.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as simdnet from '../../dist/simdnet.js';
import { loadMnist } from '../../dist/node.js';
import { CNN_ROWS, runCnnScenario } from '../browser/cnn-scenario.js';

let x: Float32Array;
let y: Int32Array;

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/worker.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first');
  const { train } = await loadMnist();
  x = train.x.slice(0, CNN_ROWS * 784);
  y = train.y.slice(0, CNN_ROWS);
});

describe('trainInWorker with a CNN', () => {
  it('gives the same weights, loss history and counters as fit() in the main thread, and learns', async () => {
    const main = await runCnnScenario(simdnet, 'main', x, y);
    const worker = await runCnnScenario(simdnet, 'worker', x, y);
    expect(main.counters).toEqual({ epochs: 2, batches: 18, dropoutStream: main.counters.dropoutStream });
    expect(main.counters.dropoutStream).toBeGreaterThan(0);
    expect(main.valAccuracy.at(-1)).toBeGreaterThan(0.5);
    expect(worker.loss).toEqual(main.loss);
    expect(worker.weights).toEqual(main.weights);
    expect(worker).toEqual(main);
  });
});
