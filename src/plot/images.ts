/**
 * Grids of small images (digits): as a PNG, or as an SVG that embeds the PNG and writes a caption
 * under each image (text is left to SVG, where it is sharp and searchable, rather than drawn in pixels).
 */
import { FONT } from './axis.js';
import { fail, integer, numbers } from './check.js';
import { INK, PALETTE } from './color.js';
import { frame } from './frame.js';
import { encodePng, raster, type Raster } from './png.js';
import { el, embeddedPng, escapeXml, svgDocument, text, textWidth } from './svg.js';

/** What imageGrid() draws: n same-sized images in a grid of tiles. */
export interface ImageGridOptions {
  /** n images back to back, each height × width × channels (channels last), or height × width. */
  readonly images: ArrayLike<number>;
  /** Each image's height, in pixels. */
  readonly height: number;
  /** Each image's width, in pixels. */
  readonly width: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA, alpha ignored). @default 1 */
  readonly channels?: number;
  /** How many images to draw. @default all: images.length / (height·width·channels) */
  readonly n?: number;
  /** Images per row. @default min(n, 10) */
  readonly columns?: number;
  /** Each image pixel becomes scale × scale pixels. @default 2 */
  readonly scale?: number;
  /** White pixels between images. @default 2 */
  readonly gap?: number;
  /**
   * The values shown as black and white: a fixed [lo, hi], or 'auto' for each image's own min and
   * max. @default [0, 255] for Uint8Array images, else [0, 1]
   */
  readonly range?: readonly [number, number] | 'auto';
  /** Draw dark on light (value lo as white). @default false */
  readonly invert?: boolean;
}

/** Where each image of a grid landed in the raster. */
interface GridLayout {
  readonly image: Raster;
  readonly n: number;
  readonly columns: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  /** Distance from one row of tiles to the next (tile, caption band, gap). */
  readonly rowPitch: number;
  /** Distance from one column to the next (the wider of tile and caption, plus the gap). */
  readonly colPitch: number;
  /** Where the tile starts inside its column (tiles are centered under wide captions). */
  readonly tileOffset: number;
}

/** Room reserved under every tile for its caption. */
interface CaptionBox {
  readonly height: number;
  readonly width: number;
}

/**
 * Paints the images into one raster. With a caption box, every column is at least as wide as the
 * box and a white band of its height is left under each row of tiles.
 */
function layoutGrid(fn: string, options: ImageGridOptions, caption: CaptionBox = { height: 0, width: 0 }): GridLayout {
  if (options === null || typeof options !== 'object') fail(fn, 'options must be an object');
  const images = numbers(fn, 'options.images', options.images);
  const h = integer(fn, 'options.height', options.height);
  const w = integer(fn, 'options.width', options.width);
  const channels = integer(fn, 'options.channels', options.channels ?? 1);
  if (channels !== 1 && channels !== 3 && channels !== 4) fail(fn, `options.channels must be 1, 3 or 4, got ${channels}`);
  const size = h * w * channels;
  const available = Math.floor(images.length / size);
  const n = integer(fn, 'options.n', options.n ?? available, 0);
  if (n * size > images.length) fail(fn, `options.images holds ${images.length} values, fewer than n × height × width × channels = ${n * size}`);
  if (options.n === undefined && images.length % size !== 0) {
    fail(fn, `options.images length ${images.length} is not a multiple of height × width × channels = ${size}; pass options.n`);
  }
  const columns = integer(fn, 'options.columns', options.columns ?? Math.max(1, Math.min(n, 10)));
  const scale = integer(fn, 'options.scale', options.scale ?? 2);
  const gap = integer(fn, 'options.gap', options.gap ?? 2, 0);
  const range = options.range ?? (images instanceof Uint8Array || images instanceof Uint8ClampedArray ? [0, 255] : [0, 1]);
  if (range !== 'auto' && (!Array.isArray(range) || range.length !== 2 || !(range[0] < range[1]) || !range.every(Number.isFinite))) {
    fail(fn, `options.range must be 'auto' or [lo, hi] with lo < hi, got ${JSON.stringify(range)}`);
  }
  const rows = Math.ceil(n / columns);
  const tileWidth = w * scale;
  const tileHeight = h * scale;
  const colPitch = Math.max(tileWidth, Math.ceil(caption.width)) + gap;
  const tileOffset = Math.floor((colPitch - gap - tileWidth) / 2);
  const rowPitch = tileHeight + caption.height + gap;
  // Light tiles (inverted) would melt into white gaps; grey gaps keep them apart when there are no
  // captions (the SVG grid outlines its tiles instead, keeping the caption bands white).
  const background: [number, number, number] = options.invert && caption.height === 0 ? [190, 190, 190] : [255, 255, 255];
  const image = raster(Math.max(1, columns * colPitch - gap), Math.max(1, rows * rowPitch - gap), background);
  for (let i = 0; i < n; i++) {
    const base = i * size;
    let lo: number;
    let hi: number;
    if (range === 'auto') {
      lo = Infinity;
      hi = -Infinity;
      for (let k = 0; k < size; k++) {
        const v = images[base + k];
        if (Number.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
      if (!(hi > lo)) hi = lo + 1; // a constant image shows as black, not as a division by zero
    } else {
      [lo, hi] = range;
    }
    const x0 = (i % columns) * colPitch + tileOffset;
    const y0 = Math.floor(i / columns) * rowPitch;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const p = base + (r * w + c) * channels;
        const rgb = [0, 1, 2].map((ch) => {
          const v = images[p + (channels === 1 ? 0 : ch)];
          const t = Number.isFinite(v) ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0;
          return Math.round(255 * (options.invert ? 1 - t : t));
        });
        for (let dy = 0; dy < scale; dy++) {
          let o = ((y0 + r * scale + dy) * image.width + x0 + c * scale) * 4;
          for (let dx = 0; dx < scale; dx++, o += 4) image.data.set(rgb, o);
        }
      }
    }
  }
  return { image, n, columns, tileWidth, tileHeight, rowPitch, colPitch, tileOffset };
}

/** The images as one PNG grid (no text), e.g. a batch of digits. */
export function imageGrid(options: ImageGridOptions): Uint8Array {
  return encodePng(layoutGrid('imageGrid', options).image);
}

/** A caption under one image; `parts` lets a caption mix colors (see misclassifiedGrid). */
export type Caption = string | readonly {
  /** This part's text. */
  readonly text: string;
  /** A CSS color for this part. @default the caption's own text color */
  readonly color?: string;
}[];

/** What captionedImageGrid() draws: an image grid with a caption under each image, as SVG. */
export interface CaptionedImageGridOptions extends ImageGridOptions {
  /** One caption per image, drawn under it. */
  readonly captions: readonly Caption[];
  /** A title above the grid. @default none */
  readonly title?: string;
}

/** The image grid as an SVG: the grid as an embedded PNG, a caption under each image, a title. */
export function captionedImageGrid(options: CaptionedImageGridOptions): string {
  return captionedGrid('captionedImageGrid', options);
}

function captionedGrid(fn: string, options: CaptionedImageGridOptions): string {
  if (options === null || typeof options !== 'object') fail(fn, 'options must be an object');
  const captions = options.captions;
  if (!Array.isArray(captions)) fail(fn, 'options.captions must be an array with one caption per image');
  const runs = captions.map((caption, i) => {
    const r = typeof caption === 'string' ? [{ text: caption }] : caption;
    if (!Array.isArray(r)) fail(fn, `options.captions[${i}] must be a string or an array of { text, color }`);
    return r.map((run) => ({ text: String(run.text), color: run.color }));
  });
  // Columns widen to the longest caption, up to three tiles wide; longer ones shrink their font.
  const tileWidth = (options.width ?? 0) * (options.scale ?? 2);
  const widest = Math.max(0, ...runs.map((r) => textWidth(r.map((run) => run.text).join(''), FONT.tick)));
  const columnWidth = Math.min(widest + 4, 3 * tileWidth);
  const band = FONT.tick + 6;
  const grid = layoutGrid(fn, options, { height: band, width: columnWidth });
  if (runs.length < grid.n) fail(fn, `options.captions has ${runs.length} captions for ${grid.n} images`);
  const title = options.title ?? '';
  const pad = 14;
  const width = Math.max(grid.image.width + 2 * pad, title ? textWidth(title, FONT.title) + 2 * pad : 0);
  // Only the title's layout is wanted from frame() here (the height follows from the grid below).
  const { plot, parts } = frame({ width, height: Number.MAX_SAFE_INTEGER, title: title || undefined, margin: { left: pad, right: pad, bottom: 0 } });
  const x0 = plot.x + (width - 2 * pad - grid.image.width) / 2;
  const y0 = plot.y;
  const texts: string[] = [];
  const outlines: string[] = [];
  for (let i = 0; i < grid.n; i++) {
    const all = runs[i].map((run) => run.text).join('');
    const size = Math.max(7, Math.min(FONT.tick, (grid.colPitch - 2) / Math.max(1, textWidth(all, 1))));
    const tx = x0 + (i % grid.columns) * grid.colPitch + grid.tileOffset;
    const ty = y0 + Math.floor(i / grid.columns) * grid.rowPitch;
    outlines.push(el('rect', { x: tx - 0.5, y: ty - 0.5, width: grid.tileWidth + 1, height: grid.tileHeight + 1 }));
    const spans = runs[i].map((run) => el('tspan', { fill: run.color }, escapeXml(run.text)));
    texts.push(el('text', { x: tx + grid.tileWidth / 2, y: ty + grid.tileHeight + size + 2, 'font-size': Math.round(size * 10) / 10 }, ...spans));
  }
  const height = y0 + grid.image.height + pad;
  return svgDocument(width, height, title || 'image grid', [
    ...parts,
    embeddedPng(encodePng(grid.image), x0, y0, grid.image.width, grid.image.height, true),
    el('g', { fill: 'none', stroke: '#bbbbbb', 'stroke-width': 1 }, ...outlines),
    el('g', { 'text-anchor': 'middle', fill: INK.text }, ...texts),
  ]);
}

/** What misclassifiedGrid() draws: the images a model got wrong, each captioned with its true and predicted class. */
export interface MisclassifiedGridOptions extends Omit<ImageGridOptions, 'n'> {
  /** The true class of every image. */
  readonly trueLabels: ArrayLike<number>;
  /** The predicted class of every image. */
  readonly predicted: ArrayLike<number>;
  /** Class names for the captions. @default the class numbers */
  readonly labels?: readonly string[];
  /** At most this many images are shown (the first ones, in data order). @default 50 */
  readonly limit?: number;
  /** @default 'Misclassified (true → predicted)' with the counts appended */
  readonly title?: string;
}

/** The images whose prediction is wrong, each captioned "true→predicted" (the prediction in vermillion). */
export function misclassifiedGrid(options: MisclassifiedGridOptions): string {
  const fn = 'misclassifiedGrid';
  if (options === null || typeof options !== 'object') fail(fn, 'options must be an object');
  const truth = numbers(fn, 'options.trueLabels', options.trueLabels);
  const predicted = numbers(fn, 'options.predicted', options.predicted);
  if (predicted.length !== truth.length) fail(fn, `options.predicted has ${predicted.length} labels, options.trueLabels ${truth.length}`);
  const images = numbers(fn, 'options.images', options.images);
  const size = integer(fn, 'options.height', options.height) * integer(fn, 'options.width', options.width) * (options.channels ?? 1);
  if (images.length < truth.length * size) {
    fail(fn, `options.images holds ${images.length} values, fewer than ${truth.length} labelled images × ${size}`);
  }
  const limit = integer(fn, 'options.limit', options.limit ?? 50, 0);
  const name = (k: number): string => (options.labels && options.labels[k] !== undefined ? options.labels[k] : String(k));
  const wrong: number[] = [];
  for (let i = 0; i < truth.length; i++) if (truth[i] !== predicted[i]) wrong.push(i);
  const shown = wrong.slice(0, limit);
  const title = options.title ?? `Misclassified (true \u2192 predicted): ${shown.length < wrong.length ? `first ${shown.length} of ` : ''}${wrong.length} errors in ${truth.length} images`;
  if (shown.length === 0) {
    const width = Math.max(320, textWidth(title, FONT.title) + 28);
    return svgDocument(width, 90, title, [
      ...frame({ width, height: 90, title, margin: { left: 14, right: 14, bottom: 0 } }).parts,
      text('no misclassified images', { x: width / 2, y: 66, 'text-anchor': 'middle', fill: INK.muted }),
    ]);
  }
  // Gather the chosen images into one contiguous block for the grid.
  const picked = new Float32Array(shown.length * size);
  shown.forEach((i, j) => {
    for (let k = 0; k < size; k++) picked[j * size + k] = images[i * size + k];
  });
  const range = options.range ?? (images instanceof Uint8Array || images instanceof Uint8ClampedArray ? [0, 255] as const : undefined);
  const captions = shown.map((i): Caption => [{ text: `${name(truth[i])}\u2192` }, { text: name(predicted[i]), color: PALETTE[1] }]);
  return captionedGrid(fn, { ...options, images: picked, n: shown.length, range, captions, title });
}
