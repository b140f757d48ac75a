/**
 * The TensorFlow.js layers format against tfjs-layers itself (on tfjs-core's cpu backend):
 * - every exported model loads with tf.loadLayersModel and predicts simdnet's outputs within 1e-5 on
 *   100 rows, for a dense layer of each activation both libraries have (and the slopes only simdnet
 *   has, exported exactly), activation, dropout and flatten layers, a multi-axis input;
 * - a model built and trained in tfjs, saved through tf.io.withSaveHandler, imports, predicts the
 *   same and trains on (the loss falls);
 * - bad input (truncated weights, sizes that disagree, an unknown class, absurd shapes) is refused
 *   with an error naming what is wrong.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ACTIVATIONS, activation, adam, dense, dropout, exportTfjsLayers, flatten, importTfjsLayers, sequential,
  TfjsFormatError, type ActivationName, type Layer, type Sequential,
} from '../../src/index.js';
import { backends, expectClose, randomArray, softmaxRows } from '../support/helpers.js';
import { gaussianBlobs } from '../support/model-data.js';

const { wasm, js } = await backends();
const ROWS = 100;
const TOLERANCE = 1e-5;

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  await tf.ready();
});

interface ModelJson {
  modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/** Loads model.json + weights.bin bytes with tf.loadLayersModel, through an in-memory IOHandler. */
async function tfjsLoad(modelJson: unknown, weightData: Uint8Array): Promise<tfl.LayersModel> {
  const json = JSON.parse(JSON.stringify(modelJson)) as ModelJson;
  const bytes = weightData.slice().buffer;
  return tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology as unknown as object,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
    weightData: bytes,
  }));
}

function tfjsPredict(model: tfl.LayersModel, x: Float32Array, inputShape: readonly number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, [ROWS, ...inputShape])) as tf.Tensor).dataSync() as Float32Array).slice();
}

/** The alphas each activation is exported with: its default, and a slope Keras lacks where it has one. */
const ALPHAS: Partial<Record<ActivationName, number[]>> = {
  sigmoid: [1, 2.5],
  hardSigmoid: [1 / 6, 0.2],
  leakyRelu: [0.01, 0.3],
};
const EXPORTABLE = ACTIVATIONS.filter((a) => a !== 'step');

/** Exports `model`, loads it in tfjs and in simdnet again; both predict simdnet's outputs. */
async function expectRoundTrip(model: Sequential, label: string): Promise<void> {
  const x = randomArray(ROWS * model.inputSize, 11, 2);
  const expected = model.predict(x);
  const { modelJson, weightData } = exportTfjsLayers(model);
  const loaded = await tfjsLoad(modelJson, weightData);
  try {
    expectClose(tfjsPredict(loaded, x, model.inputShape), expected, TOLERANCE, TOLERANCE, `${label}: tfjs predict`);
  } finally {
    loaded.dispose();
  }
  const again = importTfjsLayers(modelJson, weightData, { backend: model.backend });
  try {
    expectClose(again.predict(x), expected, TOLERANCE, TOLERANCE, `${label}: simdnet again`);
  } finally {
    again.dispose();
  }
}

describe('export: tf.loadLayersModel predicts what simdnet predicts', () => {
  for (const act of EXPORTABLE) {
    for (const alpha of ALPHAS[act] ?? [undefined]) {
      test(`dense ${act}${alpha === undefined ? '' : ` (alpha ${alpha})`}`, async () => {
        const model = sequential([
          dense({ units: 7, activation: act, activationAlpha: alpha }),
          dense({ units: 5, activation: act, activationAlpha: alpha, useBias: false }),
          dense({ units: 3 }),
        ], { inputSize: 6, backend: wasm, seed: 3 });
        try {
          await expectRoundTrip(model, `dense ${act} ${alpha}`);
        } finally {
          model.dispose();
        }
      });
    }
  }

  test('activation, dropout and flatten layers and a [2, 3, 2] input (a Flatten goes before the first dense)', async () => {
    const layers: Layer[] = [
      activation({ name: 'tanh' }), flatten(), dense({ units: 8, activation: 'relu' }), dropout({ rate: 0.3 }),
      activation({ name: 'leakyRelu', alpha: 0.2 }), activation('elu'), activation('mish'),
      activation('identity'), dense({ units: 4 }),
    ];
    const model = sequential(layers, { inputShape: [2, 3, 2], backend: js, seed: 5 });
    try {
      await expectRoundTrip(model, 'layers');
      const noFlatten = sequential([dense({ units: 4, activation: 'gelu' }), dense({ units: 2 })], { inputShape: [2, 3, 2], backend: js, seed: 5 });
      try {
        await expectRoundTrip(noFlatten, 'dense on a [2, 3, 2] input');
        const classes = (exportTfjsLayers(noFlatten).modelJson as ModelJson).modelTopology.config.layers.map((l) => l.class_name);
        expect(classes).toEqual(['Flatten', 'Dense', 'Dense']);
      } finally {
        noFlatten.dispose();
      }
    } finally {
      model.dispose();
    }
  });

  test("outputs: 'probabilities' appends a softmax; the default is logits", async () => {
    const model = sequential([dense({ units: 6, activation: 'relu' }), dense({ units: 4 })], { inputSize: 3, backend: wasm, seed: 9 });
    try {
      const x = randomArray(ROWS * 3, 4, 3);
      const logits = model.predict(x);
      const { modelJson, weightData } = exportTfjsLayers(model, { outputs: 'probabilities' });
      const loaded = await tfjsLoad(modelJson, weightData);
      try {
        expectClose(tfjsPredict(loaded, x, [3]), softmaxRows(logits, 4), TOLERANCE, TOLERANCE, 'probabilities');
      } finally {
        loaded.dispose();
      }
      // Imported again, the final softmax is dropped: logits, as the model had.
      const again = importTfjsLayers(modelJson, weightData, { backend: wasm });
      try {
        expectClose(again.predict(x), logits, TOLERANCE, TOLERANCE, 'imported probabilities model gives logits');
        expect(again.layers.length).toBe(2);
      } finally {
        again.dispose();
      }
      expect(() => exportTfjsLayers(model, { outputs: 'softmax' as 'logits' })).toThrow(/options.outputs must be 'logits' or 'probabilities'/);
    } finally {
      model.dispose();
    }
  });

  test('the manifest and the bytes: float32, little-endian, names layer/kernel, Keras shapes', () => {
    const model = sequential([dense({ units: 2, name: 'hidden' })], { inputSize: 3, backend: js, seed: 1 });
    try {
      const { modelJson, weightData } = exportTfjsLayers(model);
      const json = modelJson as ModelJson & { format: string; modelTopology: { keras_version: string; backend: string } };
      expect(json.format).toBe('layers-model');
      expect(json.modelTopology.backend).toBe('tensor_flow.js');
      expect(json.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: [
        { name: 'hidden/kernel', shape: [3, 2], dtype: 'float32' }, { name: 'hidden/bias', shape: [2], dtype: 'float32' },
      ] }]);
      expect(json.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 3]);
      const view = new DataView(weightData.buffer, weightData.byteOffset, weightData.byteLength);
      const flat = model.getFlatWeights();
      expect(weightData.byteLength).toBe(flat.length * 4);
      flat.forEach((v, i) => expect(view.getFloat32(i * 4, true)).toBe(v));
    } finally {
      model.dispose();
    }
  });

  test('what Keras cannot express is refused, naming the layer', () => {
    const step = sequential([dense({ units: 2, activation: 'step', name: 'perceptron' })], { inputSize: 2, backend: js });
    const elu = sequential([dense({ units: 2, activation: 'elu', activationAlpha: 0.5 })], { inputSize: 2, backend: js });
    const slope = sequential([dense({ units: 2 }), activation({ name: 'sigmoid', alpha: 3, layerName: 'steep' })], { inputSize: 2, backend: js });
    try {
      expect(() => exportTfjsLayers(step)).toThrow(TfjsFormatError);
      expect(() => exportTfjsLayers(step)).toThrow(/layer 'perceptron' \(dense\): activation 'step' cannot be exported: .*no step activation/);
      expect(() => exportTfjsLayers(elu)).toThrow(/layer 'dense_1' \(dense\): activation 'elu' cannot be exported: TensorFlow.js supports ELU only with α = 1 \(this one has 0.5\)/);
      expect(() => exportTfjsLayers(slope)).toThrow(/layer 'steep' \(activation\): activation 'sigmoid' with slope 3 .*put it in the dense layer before it/);
    } finally {
      step.dispose();
      elu.dispose();
      slope.dispose();
    }
  });
});

/** What tfjs's model.save() hands a save handler, as model.json + weight bytes. */
async function saveTfjs(model: tfl.LayersModel): Promise<{ modelJson: unknown; weightData: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    saved = artifacts;
    return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
  }));
  const a = saved! as tf.io.ModelArtifacts;
  const data = a.weightData;
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(await new Blob(data as ArrayBuffer[]).arrayBuffer());
  return {
    modelJson: JSON.parse(JSON.stringify({ format: a.format, generatedBy: a.generatedBy, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] })),
    weightData: bytes,
  };
}

describe('import: a model built and trained in TensorFlow.js', () => {
  test('loads into simdnet, predicts the same, and trains on', async () => {
    const { x, y } = gaussianBlobs(120, 3, 4, 17);
    const tfModel = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [4], units: 12, activation: 'relu' }),
        tfl.layers.dropout({ rate: 0.1 }),
        tfl.layers.dense({ units: 8, activation: 'tanh', kernelRegularizer: tfl.regularizers.l2({ l2: 1e-4 }) }),
        tfl.layers.leakyReLU({ alpha: 0.2 }),
        tfl.layers.dense({ units: 6, activation: 'hardSigmoid' }),
        tfl.layers.elu(),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    tfModel.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    const xs = tf.tensor2d(x, [120, 4]);
    const ys = tf.tensor1d(Float32Array.from(y));
    await tfModel.fit(xs, ys, { epochs: 3, batchSize: 30, verbose: 0 });
    const tfProbs = (tfModel.predict(xs) as tf.Tensor).dataSync() as Float32Array;
    const { modelJson, weightData } = await saveTfjs(tfModel);
    tf.dispose([xs, ys]);
    tfModel.dispose();

    for (const backend of [wasm, js]) {
      const model = importTfjsLayers(modelJson, weightData, { backend, seed: 4 });
      try {
        expect(model.layers.map((l) => l.type)).toEqual(['dense', 'dropout', 'dense', 'activation', 'dense', 'activation', 'dense']);
        // The final softmax was dropped: simdnet gives logits, whose softmax is tfjs's output.
        expectClose(softmaxRows(model.predict(x), 3), tfProbs, TOLERANCE, TOLERANCE, `${backend.name}: imported predict`);
        model.compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }) });
        const before = model.evaluate(x, y).loss;
        await model.fit(x, y, { epochs: 5, batchSize: 30 });
        expect(model.evaluate(x, y).loss, `${backend.name}: loss after 5 epochs`).toBeLessThan(before);
      } finally {
        model.dispose();
      }
    }
  });

  test('a tfjs model over a [2, 3, 2] input with Flatten, ReLU, Activation and Softmax layers; a Dense on the raw input is refused', async () => {
    const tfModel = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [2, 3, 2] }),
        tfl.layers.dense({ units: 9, activation: 'gelu' }),
        tfl.layers.reLU(),
        tfl.layers.dense({ units: 5, activation: 'mish' }),
        tfl.layers.activation({ activation: 'softplus' }),
        tfl.layers.dense({ units: 4, activation: 'swish' }),
        tfl.layers.dense({ units: 3 }),
        tfl.layers.softmax(),
      ],
    });
    const x = randomArray(ROWS * 12, 21, 2);
    const tfProbs = tf.tidy(() => (tfModel.predict(tf.tensor(x, [ROWS, 2, 3, 2])) as tf.Tensor).dataSync() as Float32Array).slice();
    const { modelJson, weightData } = await saveTfjs(tfModel);
    tfModel.dispose();
    const model = importTfjsLayers(modelJson, weightData, { backend: wasm });
    try {
      expect(model.inputShape).toEqual([2, 3, 2]);
      expect(model.layers.map((l) => l.type)).toEqual(['flatten', 'dense', 'activation', 'dense', 'activation', 'dense', 'dense']);
      expectClose(softmaxRows(model.predict(x), 3), tfProbs, TOLERANCE, TOLERANCE, 'imported [2, 3, 2] model');
    } finally {
      model.dispose();
    }
    const raw = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2, 3], units: 2, name: 'lastAxis' })] });
    const saved = await saveTfjs(raw);
    raw.dispose();
    expect(() => importTfjsLayers(saved.modelJson, saved.weightData, { backend: js })).toThrow(/layer 'lastAxis' .*Dense on an input of shape \[2, 3\] applies along the last axis in Keras; .*put a Flatten before it/);
  });

  test('accepts modelJson as text, an ArrayBuffer of weights, an InputLayer first and tfjs camelCase names', () => {
    const json = {
      modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 2], name: 'in' } },
        { class_name: 'Dense', config: { units: 1, activation: 'hardSigmoid', name: 'd' } },
        { class_name: 'ELU', config: { alpha: 0.5, name: 'e' } },
      ] } },
      weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'd/kernel', shape: [2, 1], dtype: 'float32' }, { name: 'd/bias:0', shape: [1], dtype: 'float32' }] }],
    };
    const bytes = new Float32Array([1, -2, 0.5]).buffer;
    const model = importTfjsLayers(JSON.stringify(json), bytes, { backend: js });
    try {
      // clip(0.2·(1·3 − 2·1 + 0.5) + 0.5, 0, 1) = 0.8, which ELU passes; for (−30, 0) the clip gives 0.
      expectClose(model.predict(new Float32Array([3, 1, -30, 0])), [0.8, 0], 1e-6, 0, 'hard sigmoid of slope 0.2');
      expect(model.layers.map((l) => l.toConfig())).toContainEqual({ type: 'activation', name: 'e', activation: 'elu', alpha: 0.5 });
    } finally {
      model.dispose();
    }
  });
});

describe('import: bad input gets a clear error naming what is wrong', () => {
  const good = (() => {
    const m = sequential([dense({ units: 4, activation: 'relu', name: 'a' }), dense({ units: 2, name: 'b' })], { inputSize: 3, backend: js, seed: 2 });
    const out = exportTfjsLayers(m);
    m.dispose();
    return { json: out.modelJson as ModelJson, bytes: out.weightData };
  })();
  const edited = (edit: (j: ModelJson & Record<string, unknown>) => void): unknown => {
    const j = JSON.parse(JSON.stringify(good.json)) as ModelJson & Record<string, unknown>;
    edit(j);
    return j;
  };
  const load = (json: unknown, bytes: Uint8Array = good.bytes) => () => importTfjsLayers(json, bytes, { backend: js });

  test('truncated weights, and weights longer than the manifest', () => {
    expect(load(good.json, good.bytes.slice(0, good.bytes.length - 4))).toThrow(/the weights are truncated: weightsManifest\[0\]\.weights\[3\] \('b\/bias', shape \[2\]\) ends at byte 104, but the weight data has 100 bytes/);
    const longer = new Uint8Array(good.bytes.length + 8);
    longer.set(good.bytes);
    expect(load(good.json, longer)).toThrow(/describes 104 bytes of weights, but the weight data has 112/);
  });

  test('a manifest whose shapes disagree with the architecture or with each other', () => {
    expect(load(edited((j) => { j.weightsManifest[0].weights[0].shape = [4, 3]; }))).toThrow(/weight 'a\/kernel' has shape \[4, 3\], but the architecture needs \[3, 4\]/);
    expect(load(edited((j) => { j.weightsManifest[0].weights.pop(); }), good.bytes.slice(0, 96))).toThrow(/the weights manifest has no 'b\/bias'/);
    expect(load(edited((j) => { j.weightsManifest[0].weights[1].dtype = 'int32'; }))).toThrow(/\('a\/bias'\) has dtype "int32"; only float32/);
    expect(load(edited((j) => { j.weightsManifest[0].weights[1].name = 'a/kernel'; }))).toThrow(/lists 'a\/kernel' twice/);
    expect(load(edited((j) => { j.weightsManifest = 7 as unknown as ModelJson['weightsManifest']; }))).toThrow(/weightsManifest must be an array/);
  });

  test('an unknown layer class, an unknown activation, a functional model, a softmax in the middle', () => {
    expect(load(edited((j) => { j.modelTopology.config.layers[1].class_name = 'LSTM'; }))).toThrow(/layer 'b' \(LSTM, layers\[1\]\): layer class "LSTM" has no simdnet equivalent; supported: Dense, Activation/);
    expect(load(edited((j) => { j.modelTopology.config.layers[0].config.activation = 'selu'; }))).toThrow(/layer 'a' .*activation "selu" has no simdnet equivalent/);
    expect(load(edited((j) => { j.modelTopology.config.layers[0].config.activation = 'softmax'; }))).toThrow(/softmax is supported only as the last activation/);
    expect(load(edited((j) => { (j.modelTopology as unknown as Record<string, unknown>).class_name = 'Model'; }))).toThrow(/only Sequential models can be imported, this is "Model"/);
    expect(load('{"modelTopology": ')).toThrow(/model.json is not JSON/);
    const softmaxOver = (axis: unknown) => edited((j) => { j.modelTopology.config.layers.push({ class_name: 'Softmax', config: { axis, name: 'sm' } }); });
    expect(load(softmaxOver(0))).toThrow(/the final softmax \('sm'\) is over axis 0; only the last axis/);
    expect(() => importTfjsLayers(softmaxOver([1]), good.bytes, { backend: js }).dispose()).not.toThrow();
    const unflat = { modelTopology: { class_name: 'Sequential', config: { layers: [
      { class_name: 'Activation', config: { activation: 'relu', batch_input_shape: [null, 2, 2] } }, { class_name: 'Softmax', config: {} },
    ] } }, weightsManifest: [] };
    expect(load(unflat, new Uint8Array(0))).toThrow(/the final softmax .* is over outputs of shape \[2, 2\]; only flat outputs/);
    expect(() => importTfjsLayers(good.json, good.bytes, {} as { backend: typeof js })).toThrow(/options.backend is required/);
  });

  test('absurd shapes are refused before anything is allocated', () => {
    expect(load(edited((j) => { j.modelTopology.config.layers[0].config.batch_input_shape = [null, 1e9, 1e9]; }))).toThrow(/the input shape \[1000000000, 1000000000\] has 1000000000000000000 values per row/);
    expect(load(edited((j) => { j.modelTopology.config.layers[0].config.batch_input_shape = [null, -3]; }))).toThrow(/the input shape must be dimensions that are integers ≥ 1/);
    expect(load(edited((j) => { j.modelTopology.config.layers[0].config.units = 2e8; }))).toThrow(/weight 'a\/kernel' has shape \[3, 4\], but the architecture needs \[3, 200000000\]/);
    expect(load(edited((j) => { j.weightsManifest[0].weights[0].shape = [1e6, 1e3]; }))).toThrow(/\('a\/kernel', shape \[1000000, 1000\]\) ends at byte 4000000000, but the weight data has 104 bytes/);
    expect(load(edited((j) => { j.weightsManifest[0].weights[0].shape = [2 ** 40, 2 ** 20]; }))).toThrow(/claims an absurd number of values/);
    expect(load(edited((j) => { j.modelTopology.config.layers[1].config.units = 1.5; }))).toThrow(/layer 'b' .*units must be an integer ≥ 1, got 1.5/);
  });
});
