/**
 * ONNX export: every exported model is loaded by ONNX Runtime (onnxruntime-web's wasm backend, with
 * strict shape and type inference) and computes what simdnet computes, within 1e-5 on 100 rows: an
 * MLP per activation (with its parameter where it has one), as logits and as probabilities, and the
 * other layers (activation, dropout, flatten, multi-axis inputs). The file's fields are read back
 * with ONNX Runtime's own generated decoder of onnx.proto.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, Layer, activation, adam, dense, initializers, dropout, exportOnnx, flatten, sequential, type ActivationName, type Sequential,
} from '../../src/index.js';
import { backends, expectClose, randomArray } from '../support/helpers.js';

ort.env.wasm.numThreads = 1;
const { wasm } = await backends();
const ROWS = 100;

/** ONNX Runtime's outputs for `x` [ROWS, ...inputShape]. */
async function runOnnx(bytes: Uint8Array, x: Float32Array, inputShape: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['wasm'],
    // Refuse, rather than guess around, any shape or type the graph does not state consistently.
    extra: { session: { strict_shape_type_inference: '1' } },
  });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x, [ROWS, ...inputShape]) });
    expect(session.outputNames).toEqual(['output']);
    return { data: out.output.data as Float32Array, dims: out.output.dims };
  } finally {
    await session.release();
  }
}

/** The activations with a parameter get a value other than the default, to show it is carried. */
const ALPHAS: Partial<Record<ActivationName, number[]>> = {
  sigmoid: [1, 2.5], leakyRelu: [0.01, 0.3], elu: [1, 0.4], hardSigmoid: [1 / 6, 0.2],
};

function mlp(act: ActivationName, alpha: number | undefined, seed: number): Sequential {
  return sequential([
    dense({ units: 9, activation: act, activationAlpha: alpha, biasInitializer: initializers.randomUniform({ min: -1, max: 1 }) }),
    dense({ units: 4 }),
  ], { inputSize: 6, backend: wasm, seed });
}

describe('exportOnnx: an MLP per activation runs in ONNX Runtime as in simdnet', () => {
  const cases = ACTIVATIONS.flatMap((act) => (ALPHAS[act] ?? [undefined]).map((alpha) => ({ act, alpha })));
  it.each(cases)('$act (alpha $alpha): logits and probabilities', async ({ act, alpha }) => {
    const model = mlp(act, alpha, 7 + ACTIVATIONS.indexOf(act));
    try {
      // Inputs across the activations' interesting range (the kinks of hardSigmoid lie at ±3).
      const x = randomArray(ROWS * 6, 11, 4);
      const logits = model.predict(x);
      const raw = await runOnnx(await exportOnnx(model), x, [6]);
      expect(raw.dims).toEqual([ROWS, 4]);
      expectClose(raw.data, logits, 1e-5, 0, `${act} logits`);

      model.compile({ loss: 'softmaxCrossEntropy', optimizer: adam() });
      const probabilities = model.predict(x);
      const p = await runOnnx(await exportOnnx(model, { outputs: 'probabilities' }), x, [6]);
      expectClose(p.data, probabilities, 1e-5, 0, `${act} probabilities`);
      // The default follows predict(): probabilities once compiled with a cross-entropy loss.
      expect(await exportOnnx(model)).toEqual(await exportOnnx(model, { outputs: 'probabilities' }));
      expectClose((await runOnnx(await exportOnnx(model, { outputs: 'logits' }), x, [6])).data, logits, 1e-5, 0, `${act} logits after compile`);
    } finally {
      model.dispose();
    }
  });
});

describe('exportOnnx: the other layers', () => {
  it('flatten, activation layers, dropout, a dense layer without bias, a multi-axis input', async () => {
    const model = sequential([
      flatten(),
      dense({ units: 8, activation: 'relu', biasInitializer: 'ones' }),
      dropout({ rate: 0.3 }),
      activation({ name: 'elu', alpha: 0.7 }),
      dense({ units: 5, useBias: false }),
      activation('mish'),
      dense({ units: 3 }),
    ], { inputShape: [2, 3, 2], backend: wasm, seed: 3 });
    try {
      const x = randomArray(ROWS * 12, 5, 2);
      const out = await runOnnx(await exportOnnx(model), x, [2, 3, 2]);
      expectClose(out.data, model.predict(x), 1e-5, 0, 'flatten/dropout/activation stack');
    } finally {
      model.dispose();
    }
  });

  it('a dense layer on a multi-axis row takes it flat, as simdnet does', async () => {
    const model = sequential([dense({ units: 4, activation: 'tanh' }), dense({ units: 2 })], { inputShape: [3, 2], backend: wasm, seed: 4 });
    try {
      const x = randomArray(ROWS * 6, 6, 2);
      expectClose((await runOnnx(await exportOnnx(model), x, [3, 2])).data, model.predict(x), 1e-5, 0, 'dense on [3, 2]');
    } finally {
      model.dispose();
    }
  });

  it('a model ending in activation layers on a multi-axis input keeps the row shape', async () => {
    const model = sequential([dense({ units: 6 }), activation('identity'), dropout({ rate: 0.5 })], { inputSize: 4, backend: wasm, seed: 5 });
    try {
      const x = randomArray(ROWS * 4, 7, 2);
      const out = await runOnnx(await exportOnnx(model), x, [4]);
      expect(out.dims).toEqual([ROWS, 6]);
      expectClose(out.data, model.predict(x), 1e-5, 0, 'dense then identities');
    } finally {
      model.dispose();
    }
  });

  it("sigmoidCrossEntropy: 'probabilities' is σ of each output, as predict()", async () => {
    const model = sequential([dense({ units: 5, activation: 'silu' }), dense({ units: 3 })], { inputSize: 4, backend: wasm, seed: 6 });
    try {
      model.compile({ loss: 'sigmoidCrossEntropy', optimizer: adam() });
      const x = randomArray(ROWS * 4, 8, 3);
      expectClose((await runOnnx(await exportOnnx(model), x, [4])).data, model.predict(x), 1e-5, 0, 'sigmoid probabilities');
    } finally {
      model.dispose();
    }
  });
});

describe('exportOnnx: the file', () => {
  // ONNX Runtime's generated static decoder of onnx.proto (protobufjs), shipped with onnxruntime-web.
  const require = createRequire(import.meta.url);
  const { onnx } = require(fileURLToPath(new URL('../../node_modules/onnxruntime-web/lib/onnxjs/ort-schema/protobuf/onnx.js', import.meta.url))) as {
    onnx: { ModelProto: { decode(bytes: Uint8Array): Record<string, unknown>; toObject(m: unknown, o: object): Record<string, unknown> } };
  };

  it('states IR version 8, opset 17, a dynamic batch dimension and the weights as initializers', async () => {
    const model = mlp('gelu', undefined, 9);
    try {
      const decoded = onnx.ModelProto.toObject(onnx.ModelProto.decode(await exportOnnx(model)), { longs: Number, bytes: Array, defaults: false });
      expect(decoded.irVersion).toBe(8);
      expect(decoded.opsetImport).toEqual([{ domain: '', version: 17 }]);
      const graph = decoded.graph as {
        input: { name: string; type: { tensorType: { elemType: number; shape: { dim: Record<string, unknown>[] } } } }[];
        initializer: { name: string; dims: number[]; dataType: number; rawData: number[] }[];
        node: { opType: string }[];
      };
      expect(graph.input[0].name).toBe('input');
      expect(graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 6 }]);
      const kernel = graph.initializer.find((t) => t.name === 'dense_1/kernel')!;
      expect(kernel.dims).toEqual([6, 9]);
      expect(kernel.dataType).toBe(1);
      const w = model.getWeights()[0].values;
      expect(new Float32Array(Uint8Array.from(kernel.rawData).buffer)).toEqual(w);
      expect(graph.node.map((n) => n.opType)).toEqual(['Gemm', 'Mul', 'Erf', 'Add', 'Mul', 'Mul', 'Gemm']);
    } finally {
      model.dispose();
    }
  });
});

describe('exportOnnx: refusals', () => {
  class Lstm extends Layer {
    readonly type = 'lstm';
    protected computeOutputShape(shape: readonly number[]): readonly number[] {
      return shape;
    }
    forward(): never {
      throw new Error('not run');
    }
    backward(): never {
      throw new Error('not run');
    }
    toConfig() {
      return { type: 'lstm', name: this.name ?? 'lstm' };
    }
  }

  it('a layer type without an ONNX form, by name', async () => {
    const model = sequential([new Lstm(undefined), dense({ units: 2 })], { inputSize: 3, backend: wasm });
    try {
      await expect(exportOnnx(model)).rejects.toThrow(/layer 'lstm_1' is of type 'lstm', which has no ONNX form yet; exportOnnx covers dense, activation, dropout, flatten, conv2d/);
    } finally {
      model.dispose();
    }
  });

  it("'probabilities' for a model without a cross-entropy loss, and unknown options", async () => {
    const model = mlp('relu', undefined, 1);
    try {
      await expect(exportOnnx(model, { outputs: 'probabilities' })).rejects.toThrow(/needs a model compiled with softmaxCrossEntropy or sigmoidCrossEntropy.*not compiled/);
      model.compile({ loss: 'meanSquaredError', optimizer: adam() });
      await expect(exportOnnx(model, { outputs: 'probabilities' })).rejects.toThrow(/compiled with meanSquaredError; use outputs: 'logits'/);
      await expect(exportOnnx(model, { outputs: 'softmax' as 'logits' })).rejects.toThrow(/outputs must be 'logits' or 'probabilities'/);
      await expect(exportOnnx(model, { opset: 9 } as object)).rejects.toThrow(/unknown option 'opset'/);
    } finally {
      model.dispose();
    }
  });
});

describe("exportOnnx: a dense 'softmax' head (Keras's classifier)", () => {
  it('gives the probabilities predict() gives, compiled or not, and its logits when asked', async () => {
    const model = sequential([dense({ units: 8, activation: 'relu' }), dense({ units: 5, activation: 'softmax' })], { inputSize: 6, backend: wasm, seed: 3 });
    try {
      const x = randomArray(ROWS * 6, 12, 2);
      const uncompiled = await runOnnx(await exportOnnx(model), x, [6]);
      expectClose(uncompiled.data, model.predict(x), 1e-5, 0, 'uncompiled softmax head');
      model.compile({ loss: 'categoricalCrossentropy', optimizer: adam({ lr: 0.01 }) });
      const probs = model.predict(x);
      expectClose((await runOnnx(await exportOnnx(model), x, [6])).data, probs, 1e-5, 0, 'compiled softmax head');
      const logits = (await runOnnx(await exportOnnx(model, { outputs: 'logits' }), x, [6])).data;
      // The logits are the softmax's input: they are not probabilities, and their softmax is.
      expect(Math.abs(logits.slice(0, 5).reduce((a, b) => a + b, 0) - 1)).toBeGreaterThan(1e-3);
      for (let i = 0; i < ROWS; i++) {
        const row = logits.subarray(i * 5, i * 5 + 5);
        const m = Math.max(...row);
        const e = Array.from(row, (v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        e.forEach((v, j) => expect(Math.abs(v / s - probs[i * 5 + j]), `row ${i} class ${j}`).toBeLessThan(1e-5));
      }
    } finally {
      model.dispose();
    }
  });
});
