/**
 * A picture of a convolution's filters: one tile per output channel, its kh×kw weights as pixels (RGB
 * when the layer reads 3 channels, one grey tile per input channel otherwise), each tile scaled to its
 * own range so that the pattern shows whatever the weights' size (what a trained first layer of a CNN
 * learned: strokes and edges on digits, colour blobs and edges on photographs).
 */
import { fail, integer, numbers } from './check.js';
import { captionedImageGrid } from './images.js';

/** What convFilters() draws. */
export interface ConvFiltersOptions {
  /** The kernel in Keras layout [kh, kw, inC, outC], row-major (as conv2d stores it). */
  readonly kernel: ArrayLike<number>;
  /** The kernel's shape [kh, kw, inC, outC]. */
  readonly shape: readonly [number, number, number, number];
  /** Draw at most this many filters (the first ones). @default 64 */
  readonly limit?: number;
  /** Each weight becomes scale × scale pixels. @default 48 / kw, at least 4 */
  readonly scale?: number;
  /** @default "Filters of the first convolution (outC of kh×kw×inC)" */
  readonly title?: string;
}

/** The filters as an SVG grid of tiles (embedded PNG), each captioned with its output channel. */
export function convFilters(options: ConvFiltersOptions): string {
  const fn = 'convFilters';
  if (options === null || typeof options !== 'object') fail(fn, 'options must be an object');
  const kernel = numbers(fn, 'options.kernel', options.kernel);
  const shape = options.shape;
  if (!Array.isArray(shape) || shape.length !== 4) fail(fn, 'options.shape must be [kh, kw, inC, outC]');
  const [kh, kw, inC, outC] = shape.map((d, i) => integer(fn, `options.shape[${i}]`, d));
  if (kernel.length !== kh * kw * inC * outC) fail(fn, `options.kernel holds ${kernel.length} values, but the shape [${shape.join(', ')}] needs ${kh * kw * inC * outC}`);
  const limit = integer(fn, 'options.limit', options.limit ?? 64);
  const scale = integer(fn, 'options.scale', options.scale ?? Math.max(4, Math.floor(48 / kw)));
  const shown = Math.min(outC, limit);
  // RGB filters are one tile each; otherwise one grey tile per (filter, input channel), a row per filter.
  const rgb = inC === 3;
  const perFilter = rgb ? 1 : inC;
  const channels = rgb ? 3 : 1;
  const tile = kh * kw * channels;
  const images = new Float32Array(shown * perFilter * tile);
  const captions: string[] = [];
  for (let o = 0; o < shown; o++) {
    for (let t = 0; t < perFilter; t++) {
      const base = (o * perFilter + t) * tile;
      for (let p = 0; p < kh * kw; p++) {
        for (let k = 0; k < channels; k++) {
          const ci = rgb ? k : t;
          images[base + p * channels + k] = kernel[(p * inC + ci) * outC + o];
        }
      }
      captions.push(perFilter === 1 ? String(o) : `${o}.${t}`);
    }
  }
  const title = options.title ?? `Filters of the first convolution (${shown < outC ? `${shown} of ` : ''}${outC} of ${kh}\u00d7${kw}\u00d7${inC})`;
  return captionedImageGrid({
    images, height: kh, width: kw, channels, n: shown * perFilter, range: 'auto', scale,
    columns: perFilter === 1 ? Math.min(shown, 16) : perFilter, captions, title,
  });
}
