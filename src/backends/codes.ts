/** Numeric codes shared by both kernel implementations (the wasm ABI passes ids, not strings). */
import { ACTIVATIONS, ACTIVATION_DEFAULT_ALPHA, type ActivationName, type MatmulLayout } from '../backend.js';

/** NN = 0, TN = 1, NT = 2 (assembly/matmul.ts: LAYOUT_NN, LAYOUT_TN, LAYOUT_NT). */
export const LAYOUT_ID: Readonly<Record<MatmulLayout, number>> = { NN: 0, TN: 1, NT: 2 };

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
