/**
 * Every activation's wasm kernels (forward, then backward) on a fixed grid, as bits: run in Node and in
 * a Chromium page by tests/browser/activations.test.ts, which requires the same bits in both. Plain
 * JavaScript taking the simdnet module as an argument, so both run exactly this code on the same dist/.
 */

/** The bits of a Float32Array as unsigned integers (survive JSON and page.evaluate exactly). */
function bits(array) {
  return Array.from(new Uint32Array(array.buffer, array.byteOffset, array.length));
}

/** x over [−30, 30] and the far ends (exp's clamps, overflow, subnormal results); a length with a tail. */
export function grid() {
  const far = [-1e4, -200, -104, -88.8, -87.3, -1e-30, 0, 1e-30, 88.8, 89, 200, 1e4];
  return Float32Array.from([...Array.from({ length: 1001 }, (_, i) => -30 + i * 0.06), ...far]);
}

export async function activationBits(simdnet) {
  const backend = await simdnet.init({ backend: 'wasm' });
  const xv = grid();
  const n = xv.length;
  const dyv = Float32Array.from({ length: n }, (_, i) => (((i * 37) % 19) - 9) / 8);
  const out = {};
  for (const name of simdnet.ACTIVATIONS) {
    const x = backend.f32(xv);
    const y = backend.f32(n);
    const dy = backend.f32(dyv);
    const dx = backend.f32(n);
    try {
      backend.activationForward(name, x, y, n);
      backend.activationBackward(name, x, y, dy, dx, n);
      out[name] = { y: bits(y.data), dx: bits(dx.data) };
    } finally {
      for (const buffer of [x, y, dy, dx]) backend.free(buffer);
    }
  }
  return out;
}
