/**
 * Every kernel at 2, 3 and 4 threads gives the one-thread result bit for bit, on the manifest test's
 * generated calls (tests/support/kernel-cases.ts: edge sizes, every layout and activation, flags,
 * null buffers, unaligned views, guard elements). The threaded backends here split every call that
 * has two tiles of work (minWork 1), so the small edge sizes are cut too; then matmulPacked's column
 * split on the shapes that cross its paths (panelRow below 4 rows, the micro-kernel from 4, the edge
 * panel, two NC blocks, two k slices); the default crossovers on training-sized matmuls; and a small
 * call (below MIN_WORK) that splits only when the helpers are awake.
 */
import { describe, expect, it, vi } from 'vitest';
import { init, MATMUL_LAYOUTS, type ReadyBackend } from '../../src/index.js';
import { KERNEL_NAMES, kernelSpec } from '../../src/backend/manifest.js';
import { MIN_WORK, planOf, SKIPPING_WORK_FACTOR, SMALL_WORK } from '../../src/backend/threaded.js';
import type { ThreadPool } from '../../bindings/threads/pool.js';
import { poolFunctions, threadedBackend } from '../../src/backend/threads.js';
import { bufferScope, expectSameBits, rng } from '../support/helpers.js';
import { makeCall, run, sizeCases, variants } from '../support/kernel-cases.js';

const one = await init({ threads: 1 });

/** C (from c0) (+)= A·packB(w) by matmulPacked on backend b, in buffers made and freed here; returns C. */
function packedProduct(b: ReadyBackend, a: Float32Array, w: Float32Array, c0: Float32Array, m: number, k: number, n: number, accumulate: boolean, finiteB = false): Float32Array {
  const [ab, wb, bp, cb] = [b.f32(a), b.f32(w), b.f32(k * n), b.f32(c0)];
  b.packB(wb, bp, k, n);
  b.matmulPacked(ab, bp, cb, m, k, n, accumulate, finiteB);
  const out = cb.data.slice();
  for (const x of [ab, wb, bp, cb]) b.free(x);
  return out;
}
const many = new Map<number, ReadyBackend>();
for (const t of [2, 3, 4]) many.set(t, await threadedBackend(t, { minWork: 1 }));
const scope = bufferScope();

describe('threads: every kernel gives the one-thread bits at 2, 3 and 4 threads', () => {
  it('the backends use the threads asked for', () => {
    expect(one.threads).toBe(1);
    for (const [t, b] of many) expect(b.threads).toBe(t);
  });

  KERNEL_NAMES.forEach((name, kernelIndex) => {
    const spec = kernelSpec(name);
    const split = planOf(spec) !== null;
    it(`${name}: ${split ? 'split' : 'one thread (' + spec.split.kind + ')'}, the same bits and return value`, () => {
      let count = 0;
      try {
        sizeCases(spec).forEach((sizes, c) => {
          for (const v of variants(spec)) {
            for (const on of [false, true]) {
              const offset = (c + (on ? 1 : 0)) % 2;
              const seed = 1000 * kernelIndex + c;
              const label = `${name} ${JSON.stringify(sizes)}${v.layout ? ` ${v.layout}` : ''}${v.act ? ` ${v.act}` : ''} ${on ? 'flags on' : 'flags off'} offset=${offset}`;
              const want = run(one, name, makeCall(scope, one, spec, sizes, v, on, seed, offset), label);
              for (const [t, b] of many) {
                const got = run(b, name, makeCall(scope, b, spec, sizes, v, on, seed, offset), `${label} threads=${t}`);
                expect(Object.is(got.ret, want.ret), `${label} threads=${t}: returned ${String(got.ret)}, one thread ${String(want.ret)}`).toBe(true);
                got.outs.forEach((o, k) => {
                  if (o instanceof Float32Array) expectSameBits(o, want.outs[k] as Float32Array, `${label} threads=${t} output ${k}`);
                  else expect(Array.from(o), `${label} threads=${t} output ${k}`).toEqual(Array.from(want.outs[k]));
                });
              }
              count++;
            }
          }
          scope.freeAll(one, ...many.values());
        });
      } finally {
        scope.freeAll(one, ...many.values());
      }
      expect(count).toBeGreaterThanOrEqual(26);
    });
  });

  it('matmulPacked by columns: the one-thread bits for m = 1…5 across the edge panel, NC blocks and k slices, zero inputs skipped or not', () => {
    const r = rng(11);
    // n: one panel and its edge, a multiple of 8, beyond one NC block (256) with and without an edge;
    // k: one slice, two slices (> 512).
    for (const [k, n] of [[784, 128], [100, 10], [33, 257], [600, 300], [1031, 520], [17, 9], [513, 264]]) {
      for (const m of [1, 2, 3, 4, 5]) {
        // Odd m: four inputs in five zero (an MNIST digit's share), which finiteB lets the row kernel skip.
        const a = Float32Array.from({ length: m * k }, (_, i) => (m % 2 === 1 && i % 5 !== 0 ? 0 : r() * 2 - 1));
        const w = Float32Array.from({ length: k * n }, () => r() * 2 - 1);
        const c0 = Float32Array.from({ length: m * n }, () => r() * 2 - 1);
        for (const accumulate of [false, true]) {
          const want = packedProduct(one, a, w, c0, m, k, n, accumulate);
          for (const [t, b] of many) {
            for (const finiteB of [false, true]) {
              expectSameBits(packedProduct(b, a, w, c0, m, k, n, accumulate, finiteB), want, `matmulPacked m=${m} k=${k} n=${n} accumulate=${accumulate} finiteB=${finiteB} threads=${t}`);
            }
          }
        }
      }
    }
  });

  it('a small product (below MIN_WORK) splits when the helpers are awake, not when they are parked; the same bits', async () => {
    let pool: ThreadPool | undefined;
    const two = await threadedBackend(2, { onPool: (p) => (pool = p) });
    const [m, k, n] = [1, 784, 128];
    expect(m * k * n).toBeGreaterThanOrEqual(2 * SMALL_WORK.matmul);
    expect(m * k * n).toBeLessThan(MIN_WORK.matmul);
    const r = rng(12);
    const a = Float32Array.from({ length: m * k }, () => r() * 2 - 1);
    const bp = Float32Array.from({ length: k * n }, () => r() * 2 - 1);
    const product = (b: ReadyBackend) => {
      const [ab, bb, cb] = [b.f32(a), b.f32(bp), b.f32(m * n)];
      b.matmulPacked(ab, bb, cb, m, k, n);
      const out = cb.data.slice();
      for (const x of [ab, bb, cb]) b.free(x);
      return out;
    };
    const want = product(one);
    try {
      const p = pool!;
      // Parked: the helper's spin after its start has long run out. The call runs here and nudges it.
      await vi.waitFor(() => expect(p.awake(0)).toBe(false), { timeout: 5000 });
      const [runs, nudges] = [p.runs, p.nudges];
      expectSameBits(product(two), want, 'parked');
      expect(p.runs, 'a call that finds the helper parked runs on one thread').toBe(runs);
      expect(p.nudges).toBe(nudges + 1);
      // A burst: once the nudged helper spins, the calls split. Counted, not timed (a loaded machine
      // may take a while to schedule the helper).
      const deadline = performance.now() + 5000;
      let calls = 0;
      while (p.runs === runs && performance.now() < deadline) {
        expectSameBits(product(two), want, `burst call ${++calls}`);
      }
      expect(p.runs, 'a burst of small calls splits once the helper is awake').toBeGreaterThan(runs);
      for (let i = 0; i < 20; i++) expectSameBits(product(two), want, `split call ${i}`);
      // Parked again: no split, and the nudge was no job (the helper finished only real runs).
      await vi.waitFor(() => expect(p.awake(0)).toBe(false), { timeout: 5000 });
      const before = p.runs;
      expectSameBits(product(two), want, 'parked again');
      expect(p.runs).toBe(before);
    } finally {
      two.dispose();
    }
  });

  it('finiteB: a one-row product that may skip zero inputs needs SKIPPING_WORK_FACTOR times the small work to split', async () => {
    let pool: ThreadPool | undefined;
    const two = await threadedBackend(2, { onPool: (p) => (pool = p) });
    const r = rng(13);
    const operands = (k: number, n: number) => ({
      a: Float32Array.from({ length: k }, (_, i) => (i % 5 === 0 ? r() : 0)),
      w: Float32Array.from({ length: k * n }, () => r() * 2 - 1),
    });
    const product = (b: ReadyBackend, { a, w }: { a: Float32Array; w: Float32Array }, k: number, n: number, finiteB: boolean) =>
      packedProduct(b, a, w, new Float32Array(n), 1, k, n, false, finiteB);
    const narrow = operands(784, 128), wide = operands(784, 512);
    expect(784 * 128).toBeGreaterThanOrEqual(2 * SMALL_WORK.matmul);
    expect(784 * 128).toBeLessThan(2 * SMALL_WORK.matmul * SKIPPING_WORK_FACTOR);
    expect(784 * 512).toBeGreaterThanOrEqual(2 * SMALL_WORK.matmul * SKIPPING_WORK_FACTOR);
    const wantNarrow = product(one, narrow, 784, 128, false), wantWide = product(one, wide, 784, 512, false);
    try {
      const p = pool!;
      // Counted, not timed: each time a plain call splits (so the helper was awake just now), the same
      // product with finiteB right after it must not.
      let pairs = 0;
      const deadline = performance.now() + 10000;
      while (pairs < 5 && performance.now() < deadline) {
        const runs = p.runs;
        expectSameBits(product(two, narrow, 784, 128, false), wantNarrow, 'finiteB false');
        if (p.runs === runs) continue;
        const split = p.runs;
        expectSameBits(product(two, narrow, 784, 128, true), wantNarrow, 'finiteB true');
        expect(p.runs, '1·784·128 with finiteB runs on one thread').toBe(split);
        pairs++;
      }
      expect(pairs).toBe(5);
      // The wider product with finiteB still splits on awake helpers.
      const runs = p.runs;
      while (p.runs === runs && performance.now() < deadline + 10000) expectSameBits(product(two, wide, 784, 512, true), wantWide, '1·784·512 finiteB');
      expect(p.runs).toBeGreaterThan(runs);
    } finally {
      two.dispose();
    }
  });

  it('two threads streaming one C row each at once (matmulSkinnyRows, k over three slices) use scratch rows of their own', async () => {
    // The row stream adds each slice's total to C through a scratch row; a split gives whole 4-row
    // tiles to all but the last part, so today only one part streams. Run as two one-row parts at
    // once, to show that a helper's scratch row is its own (assembly/matmul-skinny.ts, setStreamScratch).
    let pool: ThreadPool | undefined;
    const two = await threadedBackend(2, { onPool: (p) => (pool = p) });
    const [m, k, n] = [2, 1031, 1024];
    const r = rng(14);
    const a = Float32Array.from({ length: m * k }, () => r() * 2 - 1);
    const bv = Float32Array.from({ length: k * n }, () => r() * 2 - 1);
    const cb = one.f32(m * n);
    one.matmulSkinny('NN', one.f32(a), one.f32(bv), cb, m, k, n);
    const want = cb.data.slice();
    try {
      const p = pool!;
      const fn = poolFunctions().indexOf('matmulSkinnyRows');
      const [ab, bb, c] = [two.f32(a), two.f32(bv), two.f32(m * n)];
      // Without per-thread scratch rows, 6 of 200 such runs came out wrong here.
      for (let t = 0; t < 200; t++) {
        c.data.fill(NaN);
        // (layout NN = 0, a, b, c, m, k, n, accumulate, finiteB, start, count)
        p.run(fn, [[0, ab.ptr, bb.ptr, c.ptr, m, k, n, 0, 0, 0, 1], [0, ab.ptr, bb.ptr, c.ptr, m, k, n, 0, 0, 1, 1]]);
        expectSameBits(c.data.slice(), want, `run ${t}`);
      }
      for (const x of [ab, bb, c]) two.free(x);
    } finally {
      two.dispose();
    }
  });

  it('steal: a part its parked helper has not started runs on the calling thread, once, with the same results', async () => {
    let pool: ThreadPool | undefined;
    const two = await threadedBackend(2, { onPool: (p) => (pool = p) });
    try {
      const p = pool!;
      const scale = poolFunctions().indexOf('scale');
      const x = two.f32(Float32Array.from({ length: 64 }, (_, i) => i + 1));
      for (let t = 0; t < 20 && p.stolen === 0; t++) {
        await vi.waitFor(() => expect(p.awake(0)).toBe(false), { timeout: 5000 });
        // Part 0 is 32 elements: done long before a parked helper wakes, so its part is taken back.
        p.run(scale, [[x.ptr, 32, 2], [x.ptr + 128, 32, 2]], true);
      }
      expect(p.stolen).toBeGreaterThan(0);
      // Every call doubled all 64 elements exactly once, whoever ran the second half.
      const calls = Math.log2(x.data[0]);
      expect(Number.isInteger(calls) && calls >= 1).toBe(true);
      expect(Array.from(x.data)).toEqual(Array.from({ length: 64 }, (_, i) => (i + 1) * 2 ** calls));
      // The helper skipped the part it found taken, and still runs the next job.
      p.run(scale, [[x.ptr, 32, 0.5], [x.ptr + 128, 32, 0.5]]);
      expect(Array.from(x.data)).toEqual(Array.from({ length: 64 }, (_, i) => (i + 1) * 2 ** (calls - 1)));
      two.free(x);
    } finally {
      two.dispose();
    }
  });

  it('matmul at training sizes with the default crossovers: the same bits in every layout, with and without accumulate', async () => {
    const two = await init({ threads: 2 });
    const r = rng(5);
    try {
      expect(two.threads).toBe(2);
      for (const layout of MATMUL_LAYOUTS) {
        for (const [m, k, n] of [[128, 784, 512], [64, 128, 784], [784, 64, 128], [13, 300, 200], [1, 512, 512]]) {
          for (const accumulate of [false, true]) {
            const a = Float32Array.from({ length: m * k }, () => r() * 2 - 1);
            const bv = Float32Array.from({ length: k * n }, () => r() * 2 - 1);
            const c0 = Float32Array.from({ length: m * n }, () => r() * 2 - 1);
            const outs = [one, two].map((b) => {
              const [ab, bb, cb] = [b.f32(a), b.f32(bv), b.f32(c0)];
              b.matmul(layout, ab, bb, cb, m, k, n, accumulate);
              const out = cb.data.slice();
              for (const x of [ab, bb, cb]) b.free(x);
              return out;
            });
            expectSameBits(outs[1], outs[0], `${layout} ${m}×${k}×${n} accumulate=${accumulate}`);
          }
        }
      }
    } finally {
      two.dispose();
    }
    expect(two.threads).toBe(1);
  });
});
