/**
 * Layers carry shapes: the input shape goes through every layer (computeOutputShape), flatten() makes
 * a shaped row one axis without moving data, dense takes a shaped row as flat, an impossible shape is
 * refused when the model is built (naming the layer), and the shape survives save and load.
 */
import { describe, expect, test } from 'vitest';
import {
  Layer, activation, dense, dropout, flatten, loadModel, sequential, shapeSize, type F32Buffer, type LayerConfigBase, type RunContext, type Shape,
} from '../../src/index.js';
import { backends } from '../support/helpers.js';
import { bits, gaussianBlobs } from '../support/model-data.js';

const { wasm, js } = await backends();
const data = gaussianBlobs(36, 3, 12, 2);

/** A layer that takes only [height, width, channels] rows and halves height and width (as a 2×2 pooling would). */
class HalvesImages extends Layer {
  readonly type = 'halvesImages';
  constructor() {
    super(undefined);
  }
  protected computeOutputShape(s: Shape): Shape {
    if (s.length !== 3 || s[0] % 2 !== 0 || s[1] % 2 !== 0) this.refuseShape(s, '[height, width, channels] with even height and width');
    return [s[0] / 2, s[1] / 2, s[2]];
  }
  forward(_c: RunContext, x: F32Buffer): F32Buffer {
    return x;
  }
  backward(): F32Buffer | null {
    return null;
  }
  toConfig(): LayerConfigBase {
    return { type: this.type, name: this.name ?? this.type };
  }
}

/** A layer whose computeOutputShape is broken: the model must refuse what it returns. */
class BadShape extends HalvesImages {
  protected override computeOutputShape(): Shape {
    return [0];
  }
}

describe('shapes through the layers', () => {
  test('inputShape goes through every layer; flatten makes it one axis; the summary shows each output shape', () => {
    const m = sequential([
      activation('relu'), dropout({ rate: 0.1 }), flatten(), dense({ units: 5, activation: 'tanh' }), dense({ units: 3 }),
    ], { inputShape: [2, 3, 2], backend: js, seed: 1 });
    try {
      expect(m.inputShape).toEqual([2, 3, 2]);
      expect(m.layers.map((l) => l.outputShape)).toEqual([[2, 3, 2], [2, 3, 2], [12], [5], [3]]);
      expect(m.layers.map((l) => l.inputSize)).toEqual([12, 12, 12, 12, 5]);
      expect(m.outputShape).toEqual([3]);
      expect(m.summary()).toMatch(/ activation_1 \(Activation\)\s+\[null,2,3,2\]\s+0\n/);
      expect(m.summary()).toMatch(/ flatten_1 \(Flatten\)\s+\[null,12\]\s+0\n/);
      expect(shapeSize([2, 3, 2])).toBe(12);
    } finally {
      m.dispose();
    }
  });

  test.each([['wasm', wasm], ['js', js]] as const)('%s: flatten() moves no data: with or without it, training gives the same bits; dense on a shaped row is dense on the flat row', async (_name, backend) => {
    const make = (withFlatten: boolean, shape: number[]) => sequential([
      ...(withFlatten ? [flatten()] : []), dense({ units: 6, activation: 'relu' }), dropout({ rate: 0.2 }), dense({ units: 3 }),
    ], { inputShape: shape, backend, seed: 7 }).compile({ loss: 'softmaxCrossEntropy', optimizer: 'adam' });
    const models = [make(true, [2, 2, 3]), make(false, [2, 2, 3]), make(false, [12])];
    try {
      for (const m of models) await m.fit(data.x, data.y, { epochs: 2, batchSize: 8 });
      const [a, b, c] = models.map((m) => bits(m.getFlatWeights()));
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      const g = models.map((m) => bits(m.computeGradients(data.x, data.y, { inputGradients: true }).inputGradients!));
      expect(g[1]).toEqual(g[0]);
      expect(g[2]).toEqual(g[0]);
    } finally {
      for (const m of models) m.dispose();
    }
  });

  test('a layer that needs a shaped row gets it, and an impossible shape is refused at build, naming the layer', () => {
    const ok = sequential([new HalvesImages(), flatten(), dense({ units: 2 })], { inputShape: [4, 6, 2], backend: js });
    expect(ok.layers[0].outputShape).toEqual([2, 3, 2]);
    expect(ok.layers[2].inputSize).toBe(12);
    ok.dispose();
    const layers = [dense({ units: 3 }), new HalvesImages(), dense({ units: 2 })];
    expect(() => sequential(layers, { inputSize: 8, backend: js }))
      .toThrow("simdnet sequential: layer 'halvesImages_1' (halvesImages) cannot take input shape [3]: expected [height, width, channels] with even height and width");
    // Refused before any layer was built: the layers can go into another model.
    expect(layers.map((l) => l.isBuilt)).toEqual([false, false, false]);
    expect(() => sequential([new HalvesImages(), dense({ units: 1 })], { inputShape: [3, 4, 1], backend: js })).toThrow(/cannot take input shape \[3, 4, 1\]/);
    expect(() => sequential([new BadShape(), dense({ units: 1 })], { inputShape: [2, 2, 1], backend: js }))
      .toThrow(/layer 'halvesImages_1' \(halvesImages\) cannot take input shape \[2, 2, 1\]: expected a layer that gives an output shape of integers ≥ 1, but it gave \[0\]/);
  });

  test('inputShape must have at least one dimension, each an integer ≥ 1', () => {
    expect(() => sequential([dense({ units: 1 })], { inputShape: [], backend: js })).toThrow(/inputShape must be a non-empty array of numbers, got \[\]/);
    expect(() => sequential([dense({ units: 1 })], { inputShape: [2, 0], backend: js })).toThrow(/inputShape/);
    expect(() => flatten({ name: '' })).toThrow(/flatten: name must be a non-empty string/);
    expect(() => flatten({ units: 3 } as never)).toThrow(/flatten: unknown option 'units'/);
  });

  test('the input shape and flatten layers survive save and load; predictions are the same bits', async () => {
    const m = sequential([flatten({ name: 'flat' }), dense({ units: 4, activation: 'sigmoid' }), dense({ units: 3 })], { inputShape: [3, 4], backend: wasm, seed: 5 })
      .compile({ loss: 'softmaxCrossEntropy' });
    await m.fit(data.x, data.y, { epochs: 1, batchSize: 12 });
    const copy = await loadModel(m.toBytes(), { backend: wasm });
    try {
      expect(copy.inputShape).toEqual([3, 4]);
      expect(copy.layers.map((l) => [l.name, l.type, l.outputShape])).toEqual([['flat', 'flatten', [12]], ['dense_1', 'dense', [4]], ['dense_2', 'dense', [3]]]);
      expect(copy.toConfig()).toEqual(m.toConfig());
      expect(bits(copy.predict(data.x))).toEqual(bits(m.predict(data.x)));
    } finally {
      m.dispose();
      copy.dispose();
    }
  });
});
