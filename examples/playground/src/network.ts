/**
 * The network diagram, as TensorFlow Playground draws it: every neuron is a small heat map of its
 * output over the input plane, and every weight a line whose colour is its sign and whose thickness
 * is its size. The worker computes the maps (neuronView, from the model's weights); the page draws
 * them (drawNetwork).
 */
import { activationAlpha, activationSpec, type ActivationName } from '../../../src/backend/activations.js';
import type { WeightTensor } from '../../../src/model/weights.js';
import { INK, mix, parseHex, seriesColor, WHITE, type Rgb } from '../../../src/plot/color.js';
import { fitCanvas } from './draw.js';

/** Cells per side of each neuron's map (small: up to 8 neurons per layer are drawn ~20 px wide). */
export const NEURON_GRID = 16;
/** Neurons drawn per layer; wider layers show their first ones and a count. */
export const SHOWN_PER_LAYER = 8;

/** What the diagram draws: per layer, the shown neurons' maps and the kernels between them. */
export interface NeuronView {
  /** Every layer's width, inputs first, outputs last. */
  readonly widths: readonly number[];
  /** Cells per side of each map. */
  readonly size: number;
  /** For each layer, its first min(width, SHOWN_PER_LAYER) neurons' maps back to back (size² values each). */
  readonly maps: readonly Float32Array[];
  /** For each pair of layers, the kernel [in, out] row-major (every weight, not only the shown ones). */
  readonly kernels: readonly Float32Array[];
  /** 'probability': the output layer's values are softmax probabilities (or a neuron's output in [0, 1]). */
  readonly outputKind: 'probability' | 'activation';
}

/** How the worker's model is built (setup.ts makeModel): enough to run its forward pass in plain JS. */
export interface NetworkShape {
  readonly model: 'network' | 'neuron';
  readonly activation: ActivationName;
  /** The sigmoid's slope; the other activations use their default parameter. */
  readonly slope: number;
}

/**
 * Each neuron's output over `grid` (size² points, xy pairs), from the dense layers' weights in
 * getWeights()' order (kernel, bias per layer; dropout is off outside training). Float64 on the
 * activation's definition: this is a picture, not the training arithmetic.
 */
export function neuronView(weights: readonly WeightTensor[], shape: NetworkShape, grid: Float32Array, size: number): NeuronView {
  const n = size * size;
  const spec = activationSpec(shape.activation);
  const alpha = activationAlpha(shape.activation, shape.activation === 'sigmoid' ? shape.slope : undefined);
  const f = spec.f64 ?? spec.f;
  let values = Float64Array.from(grid); // [n, width] row-major
  let width = 2;
  const widths = [2];
  const maps = [shownMaps(values, n, width)];
  const kernels: Float32Array[] = [];
  for (let l = 0; 2 * l + 1 < weights.length; l++) {
    const kernel = weights[2 * l].values;
    const bias = weights[2 * l + 1].values;
    const out = bias.length;
    const last = 2 * l + 3 > weights.length;
    const next = new Float64Array(n * out);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < out; j++) {
        let s = bias[j];
        for (let k = 0; k < width; k++) s += values[i * width + k] * kernel[k * out + j];
        next[i * out + j] = last && shape.model === 'network' ? s : f(s, alpha);
      }
      if (last && shape.model === 'network') softmaxRow(next, i * out, out);
    }
    kernels.push(kernel);
    values = next;
    width = out;
    widths.push(out);
    maps.push(shownMaps(values, n, width));
  }
  return { widths, size, maps, kernels, outputKind: shape.model === 'network' || isUnitInterval(shape.activation) ? 'probability' : 'activation' };
}

/** The sigmoid and the step give outputs in [0, 1], read as P(class 1) like a probability. */
function isUnitInterval(name: ActivationName): boolean {
  return name === 'sigmoid' || name === 'step';
}

function softmaxRow(v: Float64Array, at: number, k: number): void {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, v[at + j]);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += (v[at + j] = Math.exp(v[at + j] - max));
  for (let j = 0; j < k; j++) v[at + j] /= sum;
}

/** The first SHOWN_PER_LAYER columns of an [n, width] matrix, each as n consecutive values. */
function shownMaps(values: Float64Array, n: number, width: number): Float32Array {
  const shown = Math.min(width, SHOWN_PER_LAYER);
  const maps = new Float32Array(shown * n);
  for (let j = 0; j < shown; j++) for (let i = 0; i < n; i++) maps[j * n + i] = values[i * width + j];
  return maps;
}

// ---- drawing (the page) ----

/** TensorFlow Playground's convention: orange below zero, white at zero, blue above. */
const NEGATIVE = parseHex('#E69F00');
const POSITIVE = parseHex('#0072B2');

function diverging(t: number): Rgb {
  if (!Number.isFinite(t)) return WHITE;
  return t < 0 ? mix(WHITE, NEGATIVE, Math.min(1, -t)) : mix(WHITE, POSITIVE, Math.min(1, t));
}

const css = (c: Rgb): string => `rgb(${Math.round(c[0])},${Math.round(c[1])},${Math.round(c[2])})`;

/** Layout of the diagram in CSS pixels. */
const BOX = 22;
const ROW = 27;
const PAD = { top: 6, bottom: 16, side: 4 } as const;

/** The diagram's height for these layer widths. */
export function networkHeight(widths: readonly number[]): number {
  const rows = Math.max(...widths.map((w) => Math.min(w, SHOWN_PER_LAYER)));
  return PAD.top + rows * ROW + PAD.bottom;
}

/**
 * Draws the layers as columns of neuron maps joined by weight lines. Without a view (before the
 * worker's first one) the neurons are drawn empty and the lines thin grey.
 */
export function drawNetwork(canvas: HTMLCanvasElement, width: number, widths: readonly number[], view: NeuronView | null): void {
  const height = networkHeight(widths);
  const ctx = fitCanvas(canvas, width, height);
  ctx.clearRect(0, 0, width, height);
  const shown = (w: number): number => Math.min(w, SHOWN_PER_LAYER);
  const left = PAD.side;
  const column = (i: number): number => left + (i * (width - 2 * left - BOX)) / Math.max(1, widths.length - 1);
  const rowTop = (j: number, w: number): number => PAD.top + (height - PAD.top - PAD.bottom) / 2 + (j - shown(w) / 2) * ROW + (ROW - BOX) / 2;
  const usable = view !== null && view.widths.length === widths.length && view.widths.every((w, i) => w === widths[i]);

  // Weights: one line per shown pair, coloured by sign, as thick as |w| relative to the layer's largest.
  for (let i = 0; i + 1 < widths.length; i++) {
    const kernel = usable ? view.kernels[i] : null;
    const out = widths[i + 1];
    let largest = 0;
    if (kernel !== null) for (const w of kernel) largest = Math.max(largest, Math.abs(w));
    for (let a = 0; a < shown(widths[i]); a++) {
      for (let b = 0; b < shown(out); b++) {
        const w = kernel !== null ? kernel[a * out + b] : 0;
        const size = largest > 0 ? Math.abs(w) / largest : 0;
        ctx.strokeStyle = kernel === null ? INK.grid : css(mix(WHITE, w < 0 ? NEGATIVE : POSITIVE, 0.25 + 0.75 * size));
        ctx.lineWidth = kernel === null ? 0.8 : 0.3 + 3.2 * size;
        ctx.beginPath();
        ctx.moveTo(column(i) + BOX, rowTop(a, widths[i]) + BOX / 2);
        ctx.lineTo(column(i + 1), rowTop(b, out) + BOX / 2);
        ctx.stroke();
      }
    }
  }

  // Neurons: each one's output over the input plane, painted into one strip of maps, then scaled.
  const classColors = Array.from({ length: Math.max(2, widths.at(-1) ?? 2) }, (_, k) => parseHex(seriesColor(k)));
  const atlas = usable ? paintMaps(view, classColors) : null;
  let tile = 0;
  widths.forEach((w, i) => {
    const last = i === widths.length - 1;
    for (let j = 0; j < shown(w); j++, tile++) {
      const x = column(i);
      const y = rowTop(j, w);
      if (atlas !== null && view !== null) {
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(atlas, tile * view.size, 0, view.size, view.size, x, y, BOX, BOX);
      } else {
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(x, y, BOX, BOX);
      }
      ctx.strokeStyle = last && widths.length > 2 ? seriesColor(j) : INK.axis;
      ctx.lineWidth = last && widths.length > 2 ? 1.6 : 0.8;
      ctx.strokeRect(x + 0.5, y + 0.5, BOX - 1, BOX - 1);
    }
    ctx.fillStyle = INK.muted;
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(w > SHOWN_PER_LAYER ? `${w} (${SHOWN_PER_LAYER} shown)` : String(w), column(i) + BOX / 2, height - 3);
  });
}

/** One canvas reused for the strip of neuron maps (a few dozen 16 × 16 tiles side by side). */
let strip: HTMLCanvasElement | null = null;

/**
 * Every shown neuron's map as one tile of a strip, layer after layer: hidden and input neurons on
 * the diverging scale, scaled to the map's largest |value|; output probabilities from white (0) to
 * the class colour (1), as the heat map shows them.
 */
function paintMaps(view: NeuronView, classColors: readonly Rgb[]): HTMLCanvasElement {
  const size = view.size;
  const n = size * size;
  const tiles = view.maps.reduce((sum, m) => sum + m.length / n, 0);
  strip ??= document.createElement('canvas');
  strip.width = tiles * size;
  strip.height = size;
  const image = new ImageData(tiles * size, size);
  let tile = 0;
  view.maps.forEach((maps, layer) => {
    const last = layer === view.maps.length - 1;
    const probability = last && view.outputKind === 'probability';
    for (let j = 0; j < maps.length / n; j++, tile++) {
      const map = maps.subarray(j * n, (j + 1) * n);
      let largest = 0;
      for (const v of map) largest = Math.max(largest, Math.abs(v));
      // A network's output j is class j; a single neuron's output is P(class 1).
      const tint = view.widths.length > 2 ? classColors[j] : classColors[1];
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          const v = map[r * size + c];
          const rgb = probability ? mix(WHITE, tint, Math.max(0, Math.min(1, v))) : diverging(largest > 0 ? v / largest : 0);
          const o = 4 * (r * tiles * size + tile * size + c);
          image.data[o] = rgb[0];
          image.data[o + 1] = rgb[1];
          image.data[o + 2] = rgb[2];
          image.data[o + 3] = 255;
        }
      }
    }
  });
  strip.getContext('2d')?.putImageData(image, 0, 0);
  return strip;
}
