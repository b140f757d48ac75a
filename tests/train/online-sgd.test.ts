/**
 * Online SGD (fit with batchSize 1): the first kernel's gradient is handed to the optimizer as an
 * outer product and fused into its update (Network.deferredGradient, applyUpdate in src/train/step.ts,
 * Kernels.sgdOuterStep). Each case trains twice from the same seed, once with sgd() (which fuses) and
 * once through an optimizer that only has apply() (the unfused path: the gradient written, then
 * sgdStep), and asserts the same weights bit for bit, and the same ‖∇‖² in the batch logs.
 */
import { describe, expect, test } from 'vitest';
import { dense, sequential, sgd, type Optimizer, type Sequential } from '../../src/index.js';
import type { ReadyBackend } from '../../src/backend/init.js';
import { backends, withModel } from '../support/helpers.js';
import { bits, gaussianBlobs } from '../support/model-data.js';

const { wasm, js } = await backends();

const blobs = gaussianBlobs(60, 3, 5, 3);

function net(backend: ReadyBackend): Sequential {
  return sequential([dense({ units: 7, activation: 'relu' }), dense({ units: 6, activation: 'tanh' }), dense({ units: 3 })], { inputSize: 5, backend, seed: 4 });
}

/** The same optimizer with apply() only: fit() cannot fuse the update and writes the whole gradient. */
function unfusable(inner: Optimizer): Optimizer {
  return {
    config: inner.config,
    learningRate: (info) => inner.learningRate(info),
    apply: (b, p, g, size, info) => inner.apply(b, p, g, size, info),
    getState: () => inner.getState(),
    setState: (b, s, size) => inner.setState(b, s, size),
    dispose: () => inner.dispose(),
  };
}

interface Run {
  weights: Int32Array;
  norms: number[];
  fused: boolean[];
}

async function train(backend: ReadyBackend, optimizer: Optimizer, fitOptions: Record<string, unknown>, hook?: (m: Sequential) => void): Promise<Run> {
  return withModel(net(backend), async (m) => {
    m.compile({ loss: 'softmaxCrossEntropy', optimizer });
    const norms: number[] = [];
    const fused: boolean[] = [];
    await m.fit(blobs.x, blobs.y, {
      epochs: 2, batchSize: 1, ...fitOptions,
      callbacks: [{
        onBatchEnd: (_k, logs) => {
          fused.push(m.network.deferredGradient !== null);
          hook?.(m);
          norms.push(logs.gradNormSquared);
        },
      }],
    });
    return { weights: bits(m.getFlatWeights()), norms, fused };
  });
}

describe('online SGD fuses the first kernel\'s update, with the same bits as the unfused step', () => {
  for (const backend of [wasm, js]) {
    for (const [label, fitOptions] of [['shuffled', {}], ['in order', { shuffle: false }], ['with validation', { validationSplit: 0.2 }]] as const) {
      test(`${backend.name}, ${label}`, async () => {
        const fusedRun = await train(backend, sgd({ lr: 0.05 }), fitOptions);
        const plain = await train(backend, unfusable(sgd({ lr: 0.05 })), fitOptions);
        // Every batch but each epoch's last (whose ‖∇‖² goes into the epoch logs) was fused.
        expect(fusedRun.fused.filter((f) => f).length).toBe(fusedRun.fused.length - 2);
        expect(plain.fused.every((f) => !f)).toBe(true);
        expect(fusedRun.weights).toEqual(plain.weights);
        expect(fusedRun.norms).toEqual(plain.norms);
        expect(fusedRun.norms.every((n) => Number.isFinite(n) && n > 0)).toBe(true);
      });
    }

    test(`${backend.name}: weight decay fuses too`, async () => {
      const a = await train(backend, sgd({ lr: 0.05, weightDecay: 0.01 }), {});
      const b = await train(backend, unfusable(sgd({ lr: 0.05, weightDecay: 0.01 })), {});
      expect(a.fused.some((f) => f)).toBe(true);
      expect(a.weights).toEqual(b.weights);
    });

    test(`${backend.name}: momentum and clipNorm cannot fuse; the gradient is written and apply() runs`, async () => {
      for (const options of [{ lr: 0.05, momentum: 0.9 }, { lr: 0.05, clipNorm: 0.5 }]) {
        const a = await train(backend, sgd(options), {});
        const b = await train(backend, unfusable(sgd(options)), {});
        expect(a.weights).toEqual(b.weights);
        expect(a.norms).toEqual(b.norms);
      }
    });

    test(`${backend.name}: a predict() in onBatchEnd before reading ‖∇‖² leaves it right`, async () => {
      const probe = blobs.x.subarray(0, 5);
      const a = await train(backend, sgd({ lr: 0.05 }), {}, (m) => m.predict(probe));
      const b = await train(backend, unfusable(sgd({ lr: 0.05 })), {});
      expect(a.weights).toEqual(b.weights);
      expect(a.norms).toEqual(b.norms);
    });
  }

  for (const backend of [wasm, js]) {
    test(`${backend.name}: a hook that throws leaves no deferred gradient behind; the model predicts and trains on`, async () => {
      await withModel(net(backend), async (m) => {
        m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.05 }) });
        const boom = m.fit(blobs.x, blobs.y, { epochs: 1, batchSize: 1, callbacks: [{ onBatchEnd: (k) => { if (k === 3) throw new Error('boom'); } }] });
        await expect(boom).rejects.toThrow('boom');
        expect(m.network.deferredGradient).toBeNull();
        const p = m.predict(blobs.x.subarray(0, 10));
        expect(Array.from(p).every(Number.isFinite)).toBe(true);
        await m.fit(blobs.x, blobs.y, { epochs: 1, batchSize: 1 });
      });
    });
  }

  test('‖∇‖² is computed on its first read during the hook; unread, it is NaN once the hook returned', async () => {
    await withModel(net(wasm), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.05 }) });
      const kept: { gradNormSquared: number }[] = [];
      const read: number[] = [];
      await m.fit(blobs.x.subarray(0, 20), blobs.y.subarray(0, 4), {
        epochs: 1, batchSize: 1,
        callbacks: [{ onBatchEnd: (k, logs) => { kept.push(logs); if (k % 2 === 0) read.push(logs.gradNormSquared); } }],
      });
      kept.forEach((logs, k) => {
        if (k % 2 === 0) expect(logs.gradNormSquared).toBe(read[k / 2]);
        else if (k < kept.length - 1) expect(logs.gradNormSquared).toBeNaN();
      });
    });
  });
});

// Inputs that are mostly zero, as MNIST's pixels: on wasm the fused update leaves the rows of zero
// input unread, and the next forward product skips those inputs (Network.beginUpdate/updated keep the
// kernel's row flags; assembly/optim-outer.ts). 128 units: the one-row product's row stream, which
// skips, runs from 128 columns on.
describe('online SGD on mostly-zero inputs: unread rows and skipped inputs, the same bits', () => {
  const FEATURES = 40;
  /** Feature f of every sample is 0 unless f % 5 = 1; features 0 and 39 are always 0 (a blank border). */
  const sparse = (() => {
    const { x, y } = gaussianBlobs(60, 3, FEATURES, 8);
    for (let i = 0; i < x.length; i++) if (i % FEATURES % 5 !== 1) x[i] = i % 3 === 0 ? -0 : 0;
    return { x, y };
  })();
  const wideNet = (backend: ReadyBackend) => sequential([dense({ units: 128, activation: 'relu' }), dense({ units: 3 })], { inputSize: FEATURES, backend, seed: 5 });

  async function run(backend: ReadyBackend, optimizer: Optimizer, hook?: (m: Sequential, batch: number) => void): Promise<Int32Array> {
    return withModel(wideNet(backend), async (m) => {
      m.compile({ loss: 'softmaxCrossEntropy', optimizer });
      await m.fit(sparse.x, sparse.y, { epochs: 2, batchSize: 1, shuffle: false, callbacks: [{ onBatchEnd: (k) => hook?.(m, k) }] });
      return bits(m.getFlatWeights());
    });
  }

  for (const backend of [wasm, js]) {
    test(`${backend.name}: the fused run's weights are the unfused run's`, async () => {
      expect(await run(backend, sgd({ lr: 0.05 }))).toEqual(await run(backend, unfusable(sgd({ lr: 0.05 }))));
    });

    test(`${backend.name}: setFlatWeights mid-run forgets the flags: a −0 planted under a zero input becomes +0 as unfused`, async () => {
      // Row 0 of the first kernel is under feature 0, always 0; the next full update turns −0 into +0.
      // (setFlatWeights refuses ±Infinity and NaN, so a user cannot plant those.)
      const plant = (m: Sequential, k: number) => {
        if (k !== 7) return;
        const w = m.getFlatWeights();
        w[0] = -0;
        m.setFlatWeights(w);
      };
      expect(await run(backend, sgd({ lr: 0.05 }), plant)).toEqual(await run(backend, unfusable(sgd({ lr: 0.05 })), plant));
    });
  }

  test('wasm, white box: a row of zero input is really left unread (a −0 written past weightsChanged() stays −0)', async () => {
    // Writing the parameter buffer directly breaks the rule that every writer calls weightsChanged(),
    // so the flags still say row 0 is free of −0. The fused updates of the next batches then never
    // touch it; a full update (the unfused run; the js backend, which updates every row; an epoch's
    // last batch, which is not fused) turns it into +0.
    const watch = () => {
      const seen: number[] = [];
      const hook = (m: Sequential, k: number) => {
        if (k === 7) m.network.params.data[0] = -0;
        if (k === 9) seen.push(bits(m.network.params.data.subarray(0, 1))[0]);
      };
      return { seen, hook };
    };
    const skipped = watch(), updated = watch();
    await run(wasm, sgd({ lr: 0.05 }), skipped.hook);
    await run(wasm, unfusable(sgd({ lr: 0.05 })), updated.hook);
    expect(skipped.seen).toEqual([bits(new Float32Array([-0]))[0], bits(new Float32Array([-0]))[0]]);
    expect(updated.seen).toEqual([0, 0]);
  });
});
