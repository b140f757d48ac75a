/**
 * The decision boundary of a classifier over a 2-D input: a heat map of P(class | x) with the data
 * points drawn over it, as in the course's 2-D examples and TensorFlow Playground.
 */
import { FONT, linearAxis, renderAxes, xAxisHeight, yAxisWidth, type Axis, type Rect } from './axis.js';
import { fail, integer, labels as checkLabels, numbers, positive } from './check.js';
import { INK, WHITE, mix, parseHex, seriesColor, type Rgb } from './color.js';
import { frame, type LegendItem } from './frame.js';
import { encodePng, raster, type Raster } from './png.js';
import { el, embeddedPng, num, svgDocument, text } from './svg.js';

/** The rectangle of input space to draw. */
export interface Bounds {
  /** The left edge (the first input's smallest value drawn). */
  readonly xMin: number;
  /** The right edge; greater than xMin. */
  readonly xMax: number;
  /** The bottom edge (the second input's smallest value drawn). */
  readonly yMin: number;
  /** The top edge; greater than yMin. */
  readonly yMax: number;
}

/** What decisionBoundary() draws: a classifier of 2-D inputs over a rectangle, with the data on top. */
export interface DecisionBoundaryOptions {
  /**
   * Class probabilities for n inputs: `xy` holds n (x, y) pairs back to back, the result n rows of
   * `classes` probabilities (or, with 2 classes, n values of P(class 1), as a sigmoid gives). Called
   * ONCE with every grid point.
   */
  readonly predict: (xy: Float32Array, n: number) => ArrayLike<number>;
  /** The data: x holds n (x, y) pairs, y their classes in [0, classes). */
  readonly points: {
    /** n (x, y) pairs back to back. */
    readonly x: ArrayLike<number>;
    /** The class of each point, in [0, classes). */
    readonly y: ArrayLike<number>;
  };
  /** How many classes predict() tells apart (2 or more). */
  readonly classes: number;
  /** Class names for the legend. @default 'class 0', 'class 1', … */
  readonly labels?: readonly string[];
  /** The region drawn. @default the points' extent plus a margin of 10% of the larger span */
  readonly bounds?: Bounds;
  /** Heat-map cells along the longer side. @default 200 */
  readonly resolution?: number;
  /** Darken the cells where the most probable class changes. @default true */
  readonly boundaryLine?: boolean;
  /** At most this many points are drawn (an even subsample beyond it keeps the SVG small). @default 2000 */
  readonly maxPoints?: number;
  /** @default 'Decision boundary' */
  readonly title?: string;
  /** @default 'x₁' */
  readonly xLabel?: string;
  /** @default 'x₂' */
  readonly yLabel?: string;
  /** @default 560 */
  readonly width?: number;
  /** @default 560 */
  readonly height?: number;
  /**
   * 'svg': the full figure (axes, legend, the heat map as an embedded PNG, points as circles).
   * 'png': the heat map alone at `resolution`, with the points drawn in; no text or axes.
   * @default 'svg'
   */
  readonly format?: 'svg' | 'png';
}

/** Resolved, validated inputs. */
interface Problem {
  readonly classes: number;
  readonly px: ArrayLike<number>;
  readonly py: ArrayLike<number>;
  /** Each point's class. */
  readonly labels: ArrayLike<number>;
  readonly count: number;
  readonly colors: readonly Rgb[];
}

const FN = 'decisionBoundary';

/** The figure as SVG, or with format 'png' the heat map with points as PNG bytes. */
export function decisionBoundary(options: DecisionBoundaryOptions & { readonly format: 'png' }): Uint8Array;
export function decisionBoundary(options: DecisionBoundaryOptions & { readonly format?: 'svg' }): string;
export function decisionBoundary(options: DecisionBoundaryOptions): string | Uint8Array;
export function decisionBoundary(options: DecisionBoundaryOptions): string | Uint8Array {
  if (options === null || typeof options !== 'object') fail(FN, 'options must be an object');
  if (typeof options.predict !== 'function') fail(FN, 'options.predict must be a function (xy, n) => probabilities');
  const format = options.format ?? 'svg';
  if (format !== 'svg' && format !== 'png') fail(FN, `options.format must be 'svg' or 'png', got '${String(format)}'`);
  const problem = resolveProblem(options);
  const { x, y } = axes(options.bounds, problem);
  const resolution = integer(FN, 'options.resolution', options.resolution ?? 200, 2);
  const spanX = x.domain[1] - x.domain[0];
  const spanY = y.domain[1] - y.domain[0];
  // Square cells: the longer side gets `resolution` of them.
  const cols = spanX >= spanY ? resolution : Math.max(2, Math.round((resolution * spanX) / spanY));
  const rows = spanY >= spanX ? resolution : Math.max(2, Math.round((resolution * spanY) / spanX));
  const heat = heatMap(options.predict, problem, x, y, cols, rows, options.boundaryLine ?? true);
  if (format === 'png') {
    drawPointsInto(heat, problem, x, y, options.maxPoints);
    return encodePng(heat);
  }
  return figure(options, problem, x, y, heat);
}

function resolveProblem(options: DecisionBoundaryOptions): Problem {
  const classes = integer(FN, 'options.classes', options.classes, 1);
  if (options.points === null || typeof options.points !== 'object') fail(FN, 'options.points must be { x, y }');
  const xy = numbers(FN, 'options.points.x', options.points.x);
  const labels = numbers(FN, 'options.points.y', options.points.y);
  if (xy.length !== 2 * labels.length) {
    fail(FN, `options.points.x must hold 2 values per point: ${labels.length} labels need ${2 * labels.length}, got ${xy.length}`);
  }
  const px = new Float64Array(labels.length);
  const py = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    if (!Number.isInteger(k) || k < 0 || k >= classes) fail(FN, `options.points.y[${i}] is ${k}, not a class in [0, ${classes})`);
    px[i] = xy[2 * i];
    py[i] = xy[2 * i + 1];
    if (!Number.isFinite(px[i]) || !Number.isFinite(py[i])) fail(FN, `options.points.x has a non-finite coordinate at point ${i}`);
  }
  const colors = Array.from({ length: classes }, (_, k) => parseHex(seriesColor(k)));
  return { classes, px, py, labels, count: labels.length, colors };
}

function axes(bounds: Bounds | undefined, problem: Problem): { x: Axis; y: Axis } {
  if (bounds !== undefined) {
    const { xMin, xMax, yMin, yMax } = bounds;
    for (const [name, v] of Object.entries({ xMin, xMax, yMin, yMax })) {
      if (!Number.isFinite(v)) fail(FN, `options.bounds.${name} must be a finite number, got ${String(v)}`);
    }
    if (!(xMin < xMax) || !(yMin < yMax)) fail(FN, `options.bounds must have xMin < xMax and yMin < yMax, got ${JSON.stringify(bounds)}`);
    return { x: linearAxis(xMin, xMax, { cover: false }), y: linearAxis(yMin, yMax, { cover: false }) };
  }
  if (problem.count === 0) fail(FN, 'options.bounds is needed when there are no points to take it from');
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < problem.count; i++) {
    x0 = Math.min(x0, problem.px[i]);
    x1 = Math.max(x1, problem.px[i]);
    y0 = Math.min(y0, problem.py[i]);
    y1 = Math.max(y1, problem.py[i]);
  }
  // The same absolute margin on both axes keeps the geometry of the data undistorted; widening
  // further to whole ticks could waste half the picture on empty space.
  const pad = 0.1 * Math.max(x1 - x0, y1 - y0) || 1;
  return { x: linearAxis(x0 - pad, x1 + pad, { cover: false }), y: linearAxis(y0 - pad, y1 + pad, { cover: false }) };
}

/**
 * The heat-map colour of one point from its class probabilities p (summing to 1): the
 * probability-weighted mix of the class colours, faded toward white as the prediction nears uniform, so
 * confidence reads as saturation (white where the model cannot tell, the class's tint where it is
 * sure). NaN probabilities (a diverged model) give white. Exported so live views (the playground's
 * canvas) colour cells exactly as decisionBoundary() does.
 */
export function probabilityColor(p: ArrayLike<number>, colors: readonly Rgb[]): Rgb {
  const K = p.length;
  let best = 0;
  let r = 0, g = 0, b = 0;
  for (let k = 0; k < K; k++) {
    if (p[k] > p[best]) best = k;
    r += p[k] * colors[k][0];
    g += p[k] * colors[k][1];
    b += p[k] * colors[k][2];
  }
  const confidence = K > 1 ? (p[best] - 1 / K) / (1 - 1 / K) : 1;
  return Number.isFinite(confidence) ? mix(WHITE, [r, g, b], 0.1 + 0.55 * confidence) : WHITE;
}

/**
 * Colors every grid cell from its class probabilities (see probabilityColor): the probability-weighted mix of the class
 * colors, faded toward white as the prediction nears uniform, so confidence reads as saturation
 * (white where the model cannot tell, the class's tint where it is sure).
 */
function heatMap(
  predict: DecisionBoundaryOptions['predict'], problem: Problem, x: Axis, y: Axis, cols: number, rows: number, boundaryLine: boolean,
): Raster {
  const n = cols * rows;
  const grid = new Float32Array(2 * n);
  const dx = (x.domain[1] - x.domain[0]) / cols;
  const dy = (y.domain[1] - y.domain[0]) / rows;
  // Row-major from the top-left cell, so cell i is pixel i of the image (y grows downward).
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      grid[2 * i] = x.domain[0] + (c + 0.5) * dx;
      grid[2 * i + 1] = y.domain[1] - (r + 0.5) * dy;
    }
  }
  const K = problem.classes;
  const out = predict(grid, n);
  if (out === null || typeof out !== 'object' || typeof out.length !== 'number') {
    fail(FN, `options.predict must return an array of probabilities, got ${String(out)}`);
  }
  const sigmoid = K === 2 && out.length === n;
  if (!sigmoid && out.length !== n * K) {
    fail(FN, `options.predict returned ${out.length} values for ${n} grid points; expected ${n} × ${K} classes = ${n * K}`);
  }
  const image = raster(cols, rows);
  const argmax = new Int32Array(n);
  const p = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < K; k++) {
      p[k] = sigmoid ? (k === 1 ? out[i] : 1 - out[i]) : out[i * K + k];
      sum += p[k];
    }
    if (!(Math.abs(sum - 1) <= 0.01) || p.some((v) => !(v >= -1e-6))) {
      fail(FN, `options.predict must return probabilities (each row ≥ 0, summing to 1): row ${i} sums to ${sum}; apply softmax to logits`);
    }
    let best = 0;
    for (let k = 0; k < K; k++) {
      p[k] /= sum;
      if (p[k] > p[best]) best = k;
    }
    argmax[i] = best;
    const c = probabilityColor(p, problem.colors);
    image.data.set([c[0], c[1], c[2]], i * 4);
  }
  if (boundaryLine) {
    const dark: Rgb = [40, 40, 40];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        const edge = (c + 1 < cols && argmax[i + 1] !== argmax[i]) || (r + 1 < rows && argmax[i + cols] !== argmax[i]);
        if (!edge) continue;
        const o = i * 4;
        const d = mix([image.data[o], image.data[o + 1], image.data[o + 2]], dark, 0.45);
        image.data.set([d[0], d[1], d[2]], o);
      }
    }
  }
  return image;
}

/** The indices of the points drawn: all, or an even subsample of maxPoints. */
function shownPoints(problem: Problem, maxPoints: number | undefined): number[] {
  const limit = integer(FN, 'options.maxPoints', maxPoints ?? 2000, 0);
  const shown = Math.min(problem.count, limit);
  return Array.from({ length: shown }, (_, j) => Math.floor((j * problem.count) / shown));
}

/** Points as discs with a dark rim, painted into the heat map itself (the PNG output). */
function drawPointsInto(image: Raster, problem: Problem, x: Axis, y: Axis, maxPoints: number | undefined): void {
  const radius = Math.max(1.5, image.width / 100);
  const sx = image.width / (x.domain[1] - x.domain[0]);
  const sy = image.height / (y.domain[1] - y.domain[0]);
  const rim: Rgb = [34, 34, 34];
  for (const i of shownPoints(problem, maxPoints)) {
    const cx = (problem.px[i] - x.domain[0]) * sx;
    const cy = (y.domain[1] - problem.py[i]) * sy;
    const fill = problem.colors[problem.labels[i]];
    for (let r = Math.floor(cy - radius - 1); r <= Math.ceil(cy + radius + 1); r++) {
      for (let c = Math.floor(cx - radius - 1); c <= Math.ceil(cx + radius + 1); c++) {
        if (r < 0 || c < 0 || r >= image.height || c >= image.width) continue;
        const d = Math.hypot(c + 0.5 - cx, r + 0.5 - cy);
        if (d > radius + 1) continue;
        const color = d <= radius ? fill : rim;
        image.data.set([color[0], color[1], color[2]], (r * image.width + c) * 4);
      }
    }
  }
}

/** The SVG figure: title, class legend, axes, the heat map stretched over the plot, points on top. */
function figure(options: DecisionBoundaryOptions, problem: Problem, x: Axis, y: Axis, heat: Raster): string {
  const names = checkLabels(FN, 'options.labels', options.labels, problem.classes) ?? Array.from({ length: problem.classes }, (_, k) => `class ${k}`);
  const legend: LegendItem[] = names.map((label, k) => ({ label, color: seriesColor(k), kind: 'dot' }));
  const xLabel = options.xLabel ?? 'x\u2081';
  const yLabel = options.yLabel ?? 'x\u2082';
  const title = options.title ?? 'Decision boundary';
  const margin = { left: 14 + yAxisWidth(y, yLabel), right: 24 + colorBarWidth(problem.classes), bottom: 8 + xAxisHeight(xLabel) };
  let width = positive(FN, 'options.width', options.width ?? 560);
  let height = positive(FN, 'options.height', options.height ?? 560);
  // Equal scale on both axes (a circle in the data stays a circle): shrink the figure around a plot
  // of the data's aspect ratio, then lay it out again at that size.
  const first = frame({ width, height, title, legend, margin }).plot;
  const scale = Math.min(first.width / (x.domain[1] - x.domain[0]), first.height / (y.domain[1] - y.domain[0]));
  width -= first.width - scale * (x.domain[1] - x.domain[0]);
  height -= first.height - scale * (y.domain[1] - y.domain[0]);
  const { plot, parts } = frame({ width, height, title, legend, margin });
  const body = [...parts, embeddedPng(encodePng(heat), plot.x, plot.y, plot.width, plot.height)];
  body.push(...renderAxes(plot, x, y, { xLabel, yLabel, grid: false }));
  body.push(points(problem, x, y, plot, options.maxPoints));
  body.push(...colorBar(problem, plot));
  return svgDocument(width, height, title, body);
}

/** Width of one class's strip in the colour bar, the gap before the bar, and room for its labels. */
const BAR = { strip: 10, gap: 16, labels: 52 } as const;

function colorBarWidth(classes: number): number {
  return BAR.gap + classes * BAR.strip + BAR.labels;
}

/**
 * The key to the heat map's colours: one strip per class, from P = 1/K (bottom: the model cannot
 * tell, white) to P = 1 (top: sure), each cell coloured by probabilityColor() with the other classes
 * sharing the rest evenly, so a cell of the map reads off as "this class, this sure".
 */
function colorBar(problem: Problem, plot: Rect): string[] {
  const K = problem.classes;
  const steps = 64;
  const image = raster(K, steps);
  const p = new Float64Array(K);
  const low = K > 1 ? 1 / K : 0;
  for (let r = 0; r < steps; r++) {
    const pk = 1 - (r / (steps - 1)) * (1 - low);
    for (let k = 0; k < K; k++) {
      p.fill(K > 1 ? (1 - pk) / (K - 1) : 0);
      p[k] = pk;
      const c = probabilityColor(p, problem.colors);
      image.data.set([c[0], c[1], c[2]], (r * K + k) * 4);
    }
  }
  const x0 = plot.x + plot.width + BAR.gap;
  const width = K * BAR.strip;
  const height = Math.min(plot.height, 220);
  const y0 = plot.y + (plot.height - height) / 2;
  const axis = linearAxis(low, 1, { target: 4, cover: false });
  const ticks = [...new Set([low, ...axis.ticks, 1])].filter((v, i, all) => i === 0 || v - all[i - 1] > 0.08 * (1 - low));
  const labelX = x0 + width + 4;
  const out = [
    embeddedPng(encodePng(image), x0, y0, width, height, true),
    el('rect', { x: x0, y: y0, width, height, fill: 'none', stroke: '#444444', 'stroke-width': 0.8 }),
  ];
  const labels = ticks.map((v) => {
    const ty = y0 + ((1 - v) / (1 - low)) * height;
    return el('line', { x1: x0 + width, y1: ty, x2: x0 + width + 3, y2: ty, stroke: '#444444' }) +
      text(Number.isInteger(v) ? String(v) : v.toFixed(2), { x: labelX + 2, y: ty + 4 });
  });
  out.push(el('g', { 'font-size': FONT.tick, fill: INK.text }, ...labels));
  const cx = labelX + 38;
  const cy = y0 + height / 2;
  out.push(text('P(class | x)', { x: cx, y: cy, 'text-anchor': 'middle', transform: `rotate(-90 ${num(cx)} ${num(cy)})`, 'font-size': FONT.label, fill: INK.text }));
  return out;
}

/** The data points as circles in their class colors, in data order so no class hides the others. */
function points(problem: Problem, x: Axis, y: Axis, plot: Rect, maxPoints: number | undefined): string {
  const shown = shownPoints(problem, maxPoints);
  const r = shown.length <= 200 ? 4.5 : shown.length <= 1000 ? 3.5 : 2.5;
  const sx = plot.width / (x.domain[1] - x.domain[0]);
  const sy = plot.height / (y.domain[1] - y.domain[0]);
  const circles: string[] = [];
  for (const i of shown) {
    const cx = plot.x + (problem.px[i] - x.domain[0]) * sx;
    const cy = plot.y + (y.domain[1] - problem.py[i]) * sy;
    // Points outside explicit bounds are left out rather than drawn over the axes.
    if (cx < plot.x || cx > plot.x + plot.width || cy < plot.y || cy > plot.y + plot.height) continue;
    circles.push(el('circle', { cx, cy, r, fill: seriesColor(problem.labels[i]) }));
  }
  return el('g', { stroke: '#222222', 'stroke-width': 0.8 }, ...circles);
}
