/** Types of cnn-scenario.js (plain JavaScript so the browser page can load it as it is). */
import type * as Simdnet from '../../dist/simdnet.js';

type SimdnetModule = typeof Simdnet;

export interface CnnScenarioResult {
  weights: number[];
  counters: { epochs: number; batches: number; dropoutStream: number };
  predictions: number[];
  loss: number[];
  valAccuracy: number[];
  stopReason: string;
}

export const CNN_FIT: { epochs: number; batchSize: number; augment: { shift: number }; validationSplit: number };
export const CNN_ROWS: number;
export function makeCnn(simdnet: SimdnetModule, backend: Simdnet.Backend): Simdnet.Sequential;
export function bits(array: Float32Array): number[];
export function runCnnScenario(simdnet: SimdnetModule, where: 'main' | 'worker', x: ArrayLike<number>, y: ArrayLike<number>): Promise<CnnScenarioResult>;
