/**
 * The saved-model entries of the fuzz suite (parsers.test.ts): decodeModel and loadModel on the wasm
 * backend, over valid files, their truncations and byte flips (with the CRC-32 recomputed, so the
 * corruption reaches the header and block parsing behind the checksum, and without), and crafted
 * headers: any field (a layer's units, a weight count, a block length, a counter, ...) deleted or
 * replaced by an absurd size or a value of the wrong type. A success must be a model with finite
 * weights; loadModel must never grow the wasm memory past a small bound nor leave a buffer behind.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { adam, decodeModel, dense, dropout, flatten, loadModel, schedules, sequential, sgd, type ModelSnapshot, type Sequential } from '../../src/index.js';
import { backends } from '../support/helpers.js';
import { gaussianBlobs } from '../support/model-data.js';
import { header, withCrc, withHeader, type JsonHeader } from '../support/model-file.js';

const { wasm } = await backends();
const probe = wasm.f32(1);

/** The wasm linear memory's current size (a view's buffer is the memory's). */
export function wasmMemoryBytes(): number {
  return probe.data.buffer.byteLength;
}

/** Per call: more than this much growth means something was allocated from a crafted size. */
const CALL_BOUND = 16 * 2 ** 20;

async function validFiles(): Promise<Uint8Array[]> {
  const data = gaussianBlobs(32, 3, 6, 5);
  const models: Sequential[] = [
    sequential([dense({ units: 5, activation: 'relu' }), dropout({ rate: 0.2 }), dense({ units: 3 })], { inputSize: 6, backend: wasm, seed: 1 })
      .compile({ loss: 'softmaxCrossEntropy', optimizer: adam({ lr: 0.01 }), metrics: ['accuracy'] }),
    sequential([flatten(), dense({ units: 4, activation: 'tanh' }), dense({ units: 3 })], { inputShape: [2, 3], backend: wasm, seed: 2 })
      .compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: schedules.reduceOnPlateau({ initial: 0.1 }), momentum: 0.9 }) }),
    sequential([dense({ units: 2, activation: 'sigmoid' })], { inputSize: 6, backend: wasm, seed: 3 }),
  ];
  const files: Uint8Array[] = [];
  for (const m of models) {
    if (m.compiled !== null) await m.fit(data.x, data.y, { epochs: 1, batchSize: 8 });
    files.push(m.toBytes());
    m.dispose();
  }
  return files;
}

const VALID = await validFiles();

/** Every path in a JSON value (objects and arrays, down to the leaves), the root excluded. */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (v === null || typeof v !== 'object') return [];
  const keys: Array<string | number> = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...prefix, k], ...paths((v as Record<string | number, unknown>)[k], [...prefix, k])]);
}

const ABSURD: readonly unknown[] = [
  null, true, 'x', '', [], {}, [1], { name: 'x' }, -1, 0, 1, 1.5, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53, 1e308, -1e308,
  'Infinity', 'NaN', 150_000_000, [150_000_000, 150_000_000], [0], [2 ** 32],
];

/** A valid file whose header has one field deleted or replaced by an absurd value (CRC redone). */
const craftedHeaders = fc
  .tuple(fc.nat(VALID.length - 1), fc.nat(), fc.oneof(fc.constant(undefined), fc.constantFrom(...ABSURD)), fc.boolean())
  .map(([k, pick, value, second]) => {
    const base = VALID[k];
    const all = paths(header(base));
    const edit = (h: JsonHeader, at: Array<string | number>) => {
      let o = h;
      for (const key of at.slice(0, -1)) {
        o = o[key];
        if (o === null || typeof o !== 'object') return; // the first edit removed this path
      }
      const last = at[at.length - 1];
      if (value === undefined) delete o[last];
      else o[last] = structuredClone(value);
    };
    return withHeader(base, (h) => {
      edit(h, all[pick % all.length]);
      // Now and then a second field as well (a weight count made to agree with a layer size, say).
      if (second) edit(h, all[(pick * 7 + 3) % all.length]);
    });
  });

/** Byte flips with the CRC-32 recomputed, so they reach the parsing behind the checksum. */
const flipsBehindCrc = fc.nat(VALID.length - 1).chain((k) => {
  const base = VALID[k];
  return fc.array(fc.tuple(fc.nat(base.length - 5), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
    const out = base.slice();
    for (const [at, xor] of edits) out[at] ^= xor;
    return withCrc(out);
  });
});

const crafted = fc.oneof(craftedHeaders, flipsBehindCrc);

function checkSnapshot(s: ModelSnapshot): void {
  expect(s.flatWeights.every(Number.isFinite), 'every weight is finite').toBe(true);
  for (const slot of Object.values(s.optimizerState?.slots ?? {})) {
    expect(slot.length).toBe(s.flatWeights.length);
    expect(slot.every(Number.isFinite), 'every optimizer slot value is finite').toBe(true);
  }
}

/** An entry of the fuzz suite (the shape of parsers.test.ts' ParserEntry). */
interface ModelEntry {
  readonly name: string;
  readonly valid: readonly Uint8Array[];
  parse(bytes: Uint8Array): unknown;
  check(result: unknown, input: Uint8Array): void;
  readonly crafted: fc.Arbitrary<Uint8Array>;
  readonly namesInput: false;
}

export const MODEL_ENTRIES: readonly ModelEntry[] = [
  {
    name: 'decodeModel',
    valid: VALID,
    parse: (bytes) => decodeModel(bytes),
    check: (result) => checkSnapshot(result as ModelSnapshot),
    crafted,
    namesInput: false,
  },
  {
    name: 'loadModel (wasm)',
    valid: VALID,
    parse: async (bytes) => {
      const live = wasm.liveBuffers;
      const memory = wasmMemoryBytes();
      try {
        const model = await loadModel(bytes, { backend: wasm });
        const snapshot = model.snapshot();
        model.dispose();
        return snapshot;
      } finally {
        expect(wasmMemoryBytes() - memory, 'wasm memory grown by one loadModel call').toBeLessThan(CALL_BOUND);
        expect(wasm.liveBuffers, 'buffers left behind by loadModel').toBe(live);
      }
    },
    check: (result) => checkSnapshot(result as ModelSnapshot),
    crafted,
    namesInput: false,
  },
];
