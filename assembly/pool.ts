// 2-D pooling over NHWC images (src/backend/contract.ts, Kernels: maxPoolForward … avgPoolBackward).
//
//   x [m, h, w, c] → y [m, outH, outW, c]; output (oy, ox) pools the window of input rows
//   iy = oy·strideH − padTop + ky (ky < poolH) and columns ix = ox·strideW − padLeft + kx (kx < poolW),
//   padTop/padLeft by TensorFlow's 'same' rule (conv.ts, padBefore) or 0 for 'valid'.
//
// Only the taps inside the image count (TensorFlow's rule: max ignores the padding, the average
// divides by the number of taps inside). A window wholly outside the image (impossible for a
// geometry the layers build, possible for a raw kernel call) gives 0 and argmax −1. The forward passes
// run f32x4 across channels (tail through tail.ts), visiting the taps in (ky, kx) order; the twins
// visit them in the same order and round every add to f32, so wasm and js agree bit for bit.
import { tailLoad, tailStore } from './tail';
import { padBefore } from './conv';

/** The taps [lo, hi) of a window starting at `start` that fall inside [0, size). */
// @ts-ignore: decorator
@inline function tapsLo(start: i64): i32 {
  return start < 0 ? <i32>min<i64>(-start, 0x7fffffff) : 0;
}

// @ts-ignore: decorator
@inline function tapsHi(start: i64, pool: i32, size: i32): i32 {
  return <i32>max<i64>(0, min<i64>(<i64>pool, <i64>size - start));
}

/**
 * y = the maximum of each window, argmax = the index of that maximum within its image,
 * (iy·w + ix)·c + ci, the first in (ky, kx) order on ties; maxPoolBackward routes the gradient there.
 */
export function maxPoolForward(
  x: usize, y: usize, argmax: usize, m: i32, h: i32, w: i32, c: i32, poolH: i32, poolW: i32,
  strideH: i32, strideW: i32, outH: i32, outW: i32, same: bool,
): void {
  const padTop = padBefore(same, outH, strideH, poolH, 1, h);
  const padLeft = padBefore(same, outW, strideW, poolW, 1, w);
  const imageFloats = <usize>h * <usize>w * <usize>c;
  const whole = c & ~3;
  const rem = c & 3;
  const lanes = i32x4(0, 1, 2, 3);
  let out: usize = 0;
  for (let n = 0; n < m; n++) {
    const image = x + ((<usize>n * imageFloats) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>strideH - padTop;
      const kyLo = tapsLo(iy0), kyHi = tapsHi(iy0, poolH, h);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = <i64>ox * <i64>strideW - padLeft;
        const kxLo = tapsLo(ix0), kxHi = tapsHi(ix0, poolW, w);
        const yo = y + (out << 2);
        const ao = argmax + (out << 2);
        if (kyLo >= kyHi || kxLo >= kxHi) {
          memory.fill(yo, 0, <usize>c << 2);
          memory.fill(ao, 0xff, <usize>c << 2);
        } else {
          const first = <i32>((iy0 + <i64>kyLo) * <i64>w + ix0 + <i64>kxLo) * c;
          for (let j = 0; j < c; j += 4) {
            const part = j < whole ? 4 : rem;
            const o = <usize>j << 2;
            let best = part == 4 ? v128.load(image + (<usize>first << 2) + o) : tailLoad(image + (<usize>first << 2) + o, part);
            let at = i32x4.add(i32x4.splat(first + j), lanes);
            for (let ky = kyLo; ky < kyHi; ky++) {
              for (let kx = kxLo; kx < kxHi; kx++) {
                if (ky == kyLo && kx == kxLo) continue;
                const idx = <i32>((iy0 + <i64>ky) * <i64>w + ix0 + <i64>kx) * c;
                const p = image + (<usize>idx << 2) + o;
                const v = part == 4 ? v128.load(p) : tailLoad(p, part);
                const more = f32x4.gt(v, best);
                best = v128.bitselect(v, best, more);
                at = v128.bitselect(i32x4.add(i32x4.splat(idx + j), lanes), at, more);
              }
            }
            if (part == 4) {
              v128.store(yo + o, best);
              v128.store(ao + o, at);
            } else {
              tailStore(yo + o, best, part);
              tailStore(ao + o, at, part);
            }
          }
        }
        out += <usize>c;
      }
    }
  }
}

/**
 * dx = 0, then dx[n, argmax[n, oy, ox, ci]] += dy[n, oy, ox, ci] in output order (a scatter: scalar).
 * An index outside [0, h·w·c) (−1 from an empty window) is skipped, so no argmax can write outside dx.
 */
export function maxPoolBackward(dy: usize, argmax: usize, dx: usize, m: i32, h: i32, w: i32, c: i32, outH: i32, outW: i32): void {
  const imageFloats = <usize>h * <usize>w * <usize>c;
  const outFloats = <usize>outH * <usize>outW * <usize>c;
  memory.fill(dx, 0, (<usize>m * imageFloats) << 2);
  for (let n = 0; n < m; n++) {
    const image = dx + ((<usize>n * imageFloats) << 2);
    const base = <usize>n * outFloats;
    for (let e: usize = 0; e < outFloats; e++) {
      const idx = load<i32>(argmax + ((base + e) << 2));
      if (idx < 0 || <usize>idx >= imageFloats) continue;
      const p = image + (<usize>idx << 2);
      store<f32>(p, load<f32>(p) + load<f32>(dy + ((base + e) << 2)));
    }
  }
}

/** y = the mean of each window's taps inside the image (their f32 sum in (ky, kx) order, divided by their count). */
export function avgPoolForward(
  x: usize, y: usize, m: i32, h: i32, w: i32, c: i32, poolH: i32, poolW: i32,
  strideH: i32, strideW: i32, outH: i32, outW: i32, same: bool,
): void {
  const padTop = padBefore(same, outH, strideH, poolH, 1, h);
  const padLeft = padBefore(same, outW, strideW, poolW, 1, w);
  const imageFloats = <usize>h * <usize>w * <usize>c;
  const whole = c & ~3;
  const rem = c & 3;
  let out: usize = 0;
  for (let n = 0; n < m; n++) {
    const image = x + ((<usize>n * imageFloats) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>strideH - padTop;
      const kyLo = tapsLo(iy0), kyHi = tapsHi(iy0, poolH, h);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = <i64>ox * <i64>strideW - padLeft;
        const kxLo = tapsLo(ix0), kxHi = tapsHi(ix0, poolW, w);
        const yo = y + (out << 2);
        const count = max(0, kyHi - kyLo) * max(0, kxHi - kxLo);
        if (count == 0) {
          memory.fill(yo, 0, <usize>c << 2);
        } else {
          const div = f32x4.splat(<f32>count);
          for (let j = 0; j < c; j += 4) {
            const part = j < whole ? 4 : rem;
            const o = <usize>j << 2;
            let sum = f32x4.splat(0);
            for (let ky = kyLo; ky < kyHi; ky++) {
              const rowAt = image + ((<usize>((iy0 + <i64>ky) * <i64>w + ix0 + <i64>kxLo) * <usize>c) << 2) + o;
              for (let kx = kxLo; kx < kxHi; kx++) {
                const p = rowAt + ((<usize>(kx - kxLo) * <usize>c) << 2);
                sum = f32x4.add(sum, part == 4 ? v128.load(p) : tailLoad(p, part));
              }
            }
            const mean = f32x4.div(sum, div);
            if (part == 4) v128.store(yo + o, mean);
            else tailStore(yo + o, mean, part);
          }
        }
        out += <usize>c;
      }
    }
  }
}

/** dx = 0, then each window's taps inside the image get dy / count, in output then (ky, kx) order. */
export function avgPoolBackward(
  dy: usize, dx: usize, m: i32, h: i32, w: i32, c: i32, poolH: i32, poolW: i32,
  strideH: i32, strideW: i32, outH: i32, outW: i32, same: bool,
): void {
  const padTop = padBefore(same, outH, strideH, poolH, 1, h);
  const padLeft = padBefore(same, outW, strideW, poolW, 1, w);
  const imageFloats = <usize>h * <usize>w * <usize>c;
  const whole = c & ~3;
  const rem = c & 3;
  memory.fill(dx, 0, (<usize>m * imageFloats) << 2);
  let out: usize = 0;
  for (let n = 0; n < m; n++) {
    const image = dx + ((<usize>n * imageFloats) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = <i64>oy * <i64>strideH - padTop;
      const kyLo = tapsLo(iy0), kyHi = tapsHi(iy0, poolH, h);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = <i64>ox * <i64>strideW - padLeft;
        const kxLo = tapsLo(ix0), kxHi = tapsHi(ix0, poolW, w);
        const count = max(0, kyHi - kyLo) * max(0, kxHi - kxLo);
        if (count > 0) {
          const div = f32x4.splat(<f32>count);
          const go = dy + (out << 2);
          for (let j = 0; j < c; j += 4) {
            const part = j < whole ? 4 : rem;
            const o = <usize>j << 2;
            const g = f32x4.div(part == 4 ? v128.load(go + o) : tailLoad(go + o, part), div);
            for (let ky = kyLo; ky < kyHi; ky++) {
              const rowAt = image + ((<usize>((iy0 + <i64>ky) * <i64>w + ix0 + <i64>kxLo) * <usize>c) << 2) + o;
              for (let kx = kxLo; kx < kxHi; kx++) {
                const p = rowAt + ((<usize>(kx - kxLo) * <usize>c) << 2);
                if (part == 4) v128.store(p, f32x4.add(v128.load(p), g));
                else tailStore(p, f32x4.add(tailLoad(p, part), g), part);
              }
            }
          }
        }
        out += <usize>c;
      }
    }
  }
}
