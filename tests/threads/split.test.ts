/**
 * Every kernel at 2, 3 and 4 threads gives the one-thread result bit for bit, on the manifest test's
 * generated calls (tests/support/kernel-cases.ts: edge sizes, every layout and activation, flags,
 * null buffers, unaligned views, guard elements). The threaded backends here split every call that
 * has two tiles of work (minWork 1), so the small edge sizes are cut too; the last test runs the
 * default crossovers on training-sized matmuls.
 */
import { describe, expect, it } from 'vitest';
import { init, MATMUL_LAYOUTS, type ReadyBackend } from '../../src/index.js';
import { KERNEL_NAMES, kernelSpec } from '../../src/backend/manifest.js';
import { planOf } from '../../src/backend/threaded.js';
import { threadedBackend } from '../../src/backend/threads.js';
import { bufferScope, expectSameBits, rng } from '../support/helpers.js';
import { makeCall, run, sizeCases, variants } from '../support/kernel-cases.js';

const one = await init({ threads: 1 });
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
