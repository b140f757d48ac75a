/**
 * loadModel on crafted files: every size is checked against the file's length before anything is
 * allocated (wasm memory never shrinks, so an allocation that is refused later is still paid for), a
 * header missing a field or holding the wrong kind of value gets an error naming the field (never an
 * engine TypeError, never the header's contents), and a non-finite saved value is refused by block.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { adam, dense, dropout, loadModel, sequential, type Sequential } from '../../src/index.js';
import { MAX_HEADER_BYTES } from '../../src/model/format.js';
import { backends } from '../support/helpers.js';
import { gaussianBlobs } from '../support/model-data.js';
import { blocksStart, header, withCrc, withHeader, type JsonHeader } from '../support/model-file.js';

const { wasm } = await backends();
// A view's buffer is the wasm memory's: its length is the linear memory's current size.
const probe = wasm.f32(1);
const memoryBytes = (): number => probe.data.buffer.byteLength;
afterAll(() => wasm.free(probe));

const data = gaussianBlobs(40, 3, 4, 2);
const model: Sequential = sequential([dense({ units: 6, activation: 'relu' }), dropout({ rate: 0.1 }), dense({ units: 3 })], { inputSize: 4, backend: wasm, seed: 3 })
  .compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }), metrics: ['accuracy'] });
await model.fit(data.x, data.y, { epochs: 1, batchSize: 8 });
const bytes = model.toBytes();
/** Parameters of the 4-6-3 model: two kernels and two biases. */
const N = 4 * 6 + 6 + 6 * 3 + 3;
const uncompiledBytes = sequential([dense({ units: 2 })], { inputSize: 3, backend: wasm }).toBytes();
model.dispose();

/** loadModel(b) must reject with a loadModel error matching `pattern`, leaving no buffer and no grown memory behind. */
async function refused(b: Uint8Array, pattern: RegExp): Promise<string> {
  const live = wasm.liveBuffers;
  const memory = memoryBytes();
  let message = '';
  await loadModel(b, { backend: wasm }).then(
    (m) => {
      m.dispose();
      expect.fail(`loaded a file that should be refused (${String(pattern)})`);
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(TypeError);
      message = (e as Error).message;
    },
  );
  expect(message).toMatch(/^simdnet loadModel: /);
  expect(message).toMatch(pattern);
  expect(wasm.liveBuffers, 'buffers left behind').toBe(live);
  expect(memoryBytes(), 'wasm memory grew').toBe(memory);
  return message;
}

describe('sizes are checked against the file before anything is allocated', () => {
  test('a small file naming huge layers is refused without allocating them (it used to take ~1.8 GB first)', async () => {
    const huge = withHeader(bytes, (h) => {
      h.model.layers[0].units = 150_000_000;
      h.weights[0].shape = [4, 150_000_000];
    });
    expect(huge.length).toBeLessThan(4096);
    await refused(huge, new RegExp(`its weight list describes \\d+ values, its weights block holds ${N}`));
    // The weight list agreeing with the layers is not enough: the weights block bounds them.
    const listed = withHeader(bytes, (h) => (h.model.layers[0].units = 150_000_000));
    await refused(listed, new RegExp(`it holds ${N} weights for an architecture of ${4 * 150_000_000 + 150_000_000 + 150_000_000 * 3 + 3} parameters`));
    await refused(withHeader(bytes, (h) => (h.model.inputSize = 2 ** 40)), new RegExp(`it holds ${N} weights for an architecture of \\d+ parameters`));
  });

  test('block lengths beyond the file, and a header length over the limit, are refused', async () => {
    await refused(withHeader(bytes, (h) => (h.blocks[0].length = 2 ** 40)), /it has \d+ bytes, its header describes \d+/);
    await refused(withHeader(bytes, (h) => (h.blocks[1].length = 2 ** 53)), /blocks\[1\]\.length is the number 9007199254740992, expected an integer ≥ 0/);
    const long = bytes.slice();
    new DataView(long.buffer).setUint32(12, MAX_HEADER_BYTES + 1, true);
    await refused(withCrc(long), new RegExp(`its header length ${MAX_HEADER_BYTES + 1} is over the limit of ${MAX_HEADER_BYTES} bytes`));
  });

  test('the weight list must have the shapes of the architecture, and the slots the weights\' length', async () => {
    await refused(withHeader(bytes, (h) => (h.weights = [{ name: 'w', shape: [N] }])), /its weight list's shapes are not those of its architecture/);
    // A slot of the wrong length, with the file's lengths all consistent.
    const blocks = bytes.subarray(blocksStart(bytes), bytes.length - 4);
    const shorter = new Uint8Array(blocks.length - 4);
    shorter.set(blocks.subarray(0, blocks.length - 4));
    await refused(withHeader(bytes, (h) => (h.blocks[2].length -= 1), shorter), new RegExp(`the optimizer slot 'v' holds ${N - 1} values for ${N} weights`));
  });
});

describe('the header is checked field by field', () => {
  const SECRET = 'do-not-echo-this-string';

  test('each missing field is named (not a TypeError from destructuring it)', async () => {
    for (const field of ['format', 'version', 'model', 'compile', 'training', 'weights', 'optimizerState', 'blocks']) {
      await refused(withHeader(bytes, (h) => delete h[field]), new RegExp(`its header has no ${field} field`));
    }
    for (const field of ['inputSize', 'seed', 'layers']) {
      await refused(withHeader(bytes, (h) => delete h.model[field]), new RegExp(`its header has no model.${field} field`));
    }
    for (const field of ['loss', 'optimizer', 'metrics']) {
      await refused(withHeader(bytes, (h) => delete h.compile[field]), new RegExp(`its header has no compile.${field} field`));
    }
    for (const field of ['epochs', 'batches', 'dropoutStream']) {
      await refused(withHeader(bytes, (h) => delete h.training[field]), new RegExp(`its header has no training.${field} field`));
    }
    await refused(withHeader(bytes, (h) => delete h.optimizerState.step), /its header has no optimizerState.step field/);
  });

  test('each field of the wrong kind is named, with the kind found but never the value', async () => {
    const cases: Array<[string, (h: JsonHeader) => void, RegExp]> = [
      ['compile', (h) => (h.compile = SECRET), /header's compile is a string, expected an object/],
      ['compile.loss', (h) => (h.compile.loss = { SECRET }), /header's compile.loss is an object, expected a string/],
      ['compile.metrics', (h) => (h.compile.metrics = [SECRET, 7]), /header's compile.metrics\[1\] is the number 7, expected a string \(a metric's name\) or \{ name, k \}/],
      ['compile.optimizer.name', (h) => (h.compile.optimizer.name = [SECRET]), /compile.optimizer.name is an array, expected a string/],
      ['training', (h) => (h.training = [SECRET]), /header's training is an array, expected an object/],
      ['model', (h) => (h.model = SECRET), /header's model is a string, expected an object/],
      ['model.layers', (h) => (h.model.layers = []), /header's model.layers is an array, expected a non-empty array/],
      ['model.layers[1]', (h) => (h.model.layers[1] = SECRET), /header's model.layers\[1\] is a string, expected an object/],
      ['model.layers[0].type', (h) => (h.model.layers[0].type = 5), /model.layers\[0\].type is the number 5, expected a string/],
      ['model.inputShape', (h) => (h.model.inputShape = [2, 3]), /model.inputShape is an array, expected a shape of model.inputSize = 4 values/],
      ['model.seed', (h) => (h.model.seed = 2 ** 32), /model.seed is the number 4294967296, expected an integer < 2\^32/],
      ['weights', (h) => (h.weights = { SECRET }), /header's weights is an object, expected an array/],
      ['optimizerState', (h) => (h.optimizerState = SECRET), /header's optimizerState is a string, expected an object/],
      ['optimizerState.slots', (h) => (h.optimizerState.slots = SECRET), /optimizerState.slots is a string, expected an array/],
      ['blocks', (h) => (h.blocks = null), /header's blocks is null, expected an array/],
      ['blocks[0].name', (h) => (h.blocks[0].name = 0), /blocks\[0\].name is the number 0, expected a string/],
      ['blocks[1].name', (h) => (h.blocks[1].name = 'weights'), /blocks\[1\].name is a string, expected a name no other block has/],
      ['version', (h) => (h.version = '1'), /header's version is a string, expected 1/],
    ];
    for (const [field, edit, pattern] of cases) {
      const message = await refused(withHeader(bytes, edit), pattern);
      expect(message, field).not.toContain(SECRET);
    }
    // The whole header an array (padded with spaces to the same length, so the lengths still agree).
    const arrayHeader = bytes.slice();
    arrayHeader.set(new TextEncoder().encode(JSON.stringify([SECRET]).padEnd(new DataView(bytes.buffer).getUint32(12, true), ' ')), 16);
    expect((await refused(withCrc(arrayHeader), /its header is an array, expected an object/))).not.toContain(SECRET);
  });

  test('a layer config or optimizer config its factory refuses is a corrupt file, its message cut short', async () => {
    const long = SECRET.repeat(1000);
    const layer = await refused(withHeader(bytes, (h) => (h.model.layers[0].activation = long)), /header's model.layers\[0\] is not a layer simdnet can build \(simdnet dense: /);
    expect(layer.length).toBeLessThan(400);
    await refused(withHeader(bytes, (h) => (h.model.layers[2].units = -1)), /model.layers\[2\] is not a layer simdnet can build \(simdnet dense: units must be/);
    await refused(withHeader(bytes, (h) => (h.model.layers[0].type = 'conv9d')), /model.layers\[0\] is not a layer simdnet can build \(simdnet: unknown layer type "conv9d"/);
    await refused(withHeader(bytes, (h) => (h.compile.optimizer.beta1 = 7)), /compile.optimizer is not an optimizer simdnet can build \(simdnet adam: beta1 must be/);
    await refused(withHeader(bytes, (h) => (h.compile.loss = 'hinge')), /the file is corrupt: simdnet compile: /);
    await refused(withHeader(bytes, (h) => (h.model.layers[2].name = h.model.layers[0].name)), /the file is corrupt: simdnet sequential: two layers are named/);
  });

  test('an optimizer state in the file of an uncompiled model, or a block nothing uses, is refused', async () => {
    await refused(withHeader(uncompiledBytes, (h) => (h.optimizerState = { step: 0, slots: [] })), /optimizerState is an object, expected null in the file of an uncompiled model/);
    await refused(withHeader(bytes, (h) => (h.optimizerState.slots = ['m'])), /it has 1 block\(s\) that neither the weights nor the optimizer state use/);
    await refused(withHeader(bytes, (h) => (h.optimizerState.slots = ['m', 'm', 'v'])), /the optimizer slot 'm' is missing/);
  });
});

describe('non-finite saved values', () => {
  const start = blocksStart(bytes);
  const weights = header(bytes).blocks[0].length as number;
  for (const [label, value] of [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
    test(`a ${label} in the weights or in an optimizer slot is refused, naming the block`, async () => {
      const inWeights = bytes.slice();
      new DataView(inWeights.buffer).setFloat32(start + 4 * 5, value, true);
      await refused(withCrc(inWeights), new RegExp(`its block 0 \\('weights'\\) holds a non-finite value \\(${label}\\) at index 5`));
      const inSlot = bytes.slice();
      new DataView(inSlot.buffer).setFloat32(start + 4 * (weights + 2), value, true);
      await refused(withCrc(inSlot), new RegExp(`its block 1 \\('optimizer/m'\\) holds a non-finite value \\(${label}\\) at index 2`));
    });
  }

  test('the unedited file still loads (the checks refuse only what is wrong)', async () => {
    const m = await loadModel(bytes, { backend: wasm });
    expect(m.getFlatWeights().every(Number.isFinite)).toBe(true);
    m.dispose();
  });
});
