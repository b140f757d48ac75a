/**
 * Every kernel of the manifest (src/backend/manifest.ts), wasm against its js twin, on generated
 * inputs of the edge sizes (1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 67, 131 and 4099, each dimension in turn
 * and all together), in every layout and activation, with flags off and on, optional buffers given
 * and null, at aligned and unaligned addresses, with the tolerance the manifest states; then every
 * argument check generically: each buffer too short, of the wrong dtype or backend, freed or null;
 * each size and finite scalar bad; each forbidden overlap. A kernel added to the manifest is tested
 * here without a line of this file changing.
 *
 * The math itself (against float64 references, gradients by central differences) is checked by the
 * hand-written tests beside this one.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type MatmulLayout, type ReadyBackend } from '../../src/index.js';
import { KERNEL_NAMES, kernelSpec, shapeDims, type KernelSpec } from '../../src/backend/manifest.js';
import { expectSameBits, kernelTestSetup } from '../support/helpers.js';
import {
  allShapeDims, buffersOf, kernel, makeCall as makeCallIn, run, sizeCases, sizeRoles, variants, type Buf, type Sizes,
} from '../support/kernel-cases.js';

const { wasm, js, f32, i32 } = await kernelTestSetup();

const U = 2 ** -24;
const alloc = { f32, i32 };
const makeCall = (b: ReadyBackend, spec: KernelSpec, sizes: Sizes, v: { layout?: MatmulLayout; act?: string }, on: boolean, seed: number, offset: number) =>
  makeCallIn(alloc, b, spec, sizes, v, on, seed, offset);

function compare(spec: KernelSpec, sizes: Sizes, w: ReturnType<typeof run>, j: ReturnType<typeof run>, label: string): void {
  const tol = spec.tolerance;
  if (tol.kind === 'bits') {
    expect(Object.is(w.ret, j.ret), `${label}: returned ${String(w.ret)}, js ${String(j.ret)}`).toBe(true);
    w.outs.forEach((o, k) => {
      if (o instanceof Float32Array) expectSameBits(o, j.outs[k] as Float32Array, `${label} output ${k}`);
      else expect(Array.from(o), `${label} output ${k}`).toEqual(Array.from(j.outs[k]));
    });
    return;
  }
  const scale = tol.per === undefined ? 1 : sizes[tol.per];
  const bound = (x: number, mag: number) => tol.ulps * U * scale * (Math.abs(x) + mag);
  if (typeof j.ret === 'number') {
    const diff = Math.abs((w.ret as number) - j.ret);
    expect(diff <= bound(j.ret, 1), `${label}: returned ${String(w.ret)}, js ${j.ret}`).toBe(true);
  }
  w.outs.forEach((o, k) => {
    const e = j.outs[k];
    let mag = 1;
    for (let i = 0; i < e.length; i++) mag = Math.max(mag, Math.abs(e[i]));
    for (let i = 0; i < e.length; i++) {
      if (!(Math.abs(o[i] - e[i]) <= bound(e[i], mag))) {
        expect.fail(`${label} output ${k}: element ${i} is ${o[i]} on wasm, ${e[i]} on js (${tol.ulps} ulps × ${scale})`);
      }
    }
  });
}

describe('every manifest kernel: wasm vs js on the edge sizes', () => {
  KERNEL_NAMES.forEach((name, kernelIndex) => {
    const spec = kernelSpec(name);
    it(`${name}: ${spec.tolerance.kind === 'bits' ? 'the same bits' : `within ${spec.tolerance.ulps} ulps${spec.tolerance.per ? ` × ${spec.tolerance.per}` : ''}`}, nothing written past its part`, () => {
      let count = 0;
      sizeCases(spec).forEach((sizes, c) => {
        for (const v of variants(spec)) {
          for (const on of [false, true]) {
            const offset = (c + (on ? 1 : 0)) % 2;
            const seed = 1000 * kernelIndex + c;
            const label = `${name} ${JSON.stringify(sizes)}${v.layout ? ` ${v.layout}` : ''}${v.act ? ` ${v.act}` : ''} ${on ? 'flags on' : 'flags off'} offset=${offset}`;
            const w = run(wasm, name, makeCall(wasm, spec, sizes, v, on, seed, offset), label);
            const j = run(js, name, makeCall(js, spec, sizes, v, on, seed, offset), label);
            compare(spec, sizes, w, j, label);
            count++;
          }
        }
      });
      expect(count).toBeGreaterThanOrEqual(26);
    });
  });
});

/** Distinct small sizes (2, 3, 4, ...) in argument order, so a message shows which size it used. */
function checkSizes(spec: KernelSpec): Sizes {
  const { dims, counts } = sizeRoles(spec);
  return Object.fromEntries([...dims.map((d, i) => [d, i + 2]), ...counts.map((c) => [c, 3])]);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('every manifest kernel: argument checks', () => {
  // In every layout (each stores A and B its own way) and with one activation.
  for (const [name, v] of KERNEL_NAMES.flatMap((n) => variants(kernelSpec(n)).filter((x) => x.act === undefined || x.act === 'tanh').map((x) => [n, x] as const))) {
    const spec = kernelSpec(name);
    const layout = v.layout;
    const call = `${name}${layout ? `(${layout})` : ''}`;
    const sizes = checkSizes(spec);
    const prefix = `simdnet ${escape(call)}: `;
    const expectThrow = (b: ReadyBackend, args: unknown[], what: string, label: string) =>
      expect(() => kernel(b, name)(...args), `${b.name} ${label}`).toThrow(new RegExp(prefix + what));

    it(`${call}: accepts valid arguments, refuses bad sizes and scalars naming them`, () => {
      for (const b of [wasm, js]) {
        for (const on of [false, true]) expect(() => kernel(b, name)(...makeCall(b, spec, sizes, v, on, 1, 0).args), `${b.name} valid`).not.toThrow();
        const { args } = makeCall(b, spec, sizes, v, false, 1, 0);
        spec.args.forEach((a, i) => {
          const bad = (value: unknown) => args.map((x, k) => (k === i ? value : x));
          if (a.kind === 'size') {
            for (const value of [0, -1, 1.5, Number.NaN, 2 ** 53, '3']) {
              expectThrow(b, bad(value), `${a.name} must be a positive integer, got ${escape(String(value))}`, `${a.name} = ${String(value)}`);
            }
          }
          if ((a.kind === 'scalar' && a.finite !== false) || a.kind === 'activationParam') {
            for (const value of [Number.NaN, Infinity, -Infinity]) {
              expectThrow(b, bad(value), `${a.name} must be a finite number, got ${String(value)}`, `${a.name} = ${value}`);
            }
          }
          if (a.kind === 'layout') {
            expect(() => kernel(b, name)(...bad('XX')), `${b.name} layout XX`).toThrow(`simdnet ${name}(XX): layout must be one of NN, TN, NT, got XX`);
          }
          if (a.kind === 'activation') expectThrow(b, bad('nope'), `unknown activation 'nope'; expected one of ${ACTIVATIONS.join(', ')}`, 'activation');
        });
      }
    });

    it(`${call}: refuses each buffer too short, of the wrong dtype or backend, freed, or null, naming it`, () => {
      for (const b of [wasm, js]) {
        const other = b === wasm ? js : wasm;
        const { args, bufs } = makeCall(b, spec, sizes, v, false, 1, 0);
        for (const { arg, used } of bufs) {
          const i = spec.args.indexOf(arg);
          const bad = (value: unknown) => args.map((x, k) => (k === i ? value : x));
          const alloc = (on: ReadyBackend, kind: 'f32' | 'i32', n: number) => (kind === 'f32' ? f32(on, n) : i32(on, n));
          expect(used, `${name} ${arg.name} uses at least 2 elements here`).toBeGreaterThanOrEqual(2);
          const dims = shapeDims(arg.shape, layout);
          const shape = dims.length === 1 ? `${dims[0]} = ${sizes[dims[0]]}` : `[${dims.join(', ')}] = [${dims.map((d) => sizes[d]).join(', ')}]`;
          const how = escape(`(${arg.note ?? ''}${shape})`);
          expectThrow(b, bad(alloc(b, arg.kind, used - 1)), `${arg.name} has ${used - 1} elements, expected at least ${used} ${how}$`, `${arg.name} short`);
          const wrong = arg.kind === 'f32' ? 'i32' : 'f32';
          expectThrow(b, bad(alloc(b, wrong, used)), `${arg.name} must be a ${arg.kind} buffer, got a ${wrong} buffer`, `${arg.name} dtype`);
          expectThrow(b, bad(alloc(other, arg.kind, used)), `${arg.name} belongs to the '${other.name}' backend, not '${b.name}'`, `${arg.name} backend`);
          const freed = arg.kind === 'f32' ? b.f32(used) : b.i32(used);
          b.free(freed);
          expectThrow(b, bad(freed), `${arg.name} was freed`, `${arg.name} freed`);
          if (arg.nullable) expect(() => kernel(b, name)(...bad(null)), `${b.name} ${arg.name} null`).not.toThrow();
          else expectThrow(b, bad(null), `${arg.name} must be a ${arg.kind} buffer, got null`, `${arg.name} null`);
          if (arg.labelsOf !== undefined) {
            for (const label of [-1, sizes[arg.labelsOf]]) {
              const labels = i32(b, used).view(0, used);
              labels.data[used - 1] = label;
              const classes = sizes[arg.labelsOf];
              const what = `${arg.name}[${used - 1}] = ${label} is out of range: labels must be integers in [0, ${classes - 1}] for ${classes} classes`;
              expectThrow(b, bad(labels), escape(what), `${arg.name} label ${label}`);
            }
          }
        }
      }
    });

    it(`${call}: refuses each forbidden overlap, naming both buffers, and allows the exact ones`, () => {
      for (const b of [wasm, js]) {
        for (const [first, second, rule] of spec.overlaps) {
          const { args, bufs } = makeCall(b, spec, sizes, v, false, 1, 0);
          const fa = bufs.find((x) => x.arg.name === first)!;
          const sa = bufs.find((x) => x.arg.name === second)!;
          const alloc = (n: number) => (fa.arg.kind === 'f32' ? f32(b, n) : i32(b, n));
          /** The call with `first` and `second` replaced by views of one buffer, starting at the elements given. */
          const withViews = (shared: Buf, fStart: number, sStart: number) =>
            args.map((x, k) => (k === spec.args.indexOf(fa.arg) ? shared.view(fStart, fa.used) : k === spec.args.indexOf(sa.arg) ? shared.view(sStart, sa.used) : x));
          const shared = alloc(Math.max(fa.used, sa.used) + 1);
          const what = `${first} must not overlap ${second}`;
          expectThrow(b, withViews(shared, 0, 1), what, `${first} partly over ${second}`);
          expectThrow(b, withViews(shared, 1, 0), what, `${second} partly over ${first}`);
          expect(() => kernel(b, name)(...withViews(alloc(fa.used + sa.used), 0, fa.used)), `${b.name} ${first}, ${second}: disjoint views of one buffer`).not.toThrow();
          if (rule === 'never') expectThrow(b, withViews(shared, 0, 0), what, `${first} = ${second}`);
          else expect(() => kernel(b, name)(...withViews(shared, 0, 0)), `${b.name} ${first} = ${second} (in place)`).not.toThrow();
        }
      }
    });
  }
});

describe('the manifest itself', () => {
  it('lists a rule for every pair of same-dtype buffers of which one is written', () => {
    for (const name of KERNEL_NAMES) {
      const spec = kernelSpec(name);
      const bufs = buffersOf(spec);
      const listed = new Set(spec.overlaps.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));
      for (const [i, a] of bufs.entries()) {
        for (const b of bufs.slice(i + 1)) {
          if (a.kind === b.kind && (a.io !== 'in' || b.io !== 'in')) expect(listed.has(`${a.name}|${b.name}`), `${name}: ${a.name} and ${b.name}`).toBe(true);
        }
      }
      for (const [a, b] of spec.overlaps) {
        expect(bufs.some((x) => x.name === a) && bufs.some((x) => x.name === b), `${name}: overlap rule ${a}, ${b} names its buffers`).toBe(true);
      }
    }
  });

  it('names real arguments in every shape, label range, split and tolerance', () => {
    for (const name of KERNEL_NAMES) {
      const spec = kernelSpec(name);
      const sizeNames = new Set(spec.args.filter((a) => a.kind === 'size').map((a) => a.name));
      const argNames = spec.args.map((a) => a.name);
      expect(new Set(argNames).size, `${name}: argument names are distinct`).toBe(argNames.length);
      for (const buf of buffersOf(spec)) {
        for (const d of allShapeDims(buf)) expect(sizeNames.has(d), `${name}: ${buf.name}'s shape names ${d}`).toBe(true);
        if (buf.labelsOf !== undefined) expect(sizeNames.has(buf.labelsOf), `${name}: ${buf.name} labels of ${buf.labelsOf}`).toBe(true);
      }
      const split = spec.split;
      if (split.kind !== 'none') expect(sizeNames.has(split.over), `${name}: split over ${split.over}`).toBe(true);
      if (split.kind === 'rows' || split.kind === 'columns') {
        const of = buffersOf(spec).find((x) => x.name === split.of);
        expect(of && allShapeDims(of).includes(split.over), `${name}: split over ${split.over} of ${split.of}`).toBe(true);
      }
      if (spec.tolerance.kind === 'close' && spec.tolerance.per !== undefined) expect(sizeNames.has(spec.tolerance.per), `${name}: tolerance per ${spec.tolerance.per}`).toBe(true);
      // Its own size cases give every size argument, each a positive integer, and are enough to mean something.
      for (const c of spec.sizeCases ?? []) {
        expect(Object.keys(c).sort(), `${name}: a size case names exactly its sizes`).toEqual([...sizeNames].sort());
        expect(Object.values(c).every((v) => Number.isSafeInteger(v) && v >= 1), `${name}: sizes are positive integers`).toBe(true);
      }
      if (spec.sizeCases !== undefined) expect(spec.sizeCases.length, `${name}: size cases`).toBeGreaterThanOrEqual(13);
      // The adapters pass the activation's id and parameter using the first argument.
      spec.args.forEach((a, i) => {
        if (a.kind === 'activation' || a.kind === 'layout') expect(i, `${name}: ${a.name} is the first argument`).toBe(0);
        if (a.kind === 'activationParam') expect(spec.args[0].kind, `${name}: ${a.name} follows an activation`).toBe('activation');
      });
    }
  });

  it('is what both backends implement, and nothing more', () => {
    for (const b of [wasm, js]) {
      const kernels = Object.keys(b).filter((k) => typeof (b as unknown as Record<string, unknown>)[k] === 'function' && !['f32', 'i32', 'free', 'dispose'].includes(k));
      expect(kernels.sort(), b.name).toEqual([...KERNEL_NAMES].sort());
    }
  });
});
