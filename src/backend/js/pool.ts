/**
 * Pure-JS twins of assembly/pool.ts. They visit each window's taps in the kernels' (ky, kx) order and
 * round every add and division to f32 (Math.fround, or the store into a Float32Array), so they give
 * the same bits.
 */
import { padBefore } from './conv.js';

/** The taps [lo, hi) of a window starting at `start` (pool taps long) that fall inside [0, size). */
function taps(start: number, pool: number, size: number): [number, number] {
  return [Math.max(0, -start), Math.max(0, Math.min(pool, size - start))];
}

/** Calls visit(outAt, image, firstRow, rows [lo, hi), firstCol, cols [lo, hi)) for every output position. */
function eachWindow(
  m: number, h: number, w: number, c: number, poolH: number, poolW: number, strideH: number, strideW: number,
  outH: number, outW: number, same: boolean,
  visit: (out: number, image: number, iy0: number, ky: [number, number], ix0: number, kx: [number, number]) => void,
): void {
  const padTop = padBefore(same, outH, strideH, poolH, 1, h);
  const padLeft = padBefore(same, outW, strideW, poolW, 1, w);
  let out = 0;
  for (let n = 0; n < m; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      const ky = taps(iy0, poolH, h);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft;
        visit(out, n * h * w * c, iy0, ky, ix0, taps(ix0, poolW, w));
        out += c;
      }
    }
  }
}

export function maxPoolForward(
  x: Float32Array, y: Float32Array, argmax: Int32Array, m: number, h: number, w: number, c: number, poolH: number, poolW: number,
  strideH: number, strideW: number, outH: number, outW: number, same: boolean,
): void {
  eachWindow(m, h, w, c, poolH, poolW, strideH, strideW, outH, outW, same, (out, image, iy0, [kyLo, kyHi], ix0, [kxLo, kxHi]) => {
    for (let ci = 0; ci < c; ci++) {
      if (kyLo >= kyHi || kxLo >= kxHi) {
        y[out + ci] = 0;
        argmax[out + ci] = -1;
        continue;
      }
      let at = ((iy0 + kyLo) * w + ix0 + kxLo) * c + ci;
      let best = x[image + at];
      for (let ky = kyLo; ky < kyHi; ky++) {
        for (let kx = kxLo; kx < kxHi; kx++) {
          const idx = ((iy0 + ky) * w + ix0 + kx) * c + ci;
          const v = x[image + idx];
          if (v > best) {
            best = v;
            at = idx;
          }
        }
      }
      y[out + ci] = best;
      argmax[out + ci] = at;
    }
  });
}

export function maxPoolBackward(dy: Float32Array, argmax: Int32Array, dx: Float32Array, m: number, h: number, w: number, c: number, outH: number, outW: number): void {
  const imageSize = h * w * c;
  const outSize = outH * outW * c;
  dx.fill(0, 0, m * imageSize);
  for (let n = 0; n < m; n++) {
    for (let e = 0; e < outSize; e++) {
      const idx = argmax[n * outSize + e];
      if (idx >= 0 && idx < imageSize) dx[n * imageSize + idx] += dy[n * outSize + e];
    }
  }
}

export function avgPoolForward(
  x: Float32Array, y: Float32Array, m: number, h: number, w: number, c: number, poolH: number, poolW: number,
  strideH: number, strideW: number, outH: number, outW: number, same: boolean,
): void {
  eachWindow(m, h, w, c, poolH, poolW, strideH, strideW, outH, outW, same, (out, image, iy0, [kyLo, kyHi], ix0, [kxLo, kxHi]) => {
    const count = Math.max(0, kyHi - kyLo) * Math.max(0, kxHi - kxLo);
    for (let ci = 0; ci < c; ci++) {
      let sum = 0;
      for (let ky = kyLo; ky < kyHi; ky++) {
        for (let kx = kxLo; kx < kxHi; kx++) sum = Math.fround(sum + x[image + ((iy0 + ky) * w + ix0 + kx) * c + ci]);
      }
      y[out + ci] = count === 0 ? 0 : sum / count;
    }
  });
}

export function avgPoolBackward(
  dy: Float32Array, dx: Float32Array, m: number, h: number, w: number, c: number, poolH: number, poolW: number,
  strideH: number, strideW: number, outH: number, outW: number, same: boolean,
): void {
  dx.fill(0, 0, m * h * w * c);
  eachWindow(m, h, w, c, poolH, poolW, strideH, strideW, outH, outW, same, (out, image, iy0, [kyLo, kyHi], ix0, [kxLo, kxHi]) => {
    const count = Math.max(0, kyHi - kyLo) * Math.max(0, kxHi - kxLo);
    if (count === 0) return;
    for (let ci = 0; ci < c; ci++) {
      const g = Math.fround(dy[out + ci] / count);
      for (let ky = kyLo; ky < kyHi; ky++) {
        for (let kx = kxLo; kx < kxHi; kx++) dx[image + ((iy0 + ky) * w + ix0 + kx) * c + ci] += g;
      }
    }
  });
}
