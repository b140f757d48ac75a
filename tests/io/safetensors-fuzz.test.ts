/**
 * Fuzzing importSafetensors with fast-check: truncations, byte flips and crafted headers (absurd
 * lengths, shapes and offsets) of a valid file. Each must either load (and then every weight is a
 * finite value the file holds) or throw a DataFormatError naming the file: never an engine error
 * (a RangeError about typed-array bounds), a hang or an absurd allocation. Seeded, so a failure
 * repeats; SIMDNET_FUZZ_RUNS sets the number of runs as in tests/fuzz/.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFormatError, dense, exportSafetensors, importSafetensors, sequential } from '../../src/index.js';
import { backends } from '../support/helpers.js';

const RUNS = Number(process.env.SIMDNET_FUZZ_RUNS ?? 150);
const SEED = 20_261_202;
const { js } = await backends();
const model = sequential([dense({ units: 4, activation: 'relu' }), dense({ units: 2 })], { inputSize: 3, backend: js, seed: 1 });
const valid = exportSafetensors(model);
const headerLength = Number(new DataView(valid.buffer).getBigUint64(0, true));

/** Loads `bytes` into the model; a refusal must be a DataFormatError naming the file. */
function tryLoad(bytes: Uint8Array): void {
  try {
    importSafetensors(bytes, model, { file: 'fuzzed.safetensors' });
  } catch (e) {
    if (!(e instanceof DataFormatError) || !e.message.startsWith('simdnet importSafetensors: fuzzed.safetensors: ')) throw e;
    return;
  }
  expect(model.getFlatWeights().every(Number.isFinite)).toBe(true);
}

function withHeader(text: string, data: Uint8Array): Uint8Array {
  const t = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + t.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(t.length), true);
  out.set(t, 8);
  out.set(data, 8 + t.length);
  return out;
}

describe('importSafetensors under fuzzing', () => {
  it('truncations and byte flips of a valid file', () => {
    fc.assert(fc.property(
      fc.nat({ max: valid.length }),
      fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      (cut, flips) => {
        const bytes = valid.slice(0, cut === 0 ? valid.length : cut);
        for (const [at, value] of flips) if (at < bytes.length) bytes[at] = value;
        tryLoad(bytes);
      },
    ), { numRuns: RUNS, seed: SEED });
  });

  it('crafted headers: absurd lengths, shapes and offsets', () => {
    const data = valid.subarray(8 + headerLength);
    const size = fc.oneof(fc.nat({ max: 64 }), fc.constantFrom(2 ** 31, 2 ** 32 + 4, 2 ** 53 - 1, -1, 1.5));
    const entry = fc.record({
      dtype: fc.constantFrom('F32', 'F16', 'I64', 'BOOL', 'X'),
      shape: fc.array(size, { maxLength: 4 }),
      data_offsets: fc.tuple(size, size),
    });
    fc.assert(fc.property(
      fc.dictionary(fc.constantFrom('0.weight', '0.bias', '1.weight', '2.weight', '2.bias', '__metadata__'), entry, { maxKeys: 6 }),
      fc.nat({ max: 2 ** 20 }),
      (header, lengthDelta) => {
        tryLoad(withHeader(JSON.stringify(header), data));
        // The length field may also lie.
        const bytes = withHeader(JSON.stringify(header), data);
        new DataView(bytes.buffer).setUint32(0, new DataView(bytes.buffer).getUint32(0, true) + lengthDelta, true);
        tryLoad(bytes);
      },
    ), { numRuns: RUNS, seed: SEED });
  });
});
