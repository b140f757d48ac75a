/**
 * bench:cnn's contenders (bench/cnn-contenders.ts) run the same network from the same weights: the
 * weight layouts of tfjs-layers, the tfjs hand loop and ConvNetJS give the same probabilities, the
 * flop count is the one worked out by hand, and a tiny run of the core gives the documented result
 * (timing is not checked: the machine is shared).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { jsBackend, Rng, type WeightTensor } from '../../src/index.js';
import { simdnetCnn } from '../../bench/cnn-simdnet.js';
import { cnnExecutedFlops, cnnWeightShapes, convnetNet, tfjsLayersModel, tfjsLogits, useTf, type CnnSpec } from '../../bench/cnn-contenders.js';
import { CNN_NETWORK, runCnnBench } from '../../bench/cnn-core.js';
import { formatCnnTable } from '../../bench/cnn-table.js';
import { loadMnist } from '../../src/data/node.js';
import { expectClose } from '../support/helpers.js';

const LENET: CnnSpec = { name: 'lenet', inputShape: [28, 28, 1], convs: [{ filters: 32, kernel: 5 }, { filters: 64, kernel: 5 }], dense: [128], outputs: 10, batch: 64, lr: 0.05 };
const SMALL: CnnSpec = { name: 'small', inputShape: [11, 9, 3], convs: [{ filters: 4, kernel: 3 }], dense: [5], outputs: 3, batch: 4, lr: 0.05 };

function randomWeights(spec: CnnSpec, seed: number): WeightTensor[] {
  const rng = new Rng(seed);
  return cnnWeightShapes(spec).map((shape, i) => ({
    name: `w${i}`, shape, values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-0.3, 0.3)),
  }));
}

describe('bench:cnn contenders', () => {
  it('counts the executed flops of conv(32,5)-pool-conv(64,5)-pool-dense(128)-10 by hand', () => {
    expect(cnnWeightShapes(LENET)).toEqual([[5, 5, 1, 32], [32], [5, 5, 32, 64], [64], [1024, 128], [128], [128, 10], [10]]);
    // conv1 24·24·25·1·32 MACs (no ∂x), conv2 8·8·25·32·64, dense 1024·128 and 128·10.
    expect(cnnExecutedFlops(LENET)).toBe(4 * 24 * 24 * 25 * 32 + 6 * (8 * 8 * 25 * 32 * 64) + 6 * (1024 * 128) + 6 * (128 * 10));
  });

  it('simdnet, tfjs-layers, the tfjs loop and ConvNetJS give the same probabilities from the same weights', async () => {
    await useTf('cpu');
    for (const spec of [SMALL, LENET]) {
      const weights = randomWeights(spec, 3);
      const [h, w, c] = spec.inputShape;
      const n = 3;
      const rng = new Rng(4);
      const x = Float32Array.from({ length: n * h * w * c }, () => rng.next());
      const model = tfjsLayersModel(spec, weights);
      const layers = tf.tidy(() => (model.predict(tf.tensor4d(x, [n, h, w, c])) as tf.Tensor).dataSync().slice());
      model.dispose();
      const vars = weights.map((t) => tf.tensor(t.values, [...t.shape]));
      const loop = tf.tidy(() => tf.softmax(tfjsLogits(spec, vars)(tf.tensor4d(x, [n, h, w, c]))).dataSync().slice());
      tf.dispose(vars);
      const { net, convnetjs } = convnetNet(spec, weights);
      const v = new convnetjs.Vol(w, h, c, 0);
      const cn = new Float32Array(n * spec.outputs);
      for (let r = 0; r < n; r++) {
        v.w.set(x.subarray(r * h * w * c, (r + 1) * h * w * c));
        cn.set(net.forward(v, false).w, r * spec.outputs);
      }
      // Ours (bench/cnn-simdnet.ts) with the same weights (predict gives the loss's probabilities).
      const ours = simdnetCnn(jsBackend(), spec, 1);
      ours.setWeights(weights);
      const probs = ours.predict(x);
      ours.dispose();
      expectClose(probs, layers, 1e-5, 1e-4, `${spec.name}: simdnet vs tfjs-layers`);
      expectClose(loop, layers, 1e-5, 1e-4, `${spec.name}: tfjs loop vs tfjs-layers`);
      expectClose(cn, layers, 1e-5, 1e-4, `${spec.name}: ConvNetJS vs tfjs-layers`);
      expect(Math.max(...layers) - Math.min(...layers), 'probabilities are not all equal').toBeGreaterThan(0.01);
    }
  });
});

describe('bench:cnn core', () => {
  it('runs a tiny configuration: figures for those that train, the error of tfjs-wasm in its row, the flops against the peak', async () => {
    const data = await loadMnist();
    // ConvNetJS and tfjs cpu are left out: a batch of 64 takes them from 5 s to minutes (the weight
    // layouts of both are checked above).
    const result = await runCnnBench({
      contenders: ['wasm', 'tfjsWasmFit', 'tfjsWasmLoop'], samples: 384, testSamples: 200, chunkBatches: 1, segments: 2, data,
    });
    expect(result.network).toBe('conv32x5-pool2-conv64x5-pool2-dense128-10');
    expect(result.parameters).toBe(5 * 5 * 32 + 32 + 5 * 5 * 32 * 64 + 64 + 1024 * 128 + 128 + 128 * 10 + 10);
    expect(Object.keys(result.samplesPerSec)).toEqual(['wasm']);
    expect(result.samplesPerSec.wasm! > 0).toBe(true);
    expect(result.samplesTrained).toEqual({ wasm: 384 });
    expect(result.testSamples).toEqual({ wasm: 200 });
    // 6 batches of 1 in 2 segments, the first one the warm-up.
    expect(result.timedChunks).toEqual({ wasm: 5 });
    expect(result.limited).toEqual(['tfjsWasmFit', 'tfjsWasmLoop']);
    // tfjs-wasm cannot train a conv layer: its row stays, with the error it gave.
    expect(result.errors.tfjsWasmLoop).toMatch(/Conv2DBackpropFilter/);
    expect(result.errors.tfjsWasmFit).toMatch(/Conv2DBackpropFilter/);
    // 6 SGD steps of the bench's network from its initial weights: above chance.
    expect(result.testAccuracy.wasm!).toBeGreaterThan(0.2);
    expect(result.executedFlopsPerSample).toBe(cnnExecutedFlops(CNN_NETWORK));
    expect(result.executedGflops.wasm).toBeCloseTo((result.executedFlopsPerSample * result.samplesPerSec.wasm!) / 1e9, 1);
    expect(result.executedFraction!).toBeCloseTo(result.executedGflops.wasm! / result.peakGflops!, 2);
    const table = formatCnnTable(result);
    expect(table).toMatch(/tfjsWasmLoop\*\s+fails\s+Kernel 'Conv2DBackpropFilter' not registered/);
    expect(table).toMatch(/^wasm\s+[\d,]+\s+1\.00/m);
    expect(table).toMatch(/executed conv\+matmul: 22\.30 MFLOP per sample/);
  }, 120_000);
});
