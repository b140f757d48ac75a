/**
 * Builds a backend's `Kernels` from the manifest: each kernel becomes one closure, made once, that
 * converts the caller's arguments (buffers, names, booleans) into what the implementation takes
 * (addresses or typed arrays, ids, 0/1) and calls it. The converters are picked per argument when the
 * closure is made, so a call only runs them: no lookup by name, no allocation beyond the argument list.
 */
import type { Kernels, MatmulLayout } from './contract.js';
import { LAYOUT_ID } from './codes.js';
import { activationAlpha, activationId, type ActivationName } from './activations.js';
import { KERNEL_NAMES, kernelSpec, type Arg } from './manifest.js';

/** Converts one argument; `first` is the call's first argument (the activation, for its parameter). */
export type Convert = (value: unknown, first: unknown) => unknown;

/** The converter of each argument, or undefined to pass the value on unchanged. */
export type ConverterFor = (arg: Arg) => Convert | undefined;

type Impl = (...args: unknown[]) => unknown;

/**
 * The converters both implementations share: a layout and an activation become their wasm ids, and an
 * activation's parameter its value (the default when none was given). undefined for other kinds.
 */
export function idConverter(arg: Arg): Convert | undefined {
  switch (arg.kind) {
    case 'layout':
      return (v) => LAYOUT_ID[v as MatmulLayout];
    case 'activation':
      return (v) => activationId(v as string);
    case 'activationParam':
      return (v, act) => activationAlpha(act as ActivationName, v as number | undefined);
    default:
      return undefined;
  }
}

/** `impls[name]` takes the converted arguments in manifest order; returns the Kernels over them. */
export function adaptKernels(impls: Readonly<Record<string, Impl>>, converterFor: ConverterFor): Kernels {
  const out: Record<string, Impl> = {};
  for (const name of KERNEL_NAMES) {
    const impl = impls[name];
    if (typeof impl !== 'function') throw new Error(`simdnet: the implementation has no kernel '${name}'`);
    const spec = kernelSpec(name);
    const converters = spec.args.map(converterFor);
    out[name] = adapt(impl, converters);
  }
  return out as unknown as Kernels;
}

function adapt(impl: Impl, converters: readonly (Convert | undefined)[]): Impl {
  return fixedArity(impl, converters) ?? spreadArity(impl, converters);
}

const pass: Convert = (v) => v;

/**
 * A closure with the kernel's own number of parameters (up to 10: every kernel of a dense layer, a
 * loss and an optimizer) calling `impl` with as many: no rest parameter and no spread, which measured
 * 50–100 ns less per call in V8 (Node 20; issue 12, where a one-row training step makes ~20 calls).
 * null for more arguments.
 */
function fixedArity(impl: Impl, converters: readonly (Convert | undefined)[]): Impl | null {
  const c = converters.map((f) => f ?? pass);
  switch (c.length) {
    case 1: return (a0) => impl(c[0](a0, a0));
    case 2: return (a0, a1) => impl(c[0](a0, a0), c[1](a1, a0));
    case 3: return (a0, a1, a2) => impl(c[0](a0, a0), c[1](a1, a0), c[2](a2, a0));
    case 4: return (a0, a1, a2, a3) => impl(c[0](a0, a0), c[1](a1, a0), c[2](a2, a0), c[3](a3, a0));
    case 5: return (a0, a1, a2, a3, a4) => impl(c[0](a0, a0), c[1](a1, a0), c[2](a2, a0), c[3](a3, a0), c[4](a4, a0));
    case 6: return (a0, a1, a2, a3, a4, a5) => impl(c[0](a0, a0), c[1](a1, a0), c[2](a2, a0), c[3](a3, a0), c[4](a4, a0), c[5](a5, a0));
    case 7: return (a0, a1, a2, a3, a4, a5, a6) => impl(c[0](a0, a0), c[1](a1, a0), c[2](a2, a0), c[3](a3, a0), c[4](a4, a0), c[5](a5, a0), c[6](a6, a0));
    case 8: return (a0, a1, a2, a3, a4, a5, a6, a7) => impl(c[0](a0, a0), c[1](a1, a0), c[2](a2, a0), c[3](a3, a0), c[4](a4, a0), c[5](a5, a0), c[6](a6, a0), c[7](a7, a0));
    case 9: return (a0, a1, a2, a3, a4, a5, a6, a7, a8) => impl(c[0](a0, a0), c[1](a1, a0), c[2](a2, a0), c[3](a3, a0), c[4](a4, a0), c[5](a5, a0), c[6](a6, a0), c[7](a7, a0), c[8](a8, a0));
    case 10: return (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9) => impl(c[0](a0, a0), c[1](a1, a0), c[2](a2, a0), c[3](a3, a0), c[4](a4, a0), c[5](a5, a0), c[6](a6, a0), c[7](a7, a0), c[8](a8, a0), c[9](a9, a0));
    default: return null;
  }
}

/** Any number of arguments, through one reused array (the image kernels take up to 16). */
function spreadArity(impl: Impl, converters: readonly (Convert | undefined)[]): Impl {
  const n = converters.length;
  const at = converters.flatMap((c, i) => (c ? [i] : []));
  const conv = at.map((i) => converters[i]!);
  // The converted arguments go into one array per kernel, reused: kernels run synchronously and
  // never call another kernel, so a call never finds the array in use.
  const converted: unknown[] = new Array<unknown>(n);
  return (...args) => {
    for (let i = 0; i < n; i++) converted[i] = args[i];
    for (let j = 0; j < at.length; j++) converted[at[j]] = conv[j](args[at[j]], args[0]);
    return impl(...converted);
  };
}
