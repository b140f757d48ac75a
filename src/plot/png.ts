/**
 * PNG encoding, the one place that touches the encoder, so it can be swapped without touching the charts.
 *
 * fast-png (image-js, pure JavaScript over fflate's deflate) rather than pngjs: pngjs needs Node's zlib
 * and stream modules, which broke the browser and worker bundles (src/index.ts re-exports the plots);
 * fast-png runs unchanged in Node, browsers and workers.
 */
import { encode } from 'fast-png';

/** An 8-bit RGBA raster, row-major from the top-left pixel. */
export interface Raster {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes. */
  readonly data: Uint8Array;
}

/** A new raster filled with one opaque color. */
export function raster(width: number, height: number, rgb: readonly [number, number, number] = [255, 255, 255]): Raster {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = rgb[0];
    data[i + 1] = rgb[1];
    data[i + 2] = rgb[2];
    data[i + 3] = 255;
  }
  return { width, height, data };
}

/** Encodes a raster as PNG file bytes. */
export function encodePng(image: Raster): Uint8Array {
  // Every raster here is opaque: store RGB only (a quarter less to compress than RGBA).
  const pixels = image.width * image.height;
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    rgb[o] = image.data[i];
    rgb[o + 1] = image.data[i + 1];
    rgb[o + 2] = image.data[i + 2];
  }
  // Level 9: plots are small and written once, so the smallest file is worth the extra milliseconds.
  return encode({ width: image.width, height: image.height, data: rgb, depth: 8, channels: 3 }, { zlib: { level: 9 } });
}
