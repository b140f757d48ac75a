/** simdnet: neural-network training on a WebAssembly SIMD core, with a pure-JS twin backend. */
export { init, jsBackend } from './backend/init.js';
export type { InitOptions, ReadyBackend, SimdBuild } from './backend/init.js';
export { ThreadPoolError } from '../bindings/threads/error.js';
export { ACTIVATIONS, MATMUL_LAYOUTS, ACTIVATION_DEFAULT_ALPHA } from './backend/contract.js';
export type {
  ActivationName, Allocator, Backend, BackendName, F32Buffer, I32Buffer, Kernels, MatmulLayout,
} from './backend/contract.js';
export { hasWasmSimd } from '../bindings/loader.js';
export { Rng } from './math/random.js';
export * from './data/index.js';
export * from './train/index.js';
export * from './plot/index.js';
export * from './model/index.js';
export * from './tune/index.js';
export * from './worker/index.js';
export { exportTfjsLayers, importTfjsLayers, TfjsFormatError } from './io/tfjs.js';
export type { TfjsArtifacts, TfjsExportOptions, TfjsImportOptions } from './io/tfjs.js';
export { STORAGE_SCHEMES } from './io/storage.js';
export type { StorageScheme } from './io/storage.js';
export { exportOnnx } from './io/onnx-export.js';
export type { OnnxOptions } from './io/onnx-options.js';
export { exportSafetensors, importSafetensors, encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export type { SafetensorsModelOptions, SafetensorsSourceOptions, SafetensorsFile, SafetensorsEntry, SafetensorsTensor } from './io/safetensors.js';
export { toPyTorchSource } from './io/pytorch.js';
