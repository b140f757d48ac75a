/**
 * Whether this host runs the relaxed-SIMD proposal (f32x4.relaxed_madd): Chrome/Edge ≥ 114, Firefox ≥ 120,
 * Node ≥ 22 by default; Node 20 and 21 only with `--experimental-wasm-relaxed-simd`.
 */

const V128_ZERO = [0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/**
 * The smallest module that uses f32x4.relaxed_madd (opcode 0xfd 0x105):
 * (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))).
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x3d, 0x01, 0x3b, 0x00, // code section: one body of 59 bytes, no locals
  ...V128_ZERO, ...V128_ZERO, ...V128_ZERO,
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0x0b, // end
]);

/** True when `WebAssembly.validate` accepts relaxed SIMD here (checked without compiling our module). */
export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** Why a host cannot run the relaxed build, and what runs it (for the fallback notice and errors). */
export const RELAXED_SIMD_MISSING =
  'this host does not run WebAssembly relaxed SIMD (Chrome/Edge >= 114, Firefox >= 120 and Node >= 22 do; ' +
  'Node 20 and 21 only with --experimental-wasm-relaxed-simd)';
