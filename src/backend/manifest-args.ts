/**
 * The constructors of manifest argument descriptions (kernel-spec.ts), shared by the manifest's parts
 * (manifest.ts, manifest-image.ts). Plain data, no runtime imports (scripts/kernels.mjs transpiles it
 * on its own).
 */
import type { BufferArg, FlagArg, ScalarArg, Shape, SizeArg, Tolerance } from './kernel-spec.js';

export const f32 = (name: string, io: BufferArg['io'], shape: Shape, more: Partial<BufferArg> = {}): BufferArg => ({ kind: 'f32', name, io, shape, ...more });
export const i32 = (name: string, io: BufferArg['io'], shape: Shape, more: Partial<BufferArg> = {}): BufferArg => ({ kind: 'i32', name, io, shape, ...more });
export const size = (name: string): SizeArg => ({ kind: 'size', name });
export const scalar = (name: string, example: number): ScalarArg => ({ kind: 'scalar', name, example });
export const flag = (name: string, optional = false): FlagArg => ({ kind: 'flag', name, optional });
export const BITS: Tolerance = { kind: 'bits' };
