/** Types of activation-bits.js (plain JavaScript so the browser page can load it as it is). */
import type * as Simdnet from '../../dist/simdnet.js';

export type ActivationBits = Record<string, { y: number[]; dx: number[] }>;
export function grid(): Float32Array;
export function activationBits(simdnet: typeof Simdnet): Promise<ActivationBits>;
