/** Types of scenario.js (plain JavaScript so the browser page can load it as it is). */
import type * as Simdnet from '../../dist/simdnet.js';

type SimdnetModule = typeof Simdnet;

export interface ScenarioResult {
  data: { x: number[]; y: number[] };
  weights: number[];
  optimizer: { step: number; m: number[]; v: number[] };
  counters: { epochs: number; batches: number; dropoutStream: number };
  predictions: number[][];
  loss: number[];
  valLoss: number[];
  stopReason: string;
}

export const FIT: { epochs: number; batchSize: number; validationSplit: number };
export function makeData(simdnet: SimdnetModule): Simdnet.Dataset;
export function makeModel(simdnet: SimdnetModule, backend: Simdnet.Backend, classes: number): Simdnet.Sequential;
export function bits(array: Float32Array): number[];
export function runScenario(simdnet: SimdnetModule, where: 'main' | 'worker', backendName?: 'wasm' | 'js'): Promise<ScenarioResult>;
