/**
 * Fuzzing every data parser with fast-check: random truncations, byte flips and crafted headers (absurd
 * dims, counts, lengths) of valid inputs. Each must either give a consistent result or throw an Error
 * whose message starts with 'simdnet ' and names the input: never an engine error (a RangeError about
 * typed-array bounds, a DataCloneError), a hang, an absurd allocation or garbage.
 *
 * Seeded, so a failure repeats; SIMDNET_FUZZ_RUNS=100000 runs longer locally (default: a few seconds).
 * Each parser is one entry in PARSERS (valid inputs, a parse call, a check of what it returns), so a new
 * one is added by adding an entry; the model file's decoder and loadModel are entries too (their
 * cases are in model-files.ts), and the wasm memory must stay within a small bound throughout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CIFAR10_RECORD_BYTES, CSV_LABEL_LIMIT, encodeIdx, idxFileBytes, maybeGunzip, parseCifarBatch, parseCsv, parseIdx, parseMnist,
  type Dataset, type IdxArray,
} from '../../src/data/index.js';
import { readDataFile } from '../../src/data/node.js';
import { MODEL_ENTRIES, wasmMemoryBytes } from './model-files.js';


const RUNS = Number(process.env.SIMDNET_FUZZ_RUNS ?? 150);
const SEED = 20_261_201;
const NAME = 'fuzzed-input';

/** One parser under fuzz: how to call it on bytes, valid inputs to mutate, and what a success must satisfy. */
interface ParserEntry {
  readonly name: string;
  readonly valid: readonly Uint8Array[];
  parse(bytes: Uint8Array, name: string): unknown;
  /** Throws (an expect failure) when a result is inconsistent: garbage that passed as data. */
  check(result: unknown, input: Uint8Array): void;
  /** Inputs built to look plausible: headers with absurd sizes. */
  crafted?: fc.Arbitrary<Uint8Array>;
  /** False when the parser has no input name to put in its errors (bytes in memory). @default true */
  namesInput?: boolean;
}

function checkDataset(ds: Dataset, maxClasses: number): void {
  expect(ds.x.length).toBe(ds.n * ds.features);
  expect(ds.y.length).toBe(ds.n);
  expect(ds.classes).toBeLessThanOrEqual(maxClasses);
  expect(ds.x.every((v) => Number.isFinite(v)), 'every x is finite').toBe(true);
  expect(ds.y.every((c) => c >= 0 && c < ds.classes), 'every label is a class').toBe(true);
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Big-endian uint32s after a 4-byte IDX magic with d dimensions. */
function idxHeader(type: number, dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out[2] = type;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return out;
}

const craftedIdx = fc
  .tuple(
    fc.constantFrom(0x08, 0x08, 0x08, 0x0d, 0x00),
    fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff)), { minLength: 0, maxLength: 6 }),
    fc.uint8Array({ maxLength: 300 }),
  )
  .map(([type, dims, body]) => {
    const head = idxHeader(type, dims);
    const out = new Uint8Array(head.length + body.length);
    out.set(head);
    out.set(body, head.length);
    return out;
  });

const smallIdx = (dims: number[]): Uint8Array => encodeIdx(dims, Uint8Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => (i * 37) % 256));
const mnistLabels = encodeIdx([3], Uint8Array.from([1, 7, 9]));
const cifarBatch = Uint8Array.from({ length: 2 * CIFAR10_RECORD_BYTES }, (_, i) => (i % CIFAR10_RECORD_BYTES === 0 ? (i / CIFAR10_RECORD_BYTES) * 3 : (i * 13) % 256));
const csvText = 'a,b,label\n1.5,2,0\n-3,4e2,1\n"5.0",6,2\n7,8,1\n';

const checkIdx = (result: unknown, input: Uint8Array): void => {
  const { dims, data } = result as IdxArray;
  expect(data.length).toBe(dims.reduce((a, b) => a * b, 1));
  expect(data.length).toBeLessThanOrEqual(input.length);
};

const PARSERS: ParserEntry[] = [
  {
    name: 'parseIdx',
    valid: [smallIdx([4, 3, 2]), smallIdx([7]), smallIdx([2, 2, 2, 2])],
    parse: (bytes, name) => parseIdx(bytes, name),
    check: checkIdx,
    crafted: craftedIdx,
  },
  {
    name: 'parseMnist (images)',
    valid: [smallIdx([3, 4, 5])],
    parse: (bytes, name) => parseMnist(bytes, mnistLabels, { images: name }),
    check: (result) => {
      const ds = result as Dataset;
      checkDataset(ds, 10);
      expect(ds.x.every((v) => v >= 0 && v <= 1), 'pixels in [0, 1]').toBe(true);
    },
    crafted: craftedIdx,
  },
  {
    name: 'parseMnist (labels)',
    valid: [mnistLabels],
    parse: (bytes, name) => parseMnist(smallIdx([3, 2, 2]), bytes, { labels: name }),
    check: (result) => checkDataset(result as Dataset, 10),
    crafted: craftedIdx,
  },
  {
    name: 'parseCifarBatch',
    valid: [cifarBatch],
    parse: (bytes, name) => parseCifarBatch(bytes, { name }),
    check: (result, input) => {
      const ds = result as Dataset;
      checkDataset(ds, 10);
      expect(ds.n * CIFAR10_RECORD_BYTES).toBe(input.length);
    },
    crafted: fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: -2, max: 2 }), fc.integer({ min: 0, max: 255 }))
      .map(([records, extra, label]) => {
        const out = new Uint8Array(Math.max(0, records * CIFAR10_RECORD_BYTES + extra));
        for (let r = 0; r < records && r * CIFAR10_RECORD_BYTES < out.length; r++) out[r * CIFAR10_RECORD_BYTES] = label;
        return out;
      }),
  },
  {
    name: 'parseCsv',
    valid: [bytesOf(csvText), bytesOf('1,2,3\n4,5,6\n'), bytesOf('x,y\n1,a\n2,b\n')],
    parse: (bytes, name) => parseCsv(textOf(bytes), { name }),
    check: (result) => checkDataset(result as Dataset, CSV_LABEL_LIMIT),
    crafted: fc.tuple(fc
      .array(
        fc.array(fc.oneof(
          fc.double({ noNaN: false }).map(String), fc.integer().map(String), fc.string({ maxLength: 6 }),
          fc.constantFrom('1e39', '-1e39', '4294967297', '2147483648', '1000000', '999', '"a,b"', '"', '""', '', ' ', 'NaN', 'Infinity', '0x10', '1_0'),
        ), { minLength: 1, maxLength: 5 }).map((cells) => cells.join(',')),
        { minLength: 1, maxLength: 6 },
      ), fc.constantFrom('\n', '\r\n', '\r'))
      .map(([rows, newline]) => bytesOf(rows.join(newline))),
  },
  {
    name: 'maybeGunzip + parseIdx',
    valid: [gzipSync(smallIdx([5, 6])), Buffer.concat([gzipSync(smallIdx([4, 4]).subarray(0, 9)), gzipSync(smallIdx([4, 4]).subarray(9))])],
    parse: async (bytes, name) => parseIdx(await maybeGunzip(bytes, name, { sizeFromHeader: idxFileBytes, maxBytes: 1 << 20 }), name),
    check: checkIdx,
    crafted: craftedIdx.map((b) => gzipSync(b)),
  },
  {
    name: 'readDataFile + parseIdx',
    valid: [gzipSync(smallIdx([5, 6])), smallIdx([3, 3])],
    parse: async (bytes, name) => {
      const path = join(fileDir(), name);
      writeFileSync(path, bytes);
      return parseIdx(await readDataFile(path, { sizeFromHeader: idxFileBytes, maxBytes: 1 << 20 }), path);
    },
    check: () => undefined,
    crafted: craftedIdx.map((b) => gzipSync(b)),
  },
  ...MODEL_ENTRIES,
];

let dir: string | null = null;
function fileDir(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'simdnet-fuzz-'));
  return dir;
}
afterAll(() => {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
});

/** Runs the parser; a throw must be a clear simdnet error naming the input, a success must check out. */
async function outcome(entry: ParserEntry, bytes: Uint8Array): Promise<void> {
  let result: unknown;
  try {
    result = await entry.parse(bytes, NAME);
  } catch (e) {
    expect(e, `${entry.name} threw a non-Error`).toBeInstanceOf(Error);
    const message = (e as Error).message;
    expect(message, `${entry.name}: an error without the library's prefix`).toMatch(/^simdnet /);
    if (entry.namesInput !== false) expect(message, `${entry.name}: an error that does not name the input`).toContain(NAME);
    expect(message.length, `${entry.name}: an error message that dumps its input`).toBeLessThan(600);
    return;
  }
  entry.check(result, bytes);
}

const mutation = (valid: readonly Uint8Array[]) =>
  fc.integer({ min: 0, max: valid.length - 1 }).chain((k) => {
    const base = valid[k];
    const truncate = fc.integer({ min: 0, max: Math.max(0, base.length - 1) }).map((n) => base.slice(0, n));
    const flips = fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }).map((edits) => {
      const out = base.slice();
      for (const [at, xor] of edits) out[at] ^= xor;
      return out;
    });
    const append = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((tail) => Uint8Array.from([...base, ...tail]));
    return fc.oneof(truncate, flips, append);
  });

// wasm memory never shrinks, so an absurd allocation (even one refused later) shows here.
const MEMORY_BOUND = 64 * 2 ** 20;
const memoryAtStart = wasmMemoryBytes();

describe('fuzzing the data parsers', () => {
  for (const entry of PARSERS) {
    it(`${entry.name}: valid inputs parse`, async () => {
      for (const bytes of entry.valid) entry.check(await entry.parse(bytes, NAME), bytes);
    });

    it(`${entry.name}: truncations, byte flips and appended bytes give a result that checks out or a clear error`, async () => {
      await fc.assert(fc.asyncProperty(mutation(entry.valid), (bytes) => outcome(entry, bytes)), { seed: SEED, numRuns: RUNS });
    });

    if (entry.crafted !== undefined) {
      const crafted = entry.crafted;
      it(`${entry.name}: crafted headers with absurd sizes give a clear error, never an allocation or a hang`, async () => {
        await fc.assert(fc.asyncProperty(crafted, (bytes) => outcome(entry, bytes)), { seed: SEED, numRuns: RUNS });
      });
    }
  }

  it(`the wasm memory grew by less than ${MEMORY_BOUND / 2 ** 20} MiB over the whole run`, () => {
    expect(wasmMemoryBytes() - memoryAtStart).toBeLessThan(MEMORY_BOUND);
  });
});
