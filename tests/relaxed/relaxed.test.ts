/**
 * The relaxed-SIMD build (init({ simd: 'relaxed' })): Node 20 runs relaxed SIMD only behind
 * --experimental-wasm-relaxed-simd, which this file turns on for its own process before any module is
 * compiled (the V8 flag is read when a module is validated). What it checks:
 * - the build is chosen, on one thread and on two, and trainInWorker follows it;
 * - only the matrix products differ from the plain build, by no more than the manifest's matmul
 *   tolerance; every other kernel gives the plain build's bits on the manifest test's generated calls;
 * - on a host with FMA the products are fused (a case where one rounding and two differ);
 * - on one host it keeps the same bits for any thread count;
 * - a host without relaxed SIMD (a child Node without the flag) gets the plain build with one notice.
 */
import { setFlagsFromString } from 'node:v8';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
setFlagsFromString('--experimental-wasm-relaxed-simd');
import * as simdnet from '../../src/index.js';
import { hasRelaxedSimd } from '../../bindings/relaxed-probe.js';
import { KERNEL_NAMES, kernelSpec } from '../../src/backend/manifest.js';
import { bufferScope, expectSameBits, rng } from '../support/helpers.js';
import { makeCall, run, sizeCases, variants } from '../support/kernel-cases.js';

const plain = await simdnet.init();
const relaxed = await simdnet.init({ simd: 'relaxed', threads: 1 });
const scope = bufferScope();

/** The kernels whose multiply-adds go through assembly/madd.ts. */
const FUSED = new Set(['matmul', 'matmulSkinny', 'matmulPacked']);

/** Whether this CPU has FMA (x86 'fma' flag; on other hosts the test accepts both results). */
const cpuHasFma = ((): boolean | undefined => {
  try {
    return /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return undefined;
  }
})();

describe("init({ simd: 'relaxed' })", () => {
  it('is chosen where the host runs relaxed SIMD, and says so', () => {
    expect(hasRelaxedSimd()).toBe(true);
    expect(relaxed.simd).toBe('relaxed');
    expect(plain.simd).toBe('plain');
    expect(relaxed.threads).toBe(1);
  });

  it("refuses a simd that is not 'plain' or 'relaxed', naming the option", async () => {
    await expect(simdnet.init({ simd: 'fma' as never })).rejects.toThrow(/simd must be 'plain' or 'relaxed', got 'fma'/);
  });

  it('fuses the multiply-add on a host with FMA: a·b + c rounded once', () => {
    // Each C element sums x0·w0 + x1·w1 from 0 over one k slice: x0·w0 = −(1 + 2⁻¹¹) exactly, and
    // x1·w1 = (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴. Rounded to f32 before the add (two roundings) the 2⁻²⁴ is
    // lost and the sum is 0; fused, it is 2⁻²⁴. m = 32 runs the packed micro-kernel, m = 1 the skinny path.
    const q = 1 + 2 ** -12;
    for (const m of [32, 1]) {
      const n = 32;
      const outs = [plain, relaxed].map((b) => {
        const x = b.f32(Array.from({ length: m * 2 }, (_, i) => (i % 2 === 0 ? -(1 + 2 ** -11) : q)));
        const w = b.f32(Array.from({ length: 2 * n }, (_, i) => (i < n ? 1 : q)));
        const c = b.f32(m * n);
        b.matmul('NN', x, w, c, m, 2, n);
        const v = c.data.slice();
        for (const buf of [x, w, c]) b.free(buf);
        return v;
      });
      expect(new Set(outs[0]), `plain, m = ${m}`).toEqual(new Set([0]));
      if (cpuHasFma === true) expect(new Set(outs[1]), `relaxed, m = ${m}`).toEqual(new Set([2 ** -24]));
      else for (const v of outs[1]) expect([0, 2 ** -24]).toContain(v);
    }
  });

  KERNEL_NAMES.forEach((name, kernelIndex) => {
    const spec = kernelSpec(name);
    const fused = FUSED.has(name);
    it(`${name}: ${fused ? "within the matmul tolerance of the plain build" : "the plain build's bits"}`, () => {
      let count = 0;
      try {
        sizeCases(spec).forEach((sizes, c) => {
          for (const v of variants(spec)) {
            for (const on of [false, true]) {
              const offset = (c + (on ? 1 : 0)) % 2;
              const seed = 1000 * kernelIndex + c;
              const label = `${name} ${JSON.stringify(sizes)}${v.layout ? ` ${v.layout}` : ''}${v.act ? ` ${v.act}` : ''} ${on ? 'on' : 'off'}`;
              const want = run(plain, name, makeCall(scope, plain, spec, sizes, v, on, seed, offset), label);
              const got = run(relaxed, name, makeCall(scope, relaxed, spec, sizes, v, on, seed, offset), `${label} relaxed`);
              got.outs.forEach((o, k) => {
                const w = want.outs[k];
                if (!fused || !(o instanceof Float32Array)) {
                  if (o instanceof Float32Array) expectSameBits(o, w as Float32Array, `${label} output ${k}`);
                  else expect(Array.from(o), `${label} output ${k}`).toEqual(Array.from(w));
                  return;
                }
                // The manifest's matmul tolerance: 8 ulps · K · (|x| + max(1, max |x|)).
                const kDim = spec.tolerance.kind === 'close' && spec.tolerance.per ? sizes[spec.tolerance.per] ?? 1 : 1;
                let top = 1;
                for (const x of w) top = Math.max(top, Math.abs(x));
                for (let i = 0; i < o.length; i++) {
                  const bound = 8 * 2 ** -24 * kDim * (Math.abs(w[i]) + top);
                  if (!(Math.abs(o[i] - w[i]) <= bound)) expect.fail(`${label} output ${k}[${i}]: relaxed ${o[i]}, plain ${w[i]} (bound ${bound})`);
                }
              });
              count++;
            }
          }
          scope.freeAll(plain, relaxed);
        });
      } finally {
        scope.freeAll(plain, relaxed);
      }
      expect(count).toBeGreaterThan(0);
    });
  });

  it('gives the same bits on one and on two threads (one host), and in trainInWorker', async () => {
    const r = rng(3);
    const x = Float32Array.from({ length: 512 * 64 }, () => r() * 2 - 1);
    const y = Int32Array.from({ length: 512 }, (_, i) => (i * 7) % 10);
    // `lib` is the sources or dist/ (the worker runs dist/worker.js, so its run uses dist/'s API).
    const train = async (lib: typeof simdnet, backend: simdnet.ReadyBackend, inWorker = false): Promise<Float32Array> => {
      const model = lib.mlp({ inputSize: 64, hidden: [256, 256], outputs: 10, activation: 'relu', seed: 11, backend })
        .compile({ loss: 'softmaxCrossEntropy', optimizer: lib.adam({ lr: 0.001 }) });
      try {
        // Copies: trainInWorker may move the arrays it is given to the worker.
        if (inWorker) await lib.trainInWorker(model, x.slice(), y.slice(), { epochs: 2, batchSize: 128 });
        else await model.fit(x, y, { epochs: 2, batchSize: 128 });
        return model.getFlatWeights().slice();
      } finally {
        model.dispose();
      }
    };
    const two = await simdnet.init({ simd: 'relaxed', threads: 2 });
    const dist = (await import('../../dist/simdnet.js')) as unknown as typeof simdnet;
    const distRelaxed = await dist.init({ simd: 'relaxed', threads: 1 });
    try {
      expect(two.simd).toBe('relaxed');
      expect(two.threads).toBe(2);
      const one = await train(simdnet, relaxed);
      expectSameBits(await train(simdnet, two), one, 'relaxed, 2 threads vs 1');
      expectSameBits(await train(dist, distRelaxed, true), one, 'relaxed, trainInWorker vs the main thread');
      const plainWeights = await train(simdnet, plain);
      if (cpuHasFma === true) expect(plainWeights.some((v, i) => !Object.is(v, one[i])), 'the plain build trains to other bits').toBe(true);
    } finally {
      two.dispose();
    }
  });

  it('a host without relaxed SIMD gets the plain build with one notice', () => {
    // A child Node 20 without the flag: no relaxed SIMD (on Node >= 22 it is on by default, and the
    // child then takes the relaxed build: the test checks whichever the child's probe says).
    const script = `
      import { init } from ${JSON.stringify(new URL('../../build/src/index.js', import.meta.url).href)};
      import { hasRelaxedSimd } from ${JSON.stringify(new URL('../../build/bindings/relaxed-probe.js', import.meta.url).href)};
      const warnings = [];
      console.warn = (m) => warnings.push(String(m));
      const a = await init({ simd: 'relaxed', threads: 1 });
      const b = await init({ simd: 'relaxed', threads: 1 });
      console.log(JSON.stringify({ probe: hasRelaxedSimd(), simd: [a.simd, b.simd], warnings }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { probe: boolean; simd: string[]; warnings: string[] };
    if (out.probe) {
      expect(out.simd).toEqual(['relaxed', 'relaxed']);
      expect(out.warnings).toEqual([]);
    } else {
      expect(out.simd).toEqual(['plain', 'plain']);
      expect(out.warnings).toHaveLength(1);
      expect(out.warnings[0]).toMatch(/using the plain SIMD build: .*--experimental-wasm-relaxed-simd/);
    }
  });
});
