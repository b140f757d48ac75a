/**
 * Pure-JS twins of assembly/conv.ts (im2col, col2im), in the same order, so the results have the same
 * bits: im2col only copies (Float32Array.set keeps every bit), col2im adds each tap with f32 rounding
 * (the store into the Float32Array) in the order (n, oy, ox, ky, kx, ci).
 */

/** TensorFlow's 'same' padding before the first row or column (0 for 'valid'); see assembly/conv.ts. */
export function padBefore(same: boolean, out: number, stride: number, k: number, dilation: number, size: number): number {
  if (!same) return 0;
  const total = (out - 1) * stride + (k - 1) * dilation + 1 - size;
  return total > 0 ? Math.floor(total / 2) : 0;
}

/** The geometry both kernels share, and a visitor over every tap inside the image. */
function eachTap(
  m: number, h: number, w: number, c: number, kh: number, kw: number, strideH: number, strideW: number,
  dilationH: number, dilationW: number, outH: number, outW: number, same: boolean,
  visit: (colAt: number, pixelAt: number) => void,
): void {
  const padTop = padBefore(same, outH, strideH, kh, dilationH, h);
  const padLeft = padBefore(same, outW, strideW, kw, dilationW, w);
  let col = 0;
  for (let n = 0; n < m; n++) {
    const image = n * h * w * c;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strideH - padTop + ky * dilationH;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strideW - padLeft + kx * dilationW;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) visit(col, image + (iy * w + ix) * c);
            col += c;
          }
        }
      }
    }
  }
}

export function im2col(
  x: Float32Array, cols: Float32Array, m: number, h: number, w: number, c: number, kh: number, kw: number,
  strideH: number, strideW: number, dilationH: number, dilationW: number, outH: number, outW: number, same: boolean,
): void {
  cols.fill(0, 0, m * outH * outW * kh * kw * c);
  eachTap(m, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, outH, outW, same, (col, pixel) => {
    cols.set(x.subarray(pixel, pixel + c), col);
  });
}

export function col2im(
  cols: Float32Array, dx: Float32Array, m: number, h: number, w: number, c: number, kh: number, kw: number,
  strideH: number, strideW: number, dilationH: number, dilationW: number, outH: number, outW: number, same: boolean, accumulate: boolean,
): void {
  if (!accumulate) dx.fill(0, 0, m * h * w * c);
  eachTap(m, h, w, c, kh, kw, strideH, strideW, dilationH, dilationW, outH, outW, same, (col, pixel) => {
    for (let ci = 0; ci < c; ci++) dx[pixel + ci] += cols[col + ci];
  });
}
