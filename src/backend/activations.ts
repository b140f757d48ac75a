/**
 * The activation functions, one row each: everything about an activation that is not its
 * AssemblyScript vector code lives here, and the rest of the library reads it from this table
 * (names and wasm ids, default parameters, the initializer mlp() and the CLI pick, the kinks the
 * gradient check steps around, the playground's labels, and the scalar math of the js backend).
 *
 * The index of a row is the id passed to the wasm kernels: scripts/gen-activations.mjs (run by
 * `npm run build:wasm`) writes those ids into assembly/activation-ids.generated.ts and refuses to build
 * when a switch in assembly/activation.ts lacks a case for one of them.
 *
 * `f` and `df` are the js twin's kernels element by element (src/backend/js/activation.ts): computed in
 * float64 and rounded to f32 by the store, or, where a row says so, in the exact f32 steps of the wasm
 * kernel (then both backends give the same bits, and `f64` is the float64 definition for the tests).
 */
import { erfc } from './js/math.js';

/** Which weight initialisation suits a hidden layer of this activation (mlp(), the CLI). */
export type InitFamily = 'he' | 'glorot';

export interface ActivationSpec {
  readonly name: string;
  /** Human-readable name (the playground's menu, docs). */
  readonly label: string;
  /** The `alpha` used when a caller passes none (0 where the activation ignores it). */
  readonly alpha: number;
  /** What `alpha` is for this activation (the CLI's --slope help); absent where it is ignored. */
  readonly param?: string;
  /** He (relu-like: unbounded above, ~half the inputs pass) or Glorot (saturating, or linear). */
  readonly init: InitFamily;
  /**
   * The inputs where f has no derivative, for this alpha (empty: smooth). A central difference across
   * one measures a jump, so the gradient check skips elements whose input moves past one.
   */
  readonly kinks: (alpha: number) => readonly number[];
  /** y = f(x) with parameter a (an f32 value); x is an f32 value. */
  readonly f: (x: number, a: number) => number;
  /** f′(x), given y = f(x) as the kernel stored it (some derivatives are cheaper from y). */
  readonly df: (x: number, y: number, a: number) => number;
  /** The float64 definition, where `f` takes the wasm kernel's f32 steps. @default f */
  readonly f64?: (x: number, a: number) => number;
}

const NO_KINKS: readonly number[] = [];
const AT_ZERO: readonly number[] = [0];
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const f32 = Math.fround;

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/**
 * The table. Append new rows at the end (an id is a row's index, and saved models store names, so
 * order only matters to the wasm module built alongside).
 */
const TABLE = [
  {
    name: 'identity', label: 'linear (identity)', alpha: 0, init: 'glorot', kinks: () => NO_KINKS,
    f: (x) => x,
    df: () => 1,
  },
  {
    // Heaviside with step(0) = 1. Its derivative is taken as 0 everywhere (src/backend/contract.ts);
    // the jump at 0 is a kink all the same (a central difference across it is huge).
    name: 'step', label: 'step (Heaviside)', alpha: 0, init: 'glorot', kinks: () => AT_ZERO,
    f: (x) => (x >= 0 ? 1 : 0),
    df: () => 0,
  },
  {
    // σ(a·x) = 1/(1 + e^(−a·x)), a the slope.
    name: 'sigmoid', label: 'sigmoid', alpha: 1, param: 'the slope a', init: 'glorot', kinks: () => NO_KINKS,
    f: (x, a) => sigma(a * x),
    df: (_x, y, a) => a * y * (1 - y),
  },
  {
    name: 'tanh', label: 'tanh', alpha: 0, init: 'glorot', kinks: () => NO_KINKS,
    f: (x) => Math.tanh(x),
    df: (_x, y) => 1 - y * y,
  },
  {
    // max(x, 0); NaN stays NaN (Math.max, f32x4.max); relu′(0) = 0.
    name: 'relu', label: 'ReLU', alpha: 0, init: 'he', kinks: () => AT_ZERO,
    f: (x) => Math.max(x, 0),
    df: (x) => (x > 0 ? 1 : 0),
  },
  {
    // a = the negative slope.
    name: 'leakyRelu', label: 'leaky ReLU', alpha: 0.01, param: 'the negative slope', init: 'he', kinks: () => AT_ZERO,
    f: (x, a) => (x > 0 ? x : a * x),
    df: (x, _y, a) => (x > 0 ? 1 : a),
  },
  {
    // a·(e^x − 1) for x ≤ 0 (expm1: accurate just below 0); derivative a·e^x = y + a there. Smooth at 0
    // only when a = 1.
    name: 'elu', label: 'ELU', alpha: 1, param: 'α (f → −α as x → −∞)', init: 'he', kinks: (a) => (a === 1 ? NO_KINKS : AT_ZERO),
    f: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
    df: (x, y, a) => (x > 0 ? 1 : y + a),
  },
  {
    // x·Φ(x), the exact (erf) form, not the tanh approximation; derivative Φ(x) + x·φ(x).
    name: 'gelu', label: 'GELU', alpha: 0, init: 'he', kinks: () => NO_KINKS,
    f: (x) => 0.5 * x * erfc(-x * Math.SQRT1_2),
    df: (x) => 0.5 * erfc(-x * Math.SQRT1_2) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI,
  },
  {
    // ln(1 + e^x), written so that it neither overflows nor takes log(0); derivative σ(x).
    name: 'softplus', label: 'softplus', alpha: 0, init: 'glorot', kinks: () => NO_KINKS,
    f: softplus,
    df: sigma,
  },
  {
    // x·σ(x); derivative σ(x)·(1 + x·(1 − σ(x))).
    name: 'silu', label: 'SiLU', alpha: 0, init: 'he', kinks: () => NO_KINKS,
    f: (x) => x / (1 + Math.exp(-x)),
    df: (x) => {
      const s = sigma(x);
      return s * (1 + x * (1 - s));
    },
  },
  {
    // clip(a·x + ½, 0, 1) with a the slope. The default a = 1/6 (as f32) is Keras 3's, PyTorch's and
    // JAX's hard sigmoid, relu6(x + 3)/6; a = 0.2 is tfjs-layers' (and Keras 2's). Derivative a between
    // the kinks at ±1/(2a), 0 outside and at them (as relu′(0) = 0).
    name: 'hardSigmoid', label: 'hard sigmoid', alpha: 1 / 6, param: 'the slope a', init: 'glorot',
    kinks: (a) => (a === 0 ? NO_KINKS : [-0.5 / Math.abs(a), 0.5 / Math.abs(a)]),
    // Each step rounded to f32 as in the wasm kernel (a·x of two f32 values is exact in float64), so
    // the backends agree to the bit.
    f: (x, a) => Math.min(Math.max(f32(f32(a * x) + 0.5), 0), 1),
    df: (_x, y, a) => (y > 0 && y < 1 ? a : 0),
    f64: (x, a) => Math.min(Math.max(a * x + 0.5, 0), 1),
  },
  {
    // x·tanh(softplus(x)) (Misra 2019); with t = tanh(softplus(x)), σ = σ(x):
    // derivative t + x·σ·(1 − t²).
    name: 'mish', label: 'Mish', alpha: 0, init: 'he', kinks: () => NO_KINKS,
    f: (x) => x * Math.tanh(softplus(x)),
    df: (x) => {
      const t = Math.tanh(softplus(x));
      return t + x * sigma(x) * (1 - t * t);
    },
  },
] as const satisfies readonly ActivationSpec[];

/** The name of an activation of the table ('relu', 'sigmoid', ...): what `dense({ activation })` takes. */
export type ActivationName = (typeof TABLE)[number]['name'];

/** The rows, typed as specs (TABLE keeps the literal names, for ActivationName). */
export const ACTIVATION_TABLE: readonly (ActivationSpec & { readonly name: ActivationName })[] = TABLE;

/**
 * Activation functions known to the kernels, in id order (the index here is the id passed to the wasm
 * kernels). `alpha` is an activation's parameter: the slope a of sigmoid and hardSigmoid, the negative
 * slope of leakyRelu, the α of elu; the others ignore it.
 */
export const ACTIVATIONS: readonly ActivationName[] = ACTIVATION_TABLE.map((row) => row.name);

const BY_NAME = new Map<string, ActivationSpec>(ACTIVATION_TABLE.map((row) => [row.name, row]));
const ACTIVATION_ID = new Map<string, number>(ACTIVATIONS.map((name, id) => [name, id]));

/** The default `alpha` of each activation (used when a caller passes none). */
export const ACTIVATION_DEFAULT_ALPHA: Readonly<Record<ActivationName, number>> = Object.fromEntries(
  ACTIVATION_TABLE.map((row) => [row.name, row.alpha]),
) as Record<ActivationName, number>;

function unknown(name: string): never {
  throw new RangeError(`simdnet: unknown activation '${name}'; expected one of ${ACTIVATIONS.join(', ')}`);
}

/** The id of an activation; throws naming the known ones on an unknown name. */
export function activationId(name: string): number {
  return ACTIVATION_ID.get(name) ?? unknown(name);
}

/** The row of an activation; throws naming the known ones on an unknown name. */
export function activationSpec(name: string): ActivationSpec {
  return BY_NAME.get(name) ?? unknown(name);
}

/** The row of a wasm id; throws on an id no row has. */
export function activationById(id: number): ActivationSpec {
  const row = Number.isInteger(id) ? ACTIVATION_TABLE[id] : undefined;
  if (row === undefined) throw new RangeError(`simdnet: no activation has id ${id}; ids are 0..${ACTIVATIONS.length - 1}`);
  return row;
}

export function activationAlpha(name: ActivationName, alpha: number | undefined): number {
  return alpha ?? ACTIVATION_DEFAULT_ALPHA[name];
}

/**
 * The initializer a hidden layer of this activation gets by default (mlp(), the CLI). A name no row
 * has gets glorotUniform here: the layer it is meant for rejects the name, in its own words.
 */
export function defaultKernelInitializer(name: string): 'heNormal' | 'glorotUniform' {
  return BY_NAME.get(name)?.init === 'he' ? 'heNormal' : 'glorotUniform';
}

/** The inputs at which the activation, with this alpha, is not differentiable (see ActivationSpec.kinks). */
export function activationKinks(name: string, alpha: number): readonly number[] {
  return activationSpec(name).kinks(alpha);
}

/** What alpha means, per activation that has one: 'sigmoid: the slope a, leakyRelu: …'. */
export function activationParams(): string {
  return ACTIVATION_TABLE.flatMap((row) => (row.param === undefined ? [] : [`${row.name}: ${row.param}`])).join(', ');
}

/** The activation's human-readable name. */
export function activationLabel(name: string): string {
  return activationSpec(name).label;
}
