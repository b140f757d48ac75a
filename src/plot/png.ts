/**
 * PNG encoding, the one place that touches pngjs (a maintained pure-JS encoder over zlib), so the
 * encoder can be swapped without touching the charts.
 */
import { PNG } from 'pngjs';

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
  // Every raster here is opaque: store RGB only (a quarter smaller than RGBA).
  const png = new PNG({ width: image.width, height: image.height, colorType: 2, inputColorType: 6, inputHasAlpha: true });
  png.data.set(image.data);
  const bytes = PNG.sync.write(png);
  // A plain Uint8Array view of the Buffer, so callers see the same type in every environment.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
