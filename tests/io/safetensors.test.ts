/**
 * safetensors: the round trip simdnet → file → simdnet is bit for bit; the file follows the format's
 * specification (8-byte little-endian header length, a JSON header of F32 tensors with shape and
 * data_offsets covering the data exactly, __metadata__ of strings, the data 8-byte aligned) under the
 * state-dict names and layouts of the equivalent nn.Sequential; a file laid out as PyTorch writes it
 * loads; and every kind of malformed file is a DataFormatError naming the file and what is wrong.
 */
import { describe, expect, it } from 'vitest';
import {
  DataFormatError, activation, dense, dropout, exportSafetensors, flatten, importSafetensors, initializers, sequential, type Sequential,
} from '../../src/index.js';
import { backends, expectSameBits, randomArray } from '../support/helpers.js';

const { wasm, js } = await backends();

/** dense(relu) → 0, 1; dropout → 2; dense → 3; activation(tanh) → 4; dense(sigmoid, no bias) → 5, 6. */
function model(seed: number, backend = wasm): Sequential {
  return sequential([
    dense({ units: 5, activation: 'relu', biasInitializer: initializers.randomUniform({ min: -1, max: 1 }) }),
    dropout({ rate: 0.25 }),
    dense({ units: 4, biasInitializer: 'ones' }),
    activation('tanh'),
    dense({ units: 2, activation: 'sigmoid', activationAlpha: 1.5, useBias: false }),
  ], { inputSize: 3, backend, seed });
}

/** The header of a safetensors file, parsed by the specification's rules (independently of simdnet). */
function header(bytes: Uint8Array): { n: number; json: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & { __metadata__?: Record<string, string> } } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

/** A safetensors file built by hand, as another writer (PyTorch's save_file) might lay it out. */
function handWritten(tensors: { name: string; dtype?: string; shape: number[]; values: Float32Array }[], options: { pad?: boolean; extraData?: number; metadata?: Record<string, string> } = {}): Uint8Array {
  const head: Record<string, unknown> = options.metadata === undefined ? {} : { __metadata__: options.metadata };
  let offset = 0;
  for (const t of tensors) {
    head[t.name] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.byteLength] };
    offset += t.values.byteLength;
  }
  let json = JSON.stringify(head);
  if (options.pad) json = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length + offset + (options.extraData ?? 0));
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  let at = 8 + text.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), at);
    at += t.values.byteLength;
  }
  return out;
}

/** [rows, cols] row-major → [cols, rows]. */
function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

describe('exportSafetensors: the file, by the specification', () => {
  it('state-dict names counting the activation and dropout modules, [out, in] weights, contiguous F32 data, aligned', () => {
    const m = model(1);
    try {
      const bytes = exportSafetensors(m);
      const { n, json } = header(bytes);
      expect((8 + n) % 8).toBe(0);
      // The padding is spaces, after the JSON.
      expect(new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd()).toBe(JSON.stringify(json));
      const { __metadata__: metadata, ...tensors } = json;
      expect(Object.keys(tensors)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '5.weight']);
      expect(metadata?.format).toBe('pt');
      expect(Object.values(metadata ?? {}).every((v) => typeof v === 'string')).toBe(true);
      expect(tensors['0.weight']).toEqual({ dtype: 'F32', shape: [5, 3], data_offsets: [0, 60] });
      expect(tensors['0.bias']).toEqual({ dtype: 'F32', shape: [5], data_offsets: [60, 80] });
      expect(tensors['3.weight'].shape).toEqual([4, 5]);
      expect(tensors['5.weight']).toEqual({ dtype: 'F32', shape: [2, 4], data_offsets: [176, 208] });
      expect(bytes.length).toBe(8 + n + 208);
      // 0.weight holds the kernel [3, 5] transposed, little-endian.
      const data = new DataView(bytes.buffer, bytes.byteOffset + 8 + n);
      const stored = Float32Array.from({ length: 15 }, (_, i) => data.getFloat32(i * 4, true));
      expectSameBits(stored, transposed(m.getWeights()[0].values, 3, 5), '0.weight');
    } finally {
      m.dispose();
    }
  });

  it('a dense layer on a multi-axis row follows an nn.Flatten (which takes index 0)', () => {
    const m = sequential([dense({ units: 3 }), flatten(), dense({ units: 2 })], { inputShape: [2, 2], backend: wasm });
    try {
      const { json } = header(exportSafetensors(m));
      expect(Object.keys(json).filter((k) => k !== '__metadata__')).toEqual(['1.weight', '1.bias', '3.weight', '3.bias']);
      expect(json['1.weight'].shape).toEqual([3, 4]);
    } finally {
      m.dispose();
    }
  });
});

describe('importSafetensors: the round trip is bit for bit', () => {
  it('into a model of the same architecture, and into the model the file describes', () => {
    const a = model(2);
    const b = model(3);
    let c: Sequential | null = null;
    try {
      const bytes = exportSafetensors(a);
      expect(importSafetensors(bytes, b)).toBe(b);
      expectSameBits(b.getFlatWeights(), a.getFlatWeights(), 'into a model');
      c = importSafetensors(bytes, { backend: js });
      expect(c.toConfig()).toEqual(a.toConfig());
      expect(c.backend).toBe(js);
      expectSameBits(c.getFlatWeights(), a.getFlatWeights(), 'a rebuilt model');
      const x = randomArray(30, 4, 2);
      expectSameBits(b.predict(x), a.predict(x), 'predictions');
      // The rebuilt model (the same seed and topology) writes the same file again.
      expect(exportSafetensors(c)).toEqual(bytes);
    } finally {
      a.dispose();
      b.dispose();
      c?.dispose();
    }
  });

  it('a file as PyTorch writes it: another tensor order, no metadata, no padding', () => {
    const a = model(4);
    const b = model(5);
    try {
      const w = a.getWeights();
      const file = handWritten([
        { name: '5.weight', shape: [2, 4], values: transposed(w[4].values, 4, 2) },
        { name: '3.bias', shape: [4], values: w[3].values },
        { name: '0.weight', shape: [5, 3], values: transposed(w[0].values, 3, 5) },
        { name: '3.weight', shape: [4, 5], values: transposed(w[2].values, 5, 4) },
        { name: '0.bias', shape: [5], values: w[1].values },
      ]);
      importSafetensors(file, b);
      expectSameBits(b.getFlatWeights(), a.getFlatWeights(), 'PyTorch-ordered file');
      expect(() => importSafetensors(file, { backend: js }, { file: 'torch.safetensors' })).toThrow(/torch.safetensors: its __metadata__ has no 'simdnet.topology'.*pass the model/);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('importSafetensors: a malformed file is a DataFormatError naming the file, and the weights stay', () => {
  const m = model(6);
  const good = exportSafetensors(m);
  const { n } = header(good);
  const w = m.getWeights();
  const tensors = [
    { name: '0.weight', shape: [5, 3], values: transposed(w[0].values, 3, 5) },
    { name: '0.bias', shape: [5], values: w[1].values },
    { name: '3.weight', shape: [4, 5], values: transposed(w[2].values, 5, 4) },
    { name: '3.bias', shape: [4], values: w[3].values },
    { name: '5.weight', shape: [2, 4], values: transposed(w[4].values, 4, 2) },
  ];
  const withHeaderLength = (length: bigint): Uint8Array => {
    const bytes = good.slice();
    new DataView(bytes.buffer).setBigUint64(0, length, true);
    return bytes;
  };
  /** The file with its header edited (and its length field rewritten); the data as it was. */
  const replaceHeader = (edit: (json: Record<string, unknown>) => void): Uint8Array => {
    const json = header(good).json as Record<string, unknown>;
    edit(json);
    const text = new TextEncoder().encode(JSON.stringify(json));
    const data = good.subarray(8 + n);
    const bytes = new Uint8Array(8 + text.length + data.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
    bytes.set(text, 8);
    bytes.set(data, 8 + text.length);
    return bytes;
  };
  const rawHeader = (text: string): Uint8Array => {
    const t = new TextEncoder().encode(text);
    const bytes = new Uint8Array(8 + t.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(t.length), true);
    bytes.set(t, 8);
    return bytes;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['shorter than the header length', good.subarray(0, 5), /truncated: it has 5 bytes, fewer than the 8/],
    ['truncated in the data', good.subarray(0, good.length - 3), /ends at byte 208 of the data, but the file holds only 205.*truncated/],
    ['a header length past the end (absurd)', withHeaderLength(2n ** 40n), /the header claims 1099511627776 bytes, but the file has only \d+/],
    ['a header length of 2^64 - 1', withHeaderLength(2n ** 64n - 1n), /the header claims \d+ bytes/],
    ['a header that is not JSON', rawHeader('{"0.bias": '), /the header is not UTF-8 JSON/],
    ['a header that is not UTF-8', rawHeader('{}').map((b, i) => (i === 8 ? 0xff : b)), /the header is not UTF-8 JSON/],
    ['a header that is a JSON array', rawHeader('[1]'), /the header is not a JSON object/],
    ['an unknown dtype', replaceHeader((j) => { (j['0.bias'] as { dtype: string }).dtype = 'F33'; }), /tensor "0.bias" has an unknown dtype/],
    ['a shape that does not fit its offsets', replaceHeader((j) => { (j['0.bias'] as { shape: number[] }).shape = [6]; }), /tensor "0.bias": its shape \[6\] of F32 needs 24 bytes, but its data_offsets give 20/],
    ['an absurd shape', replaceHeader((j) => { (j['0.bias'] as { shape: number[] }).shape = [2 ** 40, 2 ** 40, 5]; }), /tensor "0.bias": its shape .* needs \d.* bytes, but its data_offsets give 20/],
    ['offsets past the data', replaceHeader((j) => { (j['5.weight'] as { data_offsets: number[] }).data_offsets = [176, 999]; }), /"5.weight" ends at byte 999.*truncated/],
    ['overlapping tensors', replaceHeader((j) => { (j['0.bias'] as { data_offsets: number[] }).data_offsets = [56, 76]; }), /starts at byte 56 of the data, where another tensor lies \(overlap\)/],
    ['bad offsets', replaceHeader((j) => { (j['0.bias'] as { data_offsets: unknown }).data_offsets = [80, 60]; }), /data_offsets must be \[begin, end\]/],
    ['metadata that is not strings', replaceHeader((j) => { (j.__metadata__ as Record<string, unknown>).format = 1; }), /__metadata__ must be an object of strings/],
    ['trailing bytes (a hole at the end)', handWritten(tensors, { extraData: 8 }), /the tensors cover 208 bytes of data, but the file holds 216/],
    ['a weight missing', handWritten(tensors.slice(0, 4)), /it has no tensor '5.weight' \(dense_3\/kernel\)/],
    ['a tensor the model has no place for', handWritten([...tensors, { name: '7.weight', shape: [1], values: new Float32Array(1) }]), /tensors the model has no place for: "7.weight"/],
    ['a weight of the wrong shape', handWritten([tensors[0], tensors[1], { ...tensors[2], shape: [5, 4] }, tensors[3], tensors[4]]), /tensor '3.weight' has shape \[5, 4\], but dense_2\/kernel needs \[4, 5\]/],
    ['a weight stored as I32', handWritten([tensors[0], { ...tensors[1], dtype: 'I32' }, ...tensors.slice(2)]), /tensor '0.bias' is I32; simdnet reads F32/],
    ['a non-finite weight', handWritten([tensors[0], { ...tensors[1], values: Float32Array.of(1, 2, NaN, 4, 5) }, ...tensors.slice(2)]), /tensor '0.bias' holds a non-finite value at index 2/],
  ];
  it.each(cases)('%s', (_what, bytes, message) => {
    const target = model(7);
    try {
      const before = target.getFlatWeights();
      let error: unknown;
      try {
        importSafetensors(bytes, target, { file: 'weights.safetensors' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DataFormatError);
      expect((error as Error).message).toMatch(/^simdnet importSafetensors: weights.safetensors: /);
      expect((error as Error).message).toMatch(message);
      expectSameBits(target.getFlatWeights(), before, 'weights after a refused file');
    } finally {
      target.dispose();
    }
  });

  it('a model the file cannot describe is refused, and not a model or { backend } is a TypeError', () => {
    expect(() => importSafetensors(good, {} as { backend: never })).toThrow(TypeError);
    const broken = replaceHeader((j) => { (j.__metadata__ as Record<string, string>)['simdnet.topology'] = '{"layers": 3}'; });
    expect(() => importSafetensors(broken, { backend: js })).toThrow(/not a model topology/);
  });

  it('a topology claiming more parameters than the file holds is refused before the model is made', () => {
    const absurd = replaceHeader((j) => {
      const meta = j.__metadata__ as Record<string, string>;
      const topology = JSON.parse(meta['simdnet.topology']) as { layers: { units?: number }[] };
      topology.layers[0].units = 2 ** 20;
      topology.layers[2].units = 2 ** 20;
      meta['simdnet.topology'] = JSON.stringify(topology);
    });
    const live = js.liveBuffers;
    expect(() => importSafetensors(absurd, { backend: js }, { file: 'big.safetensors' }))
      .toThrow(/big.safetensors: its 'simdnet.topology' metadata describes a model of \d+ parameters, but the file holds 52 values/);
    expect(js.liveBuffers).toBe(live);
  });
});
