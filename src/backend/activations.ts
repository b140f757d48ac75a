/** The activation functions: their names, wasm ids and default parameters. */

/**
 * Activation functions known to the kernels. The index in this list is the id passed to the wasm
 * kernels (assembly/activation.ts holds the same numbering; a test checks they agree).
 * `alpha` is the activation's parameter: the slope `a` of the sigmoid σ(z) = 1/(1+e^(−a·z)),
 * the negative slope of leakyRelu, the α of elu; the others ignore it.
 * step is 1 for z ≥ 0 and 0 below (step(0) = 1); gelu is the exact form z·Φ(z), not the tanh approximation.
 */
export const ACTIVATIONS = [
  'identity', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'gelu', 'softplus', 'silu',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/** The default `alpha` of each activation (used when a caller passes none). */
export const ACTIVATION_DEFAULT_ALPHA: Readonly<Record<ActivationName, number>> = {
  identity: 0, step: 0, sigmoid: 1, tanh: 0, relu: 0, leakyRelu: 0.01, elu: 1, gelu: 0, softplus: 0, silu: 0,
};

const ACTIVATION_ID = new Map<string, number>(ACTIVATIONS.map((name, id) => [name, id]));

/** The id of an activation; throws naming the known ones on an unknown name. */
export function activationId(name: string): number {
  const id = ACTIVATION_ID.get(name);
  if (id === undefined) {
    throw new RangeError(`simdnet: unknown activation '${name}'; expected one of ${ACTIVATIONS.join(', ')}`);
  }
  return id;
}

export function activationAlpha(name: ActivationName, alpha: number | undefined): number {
  return alpha ?? ACTIVATION_DEFAULT_ALPHA[name];
}
