/**
 * Convolutional models in the TensorFlow.js layers format, against tfjs-layers itself (cpu backend):
 * - a simdnet CNN (conv2d with same/valid padding, strides, dilation, a sigmoid of slope 2 folded
 *   into its weights, a leakyRelu as its own Keras layer; max, average and global average pooling)
 *   exports, loads with tf.loadLayersModel and predicts simdnet's outputs within 1e-5, and imports
 *   back into simdnet the same;
 * - a CNN built and trained in tfjs imports, predicts the same and trains on;
 * - batch normalization (its moving statistics are not weights) is refused by name, and so are
 *   channels-first layers on import.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  adam, avgPool2d, batchNormalization, conv2d, dense, exportTfjsLayers, flatten, globalAvgPool2d, importTfjsLayers, maxPool2d, sequential,
} from '../../src/index.js';
import { backends, expectClose, randomArray, randomLabels, softmaxRows, withModel } from '../support/helpers.js';

const { wasm, js } = await backends();
const ROWS = 20;
const TOL = 1e-5;

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  await tf.ready();
});

interface ModelJson {
  modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

async function tfjsLoad(modelJson: unknown, weightData: Uint8Array): Promise<tfl.LayersModel> {
  const json = JSON.parse(JSON.stringify(modelJson)) as ModelJson;
  return tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology as unknown as object,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: weightData.slice().buffer,
  }));
}

async function saveTfjs(model: tfl.LayersModel): Promise<{ modelJson: unknown; weightData: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    saved = artifacts;
    return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
  }));
  const a = saved! as tf.io.ModelArtifacts;
  return {
    modelJson: JSON.parse(JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] })),
    weightData: new Uint8Array(a.weightData as ArrayBuffer),
  };
}

describe('export and import of convolutional models', () => {
  test('tf.loadLayersModel predicts what simdnet predicts, and the import predicts it again', async () => {
    for (const backend of [wasm, js]) {
      const model = sequential([
        conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', biasInitializer: { name: 'randomUniform', min: -0.3, max: 0.3 } }),
        maxPool2d({ poolSize: 2, strides: 1 }),
        conv2d({ filters: 5, kernelSize: [2, 3], dilation: 2, activation: 'sigmoid', activationAlpha: 2 }),
        avgPool2d({ poolSize: 2, padding: 'same' }),
        conv2d({ filters: 3, kernelSize: 1, activation: 'leakyRelu', activationAlpha: 0.2 }),
        globalAvgPool2d(), dense({ units: 3 }),
      ], { inputShape: [13, 12, 2], backend, seed: 8 });
      await withModel(model, async () => {
        const x = randomArray(ROWS * model.inputSize, 3);
        const expected = model.predict(x);
        const { modelJson, weightData } = exportTfjsLayers(model);
        const classes = (modelJson as ModelJson).modelTopology.config.layers.map((l) => l.class_name);
        expect(classes).toEqual(['Conv2D', 'MaxPooling2D', 'Conv2D', 'AveragePooling2D', 'Conv2D', 'LeakyReLU', 'GlobalAveragePooling2D', 'Dense']);
        const loaded = await tfjsLoad(modelJson, weightData);
        try {
          const got = tf.tidy(() => (loaded.predict(tf.tensor(x, [ROWS, 13, 12, 2])) as tf.Tensor).dataSync() as Float32Array).slice();
          expectClose(got, expected, TOL, TOL, `${backend.name}: tfjs predict`);
        } finally {
          loaded.dispose();
        }
        await withModel(importTfjsLayers(modelJson, weightData, { backend }), (again) => {
          expect(again.layers.map((l) => l.type)).toEqual(['conv2d', 'maxPool2d', 'conv2d', 'avgPool2d', 'conv2d', 'activation', 'globalAvgPool2d', 'dense']);
          expectClose(again.predict(x), expected, TOL, TOL, `${backend.name}: simdnet again`);
        });
      });
    }
  });

  test('a CNN built and trained in TensorFlow.js imports, predicts the same and trains on', async () => {
    const tfModel = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 6, kernelSize: [3, 2], strides: [1, 2], activation: 'tanh' }),
        tfl.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const n = 60;
    const x = randomArray(n * 64, 4);
    const y = randomLabels(n, 3, 5);
    tfModel.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    const xs = tf.tensor4d(x, [n, 8, 8, 1]);
    const ys = tf.tensor1d(Float32Array.from(y));
    await tfModel.fit(xs, ys, { epochs: 2, batchSize: 20, verbose: 0 });
    const tfProbs = (tfModel.predict(xs) as tf.Tensor).dataSync() as Float32Array;
    const { modelJson, weightData } = await saveTfjs(tfModel);
    tf.dispose([xs, ys]);
    tfModel.dispose();
    for (const backend of [wasm, js]) {
      await withModel(importTfjsLayers(modelJson, weightData, { backend, seed: 3 }), async (model) => {
        expect(model.layers.map((l) => l.type)).toEqual(['conv2d', 'maxPool2d', 'conv2d', 'avgPool2d', 'flatten', 'dense']);
        expectClose(softmaxRows(model.predict(x), 3), tfProbs, TOL, TOL, `${backend.name}: imported predict`);
        model.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }) });
        const before = model.evaluate(x, y).loss;
        await model.fit(x, y, { epochs: 5, batchSize: 20 });
        expect(model.evaluate(x, y).loss, `${backend.name}: loss after 5 epochs`).toBeLessThan(before);
      });
    }
  });

  test('batch normalization is refused by name on export; channels-first layers on import', async () => {
    const model = sequential([conv2d({ filters: 2, kernelSize: 3 }), batchNormalization({ name: 'bn' }), flatten(), dense({ units: 2 })], { inputShape: [5, 5, 1], backend: js });
    await withModel(model, () => expect(() => exportTfjsLayers(model)).toThrow(/layer 'bn': layer type 'batchNormalization' has no TensorFlow.js equivalent yet/));
    const json = {
      modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
        { class_name: 'MaxPooling2D', config: { batch_input_shape: [null, 4, 4, 2], pool_size: [2, 2], data_format: 'channels_first', name: 'p' } },
        { class_name: 'Flatten', config: { name: 'f' } }, { class_name: 'Dense', config: { units: 1, name: 'd' } },
      ] } },
      weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'd/kernel', shape: [8, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
    };
    expect(() => importTfjsLayers(json, new Float32Array(9).buffer, { backend: js })).toThrow(/layer 'p'.*data_format "channels_first" has no simdnet equivalent/);
  });
});
