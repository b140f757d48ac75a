import { describe, expect, it } from 'vitest';
import { backends, expectClose, randomArray } from '../support/helpers.js';
import { MATMUL_LAYOUTS, type F32Buffer, type MatmulLayout, type ReadyBackend } from '../../src/index.js';
import { checked } from '../../src/backend/checked.js';
import { wasmKernels } from '../../src/backend/wasm.js';
import { loadWasm } from '../../bindings/loader.js';
import { WasmAllocator } from '../../bindings/memory.js';

// Sizes around the wasm kernel's tiles (assembly/matmul.ts: MR = 4 rows, NR = 8 columns, k packed 4
// steps at a time and sliced at KC = 512, rows blocked by MC = 128), plus primes that are no multiple
// of anything: 1, 2, 3, tile − 1, tile, tile + 1, 67, 131.
const M_SIZES = [1, 2, 3, 4, 5, 67, 131];
const N_SIZES = [1, 2, 3, 7, 8, 9, 67, 131];
const K_SIZES = [1, 2, 3, 4, 5, 67, 131, 511, 512, 513];

/**
 * Every (m, n) pair, each with a k that cycles through K_SIZES: 56 shapes in which every size of every
 * dimension occurs several times, in different company, without the 560 of a full cross product.
 */
const SHAPES: [number, number, number][] = [];
M_SIZES.forEach((m, mi) => N_SIZES.forEach((n, ni) => SHAPES.push([m, K_SIZES[(mi * N_SIZES.length + ni) % K_SIZES.length], n])));

/** Large shapes: a plain 512³, and one crossing every cache block (MC = 128, KC = 512, NC = 256) with ragged edges. */
const LARGE_SHAPES: [number, number, number][] = [[512, 512, 512], [133, 517, 521]];

/** A's mathematical [m,k] and B's [k,n] values, C's initial values, and the float64 product A·B. */
interface Problem {
  m: number;
  k: number;
  n: number;
  a: Float32Array;
  b: Float32Array;
  c0: Float32Array;
  product: Float64Array;
  /** max|a|·max|b|: the magnitude the tolerance scales with. */
  scale: number;
}

function problem(m: number, k: number, n: number, seed: number): Problem {
  const a = randomArray(m * k, seed, 1.5);
  const b = randomArray(k * n, seed + 1, 0.75);
  const product = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      product[i * n + j] = s;
    }
  }
  let maxA = 0, maxB = 0;
  for (const v of a) maxA = Math.max(maxA, Math.abs(v));
  for (const v of b) maxB = Math.max(maxB, Math.abs(v));
  return { m, k, n, a, b, c0: randomArray(m * n, seed + 2), product, scale: maxA * maxB };
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
  return t;
}

/** The operands as the layout stores them: A as [k,m] for TN, B as [n,k] for NT. */
function stored(p: Problem, layout: MatmulLayout): { a: Float32Array; b: Float32Array } {
  return {
    a: layout === 'TN' ? transpose(p.a, p.m, p.k) : p.a,
    b: layout === 'NT' ? transpose(p.b, p.k, p.n) : p.b,
  };
}

/** Error bound of an f32 sum of K products: a few ulps per term of magnitude max|a|·max|b|. */
function atol(p: Problem): number {
  return 1e-6 * p.k * p.scale * 4;
}

/** Runs one matmul on `be` with fresh buffers (C preset to c0 when accumulating); returns C. */
function run(be: ReadyBackend, layout: MatmulLayout, p: Problem, accumulate: boolean): Float32Array {
  const s = stored(p, layout);
  const a = be.f32(s.a), b = be.f32(s.b), c = be.f32(accumulate ? p.c0 : p.m * p.n);
  try {
    be.matmul(layout, a, b, c, p.m, p.k, p.n, accumulate);
    return c.data.slice();
  } finally {
    be.free(a); be.free(b); be.free(c);
  }
}

function expected(p: Problem, accumulate: boolean): Float64Array {
  return accumulate ? p.product.map((v, i) => v + p.c0[i]) : p.product;
}

function label(layout: MatmulLayout, p: Problem, accumulate: boolean, backend: string): string {
  return `${backend} ${layout} M=${p.m} K=${p.k} N=${p.n}${accumulate ? ' accumulate' : ''}`;
}

const { wasm, js } = await backends();

describe.each([['wasm', wasm], ['js', js]] as const)('matmul on %s', (name, be) => {
  it.each(MATMUL_LAYOUTS)('%s matches a float64 reference on the edge-size matrix, with and without accumulate', (layout) => {
    SHAPES.forEach(([m, k, n], s) => {
      const p = problem(m, k, n, 100 + s);
      for (const accumulate of [false, true]) {
        expectClose(run(be, layout, p, accumulate), expected(p, accumulate), atol(p), 0, label(layout, p, accumulate, name));
      }
    });
    expect(be.liveBuffers).toBe(0);
  });

  it('matches the reference on large shapes that cross every cache block', () => {
    LARGE_SHAPES.forEach(([m, k, n], s) => {
      const p = problem(m, k, n, 900 + s);
      for (const layout of MATMUL_LAYOUTS) {
        expectClose(run(be, layout, p, false), p.product, atol(p), 0, label(layout, p, false, name));
      }
      expectClose(run(be, 'NN', p, true), expected(p, true), atol(p), 0, label('NN', p, true, name));
    });
  });

  it('gives bit-identical results in all three layouts for the same product', () => {
    // Transposition happens while packing (wasm) or in a panel copy (js); the arithmetic is the same.
    for (const [m, k, n] of [[5, 513, 9], [67, 131, 3], [131, 67, 131], [1, 3, 8]]) {
      const p = problem(m, k, n, 7 * m + n);
      for (const accumulate of [false, true]) {
        const nn = run(be, 'NN', p, accumulate);
        expect(run(be, 'TN', p, accumulate), label('TN', p, accumulate, name)).toEqual(nn);
        expect(run(be, 'NT', p, accumulate), label('NT', p, accumulate, name)).toEqual(nn);
      }
    }
  });

  it('accumulate adds to C (twice the product after two calls), and overwrite ignores what C held', () => {
    const p = problem(9, 33, 17, 5);
    const a = be.f32(p.a), b = be.f32(p.b), c = be.f32(p.m * p.n);
    c.data.fill(1e6);
    be.matmul('NN', a, b, c, p.m, p.k, p.n);
    expectClose(c.data, p.product, atol(p), 0, `${name} overwrite`);
    be.matmul('NN', a, b, c, p.m, p.k, p.n, true);
    expectClose(c.data, p.product.map((v) => 2 * v), 2 * atol(p), 0, `${name} accumulate`);
    be.free(a); be.free(b); be.free(c);
  });

  it('works on views at odd element offsets, and writes nothing outside C', () => {
    const [m, k, n] = [7, 13, 11];
    const p = problem(m, k, n, 42);
    for (const layout of MATMUL_LAYOUTS) {
      const s = stored(p, layout);
      // One buffer holds all three operands, each at an odd offset, with guard values around C.
      const aAt = 1, bAt = aAt + m * k + 2, cAt = bAt + k * n + 3, total = cAt + m * n + 5;
      const buf = be.f32(total);
      const d = buf.data;
      d.fill(-7);
      d.set(s.a, aAt);
      d.set(s.b, bAt);
      be.matmul(layout, buf.view(aAt, m * k), buf.view(bAt, k * n), buf.view(cAt, m * n), m, k, n);
      const out = buf.data;
      expectClose(out.subarray(cAt, cAt + m * n), p.product, atol(p), 0, `${name} ${layout} views`);
      for (const at of [0, aAt + m * k, bAt + k * n, cAt - 1, cAt + m * n, total - 1]) expect(out[at], `${name} ${layout} guard at ${at}`).toBe(-7);
      expect(out.subarray(aAt, aAt + m * k)).toEqual(s.a);
      be.free(buf);
    }
  });
});

/**
 * Leaves about 1/16 of the last memory.grow free, without growing memory again: allocates small
 * fillers until one makes the allocator grow memory (it then adds at least as much as it had, so the
 * new free block is big), then takes 1/2, 1/4, 1/8 and 1/16 of that new block. The allocator rounds a
 * request up to its next size class (by up to 1/8) when it searches its free lists, so halving each
 * time always fits in what is left.
 */
function fillMemory(mem: WasmAllocator): F32Buffer[] {
  const fillers: F32Buffer[] = [];
  const start = mem.memoryBytes;
  while (mem.memoryBytes === start) fillers.push(mem.f32(4096));
  const grown = mem.memoryBytes - start;
  for (let part = 2; part <= 16; part *= 2) fillers.push(mem.f32(Math.floor(grown / part / 4)));
  expect(mem.memoryBytes, 'the fillers fit without growing memory again').toBe(start + grown);
  return fillers;
}

describe('wasm matmul scratch', () => {
  it('stays correct when the packing scratch grows memory in the middle of the call', async () => {
    // A fresh module, so the packing scratch has not been allocated yet.
    const exports = await loadWasm();
    const mem = new WasmAllocator(exports);
    const kernels = checked(wasmKernels(exports), 'wasm');
    const [m, k, n] = [40, 600, 1030];
    const p = problem(m, k, n, 77);
    const a = mem.f32(p.a), b = mem.f32(p.b), c = mem.f32(m * n), bt = mem.f32(transpose(p.b, k, n));
    fillMemory(mem);
    const before = mem.memoryBytes;
    const oldView = c.data;
    kernels.matmul('NN', a, b, c, m, k, n);
    // The scratch for a 512×256 block of B (512 KiB) did not fit in what was free: memory grew.
    expect(mem.memoryBytes).toBeGreaterThan(before);
    expect(oldView.length, 'views made before the call are detached').toBe(0);
    expectClose(c.data, p.product, atol(p), 0, `wasm NN M=${m} K=${k} N=${n} after memory.grow`);
    // Warm: another call of the same size allocates nothing more.
    const warm = mem.memoryBytes;
    kernels.matmul('NT', a, bt, c, m, k, n);
    expect(mem.memoryBytes).toBe(warm);
    expectClose(c.data, p.product, atol(p), 0, `wasm NT M=${m} K=${k} N=${n} warm`);
  });
});
