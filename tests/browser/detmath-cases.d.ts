/** Types of detmath-cases.js (plain JavaScript so the browser page can load it as it is). */
import type * as Simdnet from '../../dist/simdnet.js';
import type * as Detmath from '../../build/src/math/detmath.js';

export interface FunctionBits {
  detmath: number[];
  math: number[];
}

export interface TrainingValues {
  normals: number[];
  mathNormals: number[];
  schedules: number[];
  logUniform: number[];
  toy: number[][];
}

export const COUNT: number;
export const FUNCTIONS: readonly { name: 'exp' | 'log' | 'sin' | 'cos' | 'pow'; args: readonly (readonly [number, number])[][] }[];
export function bits64(array: Float64Array): number[];
export function evaluateFunctions(detmath: typeof Detmath, simdnet: typeof Simdnet): Record<string, FunctionBits>;
export function trainingValues(simdnet: typeof Simdnet): TrainingValues;
