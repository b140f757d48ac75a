/** The `wasm` backend: the AssemblyScript kernels behind the Kernels interface (addresses, not arrays). */
import type { F32Buffer, Kernels } from './contract.js';
import type { WasmExports } from '../../bindings/exports.js';
import { adaptKernels, idConverter, type ConverterFor } from './adapter.js';

/** Buffers become byte addresses (null: 0), booleans 0/1, names their ids. */
export const toWasm: ConverterFor = (arg) => {
  switch (arg.kind) {
    case 'f32':
    case 'i32':
      return arg.nullable ? (b) => (b === null ? 0 : (b as F32Buffer).ptr) : (b) => (b as F32Buffer).ptr;
    case 'flag':
      return (v) => (v ? 1 : 0);
    // Seeds are u32 on the wasm side: pass them as their 32-bit patterns.
    case 'seed':
      return (v) => (v as number) | 0;
    case 'layout':
    case 'activation':
    case 'activationParam':
      return idConverter(arg);
    case 'size':
    case 'scalar':
      return undefined;
  }
};

export function wasmKernels(w: WasmExports): Kernels {
  return adaptKernels(w as unknown as Record<string, (...args: unknown[]) => unknown>, toWasm);
}
