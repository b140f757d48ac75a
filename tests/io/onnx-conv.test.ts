/**
 * ONNX export of convolutional models: conv2d (valid and same padding, strides, dilation, its
 * activation), max and average pooling (same padding at the border), global average pooling and
 * batch normalization (over an image's channels and a dense layer's features, with moving statistics
 * away from their start) run in ONNX Runtime (onnxruntime-web's wasm backend, strict shape and type
 * inference) and compute what simdnet's predict() computes, within 1e-5.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import {
  avgPool2d, batchNormalization, conv2d, dense, exportOnnx, flatten, globalAvgPool2d, maxPool2d, sequential, sgd,
} from '../../src/index.js';
import { backends, expectClose, randomArray, randomLabels, withModel } from '../support/helpers.js';

ort.env.wasm.numThreads = 1;
const { wasm } = await backends();
const ROWS = 12;

async function runOnnx(bytes: Uint8Array, x: Float32Array, inputShape: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], extra: { session: { strict_shape_type_inference: '1' } } });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x, [ROWS, ...inputShape]) });
    return { data: out.output.data as Float32Array, dims: out.output.dims };
  } finally {
    await session.release();
  }
}

describe('exportOnnx: convolutional models run in ONNX Runtime as in simdnet', () => {
  it('conv2d, pools, global average pooling and batch normalization', async () => {
    const model = sequential([
      conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', biasInitializer: { name: 'randomUniform', min: -0.3, max: 0.3 } }),
      batchNormalization({ momentum: 0.5 }),
      maxPool2d({ poolSize: 3, strides: 2, padding: 'same' }),
      conv2d({ filters: 6, kernelSize: [2, 3], dilation: 2, activation: 'tanh', useBias: false }),
      avgPool2d({ poolSize: 2, padding: 'same' }),
      conv2d({ filters: 5, kernelSize: 1, activation: 'sigmoid', activationAlpha: 2 }),
      globalAvgPool2d(), dense({ units: 7 }), batchNormalization({ center: false }), dense({ units: 3 }),
    ], { inputShape: [29, 27, 2], backend: wasm, seed: 5 }).compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.05 }) });
    await withModel(model, async () => {
      const x = randomArray(ROWS * model.inputSize, 6);
      // A few training steps move the moving statistics (and every weight) away from their start.
      await model.fit(x, randomLabels(ROWS, 3, 7), { epochs: 3, batchSize: 4 });
      const out = await runOnnx(await exportOnnx(model), x, model.inputShape);
      expect(out.dims).toEqual([ROWS, 3]);
      expectClose(out.data, model.predict(x, { batchSize: ROWS }), 1e-5, 1e-5, 'ONNX Runtime vs simdnet');
    });
  });

  it('flatten after an image, and valid padding', async () => {
    const model = sequential([conv2d({ filters: 3, kernelSize: 5, activation: 'leakyRelu', activationAlpha: 0.1 }), maxPool2d(), flatten(), dense({ units: 2 })], { inputShape: [12, 11, 1], backend: wasm, seed: 2 });
    await withModel(model, async () => {
      const x = randomArray(ROWS * model.inputSize, 8);
      const out = await runOnnx(await exportOnnx(model), x, model.inputShape);
      expectClose(out.data, model.predict(x), 1e-5, 1e-5, 'ONNX Runtime vs simdnet');
    });
  });
});
