// im2col and col2im for NHWC convolutions (src/backend/contract.ts, Kernels: im2col, col2im).
//
// A convolution becomes one matrix product over these "columns" (src/model/conv2d.ts):
//
//   x     [m, h, w, c]                      images, channels fastest (NHWC)
//   cols  [m, outH, outW, kh, kw, c]        one row of kh·kw·c values per output position:
//                                           the receptive field, zero where it falls in the padding
//   cols · kernel [kh·kw·c, outC] = y [m·outH·outW, outC] = y [m, outH, outW, outC]
//
// Output position (oy, ox), tap (ky, kx) reads input row iy = oy·strideH − padTop + ky·dilationH and
// column ix = ox·strideW − padLeft + kx·dilationW. padTop/padLeft are 0 for 'valid' and TensorFlow's
// 'same' rule otherwise: total = max(0, (out − 1)·stride + (k − 1)·dilation + 1 − size), half of it
// (rounded down) before, the rest after. Any positive geometry is accepted: a tap outside the image
// reads 0 (im2col) or is dropped (col2im), so no size can make a kernel touch memory outside its
// buffers. Coordinates are computed in i64, so huge strides cannot wrap around.
//
// With dilationW = 1 the taps kx of one row are contiguous in x (kw·c floats), so both kernels move
// whole spans with f32x4 loads and stores (tails through tail.ts) and zero-fill the padded ends.
// im2col only moves data (bits); col2im adds each tap into dx in the order (n, oy, ox, ky, kx, ci),
// each element getting its contributions in that order, so its sums have the same bits as the twin.
import { tailLoad, tailStore } from './tail';

/** TensorFlow's 'same' padding before the first row or column (0 for 'valid'). */
// @ts-ignore: decorator
@inline export function padBefore(same: bool, out: i32, stride: i32, k: i32, dilation: i32, size: i32): i64 {
  if (!same) return 0;
  const total = (<i64>out - 1) * <i64>stride + (<i64>k - 1) * <i64>dilation + 1 - <i64>size;
  return total > 0 ? total >> 1 : 0;
}

/** dst[0..count) = src[0..count) (f32, any alignment). */
// @ts-ignore: decorator
@inline function copyFloats(dst: usize, src: usize, count: i32): void {
  const whole = count & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  const rem = count & 3;
  if (rem) {
    const o = <usize>whole << 2;
    tailStore(dst + o, tailLoad(src + o, rem), rem);
  }
}

/** dst[0..count) += src[0..count). */
// @ts-ignore: decorator
@inline function addFloats(dst: usize, src: usize, count: i32): void {
  const whole = count & ~3;
  for (let i = 0; i < whole; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  const rem = count & 3;
  if (rem) {
    const o = <usize>whole << 2;
    tailStore(dst + o, f32x4.add(tailLoad(dst + o, rem), tailLoad(src + o, rem)), rem);
  }
}

/** dst[0..count) = 0. */
// @ts-ignore: decorator
@inline function zeroFloats(dst: usize, count: i32): void {
  const zero = f32x4.splat(0);
  const whole = count & ~3;
  for (let i = 0; i < whole; i += 4) v128.store(dst + (<usize>i << 2), zero);
  const rem = count & 3;
  if (rem) tailStore(dst + (<usize>whole << 2), zero, rem);
}

/**
 * The taps kx in [lo, hi) of one output position and kernel row fall inside the image (dilationW = 1):
 * ix = ix0 + kx in [0, w).
 */
// @ts-ignore: decorator
@inline function spanLo(ix0: i64): i64 {
  return ix0 < 0 ? -ix0 : 0;
}

/**
 * cols[n, oy, ox, ky, kx, ci] = x[n, iy, ix, ci], or 0 where (iy, ix) is outside the image (see the
 * file comment for iy, ix).
 */
export function im2col(
  x: usize, cols: usize, m: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, outH: i32, outW: i32, same: bool,
): void {
  const padTop = padBefore(same, outH, strideH, kh, dilationH, h);
  const padLeft = padBefore(same, outW, strideW, kw, dilationW, w);
  const pixelBytes = <usize>c << 2;
  const rowBytes = <usize>w * pixelBytes;
  const imageBytes = <usize>h * rowBytes;
  const tapRowFloats = kw * c;
  let dst = cols;
  for (let n = 0; n < m; n++) {
    const image = x + <usize>n * imageBytes;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = <i64>ox * <i64>strideW - padLeft;
        for (let ky = 0; ky < kh; ky++) {
          const iy = <i64>oy * <i64>strideH - padTop + <i64>ky * <i64>dilationH;
          if (iy < 0 || iy >= <i64>h) {
            zeroFloats(dst, tapRowFloats);
          } else if (dilationW == 1) {
            const lo = <i32>min<i64>(spanLo(ix0), <i64>kw);
            const hi = <i32>max<i64>(<i64>lo, min<i64>(<i64>kw, <i64>w - ix0));
            const row = image + <usize>iy * rowBytes;
            if (lo > 0) zeroFloats(dst, lo * c);
            if (hi > lo) copyFloats(dst + <usize>(lo * c) * 4, row + <usize>(ix0 + <i64>lo) * pixelBytes, (hi - lo) * c);
            if (hi < kw) zeroFloats(dst + <usize>(hi * c) * 4, (kw - hi) * c);
          } else {
            const row = image + <usize>iy * rowBytes;
            for (let kx = 0; kx < kw; kx++) {
              const ix = ix0 + <i64>kx * <i64>dilationW;
              const d = dst + <usize>(kx * c) * 4;
              if (ix < 0 || ix >= <i64>w) zeroFloats(d, c);
              else copyFloats(d, row + <usize>ix * pixelBytes, c);
            }
          }
          dst += <usize>tapRowFloats << 2;
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: dx[n, iy, ix, ci] (+)= Σ cols[n, oy, ox, ky, kx, ci] over the taps that read
 * (iy, ix). `accumulate` adds into dx; otherwise dx's m images are zeroed first.
 */
export function col2im(
  cols: usize, dx: usize, m: i32, h: i32, w: i32, c: i32, kh: i32, kw: i32,
  strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, outH: i32, outW: i32, same: bool, accumulate: bool,
): void {
  const padTop = padBefore(same, outH, strideH, kh, dilationH, h);
  const padLeft = padBefore(same, outW, strideW, kw, dilationW, w);
  const pixelBytes = <usize>c << 2;
  const rowBytes = <usize>w * pixelBytes;
  const imageBytes = <usize>h * rowBytes;
  const tapRowFloats = kw * c;
  if (!accumulate) memory.fill(dx, 0, <usize>m * imageBytes);
  let src = cols;
  for (let n = 0; n < m; n++) {
    const image = dx + <usize>n * imageBytes;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = <i64>ox * <i64>strideW - padLeft;
        for (let ky = 0; ky < kh; ky++) {
          const iy = <i64>oy * <i64>strideH - padTop + <i64>ky * <i64>dilationH;
          if (iy >= 0 && iy < <i64>h) {
            const row = image + <usize>iy * rowBytes;
            if (dilationW == 1) {
              const lo = <i32>min<i64>(spanLo(ix0), <i64>kw);
              const hi = <i32>max<i64>(<i64>lo, min<i64>(<i64>kw, <i64>w - ix0));
              if (hi > lo) addFloats(row + <usize>(ix0 + <i64>lo) * pixelBytes, src + <usize>(lo * c) * 4, (hi - lo) * c);
            } else {
              for (let kx = 0; kx < kw; kx++) {
                const ix = ix0 + <i64>kx * <i64>dilationW;
                if (ix >= 0 && ix < <i64>w) addFloats(row + <usize>ix * pixelBytes, src + <usize>(kx * c) * 4, c);
              }
            }
          }
          src += <usize>tapRowFloats << 2;
        }
      }
    }
  }
}
