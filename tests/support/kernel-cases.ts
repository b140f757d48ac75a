/**
 * The generated kernel calls of the manifest test (tests/kernels/manifest.test.ts), shared with the
 * threads test (tests/threads/split.test.ts), which runs the same calls at every thread count:
 * the edge sizes of each dimension, every layout and activation, flags off and on, aligned and
 * unaligned addresses, guard elements after each buffer's part.
 */
import { expect } from 'vitest';
import { ACTIVATIONS, MATMUL_LAYOUTS, type F32Buffer, type I32Buffer, type MatmulLayout, type ReadyBackend } from '../../src/index.js';
import { shapeDims, type BufferArg, type KernelSpec } from '../../src/backend/manifest.js';
import { rng } from './helpers.js';

/** How a test allocates (bufferScope's f32 and i32, so buffers are freed after each test). */
export interface Alloc {
  f32(b: ReadyBackend, length: number): F32Buffer;
  i32(b: ReadyBackend, length: number): I32Buffer;
}

export const EDGE = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 67, 131, 4099];
/** Elements after the part a call uses, set to a sentinel that no kernel may touch. */
export const GUARD = 2;
export const SENTINEL = 12345;

export type Buf = F32Buffer | I32Buffer;
export type Sizes = Record<string, number>;
export type AnyKernel = (...args: unknown[]) => unknown;

export const kernel = (b: ReadyBackend, name: string): AnyKernel => (b as unknown as Record<string, AnyKernel>)[name].bind(b);

export const buffersOf = (spec: KernelSpec): BufferArg[] => spec.args.filter((a): a is BufferArg => a.kind === 'f32' || a.kind === 'i32');
export const allShapeDims = (arg: BufferArg): string[] => [...new Set(MATMUL_LAYOUTS.flatMap((l) => shapeDims(arg.shape, l)))];

/** The size arguments that are dimensions (named in a shape), and the other counts. */
export function sizeRoles(spec: KernelSpec): { dims: string[]; counts: string[] } {
  const inShapes = new Set(buffersOf(spec).flatMap(allShapeDims));
  const sizes = spec.args.filter((a) => a.kind === 'size').map((a) => a.name);
  return { dims: sizes.filter((s) => inShapes.has(s)), counts: sizes.filter((s) => !inShapes.has(s)) };
}

/** The edge sizes for every dimension in turn (the others 3), and for all of them together. */
export function sizeCases(spec: KernelSpec): Sizes[] {
  // The manifest's own cases where it lists them (image kernels, whose sizes must agree).
  if (spec.sizeCases !== undefined) return spec.sizeCases.map((s) => ({ ...s }));
  const { dims, counts } = sizeRoles(spec);
  const out = new Map<string, Sizes>();
  const add = (s: Sizes) => {
    for (const c of counts) s[c] = 3;
    out.set(JSON.stringify(s), s);
  };
  for (const e of EDGE) {
    if (dims.length === 1 || e <= 131) add(Object.fromEntries(dims.map((d) => [d, e])));
    if (dims.length > 1) for (const d of dims) add(Object.fromEntries(dims.map((x) => [x, x === d ? e : 3])));
  }
  return [...out.values()];
}

/** Layout and activation choices: every layout, every activation. */
export function variants(spec: KernelSpec): { layout?: MatmulLayout; act?: string }[] {
  const hasLayout = spec.args.some((a) => a.kind === 'layout');
  const hasAct = spec.args.some((a) => a.kind === 'activation');
  const layouts = hasLayout ? [...MATMUL_LAYOUTS] : [undefined];
  const acts = hasAct ? [...ACTIVATIONS] : [undefined];
  return layouts.flatMap((layout) => acts.map((act) => ({ layout, act })));
}

export function needed(arg: BufferArg, sizes: Sizes, layout: MatmulLayout | undefined): number {
  return shapeDims(arg.shape, layout).reduce((p, d) => p * sizes[d], 1);
}

export interface Call {
  args: unknown[];
  /** Every buffer argument given, with the elements the call uses. */
  bufs: { arg: BufferArg; buf: Buf; used: number }[];
}

/**
 * The arguments of one call on backend b: generated from `seed` so both backends get the same values.
 * `on`: flags true, the activation parameter given, nullable buffers null; otherwise the opposite.
 */
export function makeCall(alloc: Alloc, b: ReadyBackend, spec: KernelSpec, sizes: Sizes, v: { layout?: MatmulLayout; act?: string }, on: boolean, seed: number, offset: number): Call {
  const r = rng(seed);
  const bufs: Call['bufs'] = [];
  const args = spec.args.map((a) => {
    switch (a.kind) {
      case 'layout': return v.layout;
      case 'activation': return v.act;
      case 'activationParam': return on ? 0.5 : undefined;
      case 'size': return sizes[a.name];
      case 'scalar': case 'seed': return a.example;
      case 'flag': return on;
      case 'f32':
      case 'i32': {
        if (a.nullable && on) return null;
        const used = needed(a, sizes, v.layout);
        const whole = a.kind === 'f32' ? alloc.f32(b, offset + used + GUARD) : alloc.i32(b, offset + used + GUARD);
        const data = whole.data;
        for (let i = 0; i < data.length; i++) {
          if (i < offset || i >= offset + used) data[i] = SENTINEL;
          else if (a.labelsOf !== undefined) data[i] = Math.floor(r() * sizes[a.labelsOf]);
          else if (a.kind === 'i32') data[i] = -7;
          else data[i] = a.sample === 'unit' || a.sample === 'nonNegative' ? r() : r() * 2 - 1;
        }
        const buf = whole.view(offset, used + GUARD);
        bufs.push({ arg: a, buf, used });
        return buf;
      }
    }
  });
  return { args, bufs };
}

/** Runs the call; returns what it returned and copies of the buffers it may write, after checking their guards. */
export function run(b: ReadyBackend, name: string, call: Call, label: string): { ret: unknown; outs: (Float32Array | Int32Array)[] } {
  const ret = kernel(b, name)(...call.args);
  const outs: (Float32Array | Int32Array)[] = [];
  for (const { arg, buf, used } of call.bufs) {
    const guard = Array.from(buf.data.subarray(used, used + GUARD));
    expect(guard, `${label} ${b.name}: elements after ${arg.name}`).toEqual(new Array(GUARD).fill(SENTINEL));
    if (arg.io !== 'in') outs.push(buf.data.slice(0, used));
  }
  return { ret, outs };
}

