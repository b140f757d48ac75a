/**
 * Axes: "nice" tick values (1-2-5 steps, or powers of ten on a log axis), their labels, the mapping
 * from data to pixels, and the drawing of ticks, grid and axis titles. Every chart with numeric axes
 * goes through here.
 */
import { INK } from './color.js';
import { el, num, text, textWidth } from './svg.js';

/** A rectangle in SVG pixels. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A numeric axis: the data interval it shows, where its ticks go, and how they are labelled. */
export interface Axis {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
  readonly log: boolean;
  /** The tick label of a value on this axis. */
  format(value: number): string;
}

/** Undoes binary rounding (0.1·3 = 0.30000000000000004) in tick values. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/**
 * Widens an empty or degenerate interval so it can hold ticks. A constant v is shown from 0 to 2v (or
 * 2v to 0): padding by a fraction of v instead labels the axis with noise digits (a constant learning
 * rate of 0.01 on a 0.009–0.011 axis looks like it varies), while 0 to 2v puts v on a round tick.
 */
function widen(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new Error(`plot: axis range must be finite with min ≤ max, got [${min}, ${max}]`);
  }
  if (max - min > 1e-12 * Math.max(Math.abs(min), Math.abs(max))) return [min, max];
  if (min > 0) return [0, 2 * max];
  if (max < 0) return [2 * min, 0];
  return [-1, 1];
}

/** The smallest step of the form {1, 2, 5}·10ᵏ that splits `span` into at most about `target` parts. */
export function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const base = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5]) if (m * base >= raw * (1 - 1e-9)) return clean(m * base);
  return clean(10 * base);
}

export interface TickOptions {
  /** About how many intervals to aim for. @default 5 */
  readonly target?: number;
  /** The smallest allowed step, e.g. 1 for epochs or steps. @default 0 */
  readonly minStep?: number;
  /**
   * true: the ticks enclose [min, max] (first ≤ min, last ≥ max) and become the axis domain;
   * false: the domain is exactly [min, max] and only ticks inside it are kept.
   * @default true
   */
  readonly cover?: boolean;
}

/** Ticks at multiples of a nice step; see TickOptions.cover for how they relate to [min, max]. */
export function niceTicks(min: number, max: number, options: TickOptions = {}): { ticks: number[]; step: number } {
  const [lo, hi] = widen(min, max);
  const step = Math.max(niceStep(hi - lo, options.target ?? 5), options.minStep ?? 0);
  const cover = options.cover ?? true;
  const eps = 1e-9;
  const first = cover ? Math.floor(lo / step + eps) : Math.ceil(lo / step - eps);
  const last = cover ? Math.ceil(hi / step - eps) : Math.floor(hi / step + eps);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(clean(k * step));
  return { ticks, step };
}

/** A typographic minus, which lines up with digits, for negative labels. */
function minus(label: string): string {
  return label.replace(/^-/, '\u2212');
}

/** The label of `value` on a linear axis with tick spacing `step`: just enough decimals, or an exponent when tiny or huge. */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  if (decimals > 4 || Math.abs(value) >= 1e6) return minus(exponential(value));
  return minus(value.toFixed(decimals));
}

/** 0.00015 → "1.5e-4". */
function exponential(value: number): string {
  return clean(value).toExponential().replace('e+', 'e');
}

/** A linear axis over the data interval [min, max]. */
export function linearAxis(min: number, max: number, options: TickOptions = {}): Axis {
  const { ticks, step } = niceTicks(min, max, options);
  const cover = options.cover ?? true;
  const domain: [number, number] = cover ? [ticks[0], ticks[ticks.length - 1]] : widen(min, max);
  return { domain, ticks, log: false, format: (v) => formatTick(v, step) };
}

/**
 * A base-10 log axis enclosing [min, max] (both > 0): ticks at powers of ten, with 2 and 5 between
 * them when the range spans at most two decades, and every k-th power when it spans many.
 */
export function logAxis(min: number, max: number): Axis {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) {
    throw new Error(`plot: a log axis needs 0 < min ≤ max, got [${min}, ${max}]`);
  }
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max) - 1e-9));
  const decades = hi - lo;
  const ticks: number[] = [];
  if (decades <= 2) {
    for (let e = lo; e <= hi; e++) {
      for (const m of e === hi ? [1] : [1, 2, 5]) ticks.push(clean(m * 10 ** e));
    }
  } else {
    const stride = Math.ceil(decades / 8);
    for (let e = lo; e <= hi; e += stride) ticks.push(clean(10 ** e));
  }
  const format = (v: number): string => (v >= 1e-3 && v < 1e4 ? String(clean(v)) : exponential(v));
  return { domain: [10 ** lo, 10 ** hi], ticks, log: true, format };
}

/** Maps a data value on `axis` to a pixel between `start` (domain[0]) and `end` (domain[1]). */
export function project(axis: Axis, value: number, start: number, end: number): number {
  const t = axis.log
    ? (Math.log10(value) - Math.log10(axis.domain[0])) / (Math.log10(axis.domain[1]) - Math.log10(axis.domain[0]))
    : (value - axis.domain[0]) / (axis.domain[1] - axis.domain[0]);
  return start + t * (end - start);
}

/** Font sizes shared by all charts. */
export const FONT = { tick: 11, label: 12, title: 15, legend: 12 } as const;

/** Horizontal room the y axis needs left of the plot: tick labels, tick marks and (if any) its title. */
export function yAxisWidth(axis: Axis, yLabel: string | undefined): number {
  const widest = Math.max(0, ...axis.ticks.map((t) => textWidth(axis.format(t), FONT.tick)));
  return widest + 10 + (yLabel ? FONT.label + 12 : 0);
}

/** Vertical room the x axis needs below the plot. */
export function xAxisHeight(xLabel: string | undefined): number {
  return 22 + (xLabel ? FONT.label + 10 : 0);
}

export interface AxesOptions {
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Light grid lines at the ticks (off over images). @default true */
  readonly grid?: boolean;
}

/** Ticks, tick labels, optional grid, the two axis lines and the axis titles around `plot`. */
export function renderAxes(plot: Rect, x: Axis, y: Axis, options: AxesOptions = {}): string[] {
  const out: string[] = [];
  const left = plot.x;
  const right = plot.x + plot.width;
  const top = plot.y;
  const bottom = plot.y + plot.height;
  const grid = options.grid ?? true;
  const gridLines: string[] = [];
  const marks: string[] = [];
  const labels: string[] = [];
  for (const t of x.ticks) {
    const px = project(x, t, left, right);
    if (grid) gridLines.push(`M${num(px)} ${num(top)}V${num(bottom)}`);
    marks.push(`M${num(px)} ${num(bottom)}v5`);
    labels.push(text(x.format(t), { x: px, y: bottom + 8 + FONT.tick * 0.8, 'text-anchor': 'middle' }));
  }
  for (const t of y.ticks) {
    const py = project(y, t, bottom, top);
    if (grid) gridLines.push(`M${num(left)} ${num(py)}H${num(right)}`);
    marks.push(`M${num(left)} ${num(py)}h-5`);
    labels.push(text(y.format(t), { x: left - 8, y: py + FONT.tick * 0.35, 'text-anchor': 'end' }));
  }
  if (gridLines.length > 0) out.push(el('path', { d: gridLines.join(''), stroke: INK.grid, 'stroke-width': 1, fill: 'none' }));
  out.push(el('path', { d: `M${num(left)} ${num(top)}V${num(bottom)}H${num(right)}` + marks.join(''), stroke: INK.axis, 'stroke-width': 1, fill: 'none' }));
  out.push(el('g', { 'font-size': FONT.tick, fill: INK.text }, ...labels));
  if (options.xLabel) {
    out.push(text(options.xLabel, { x: left + plot.width / 2, y: bottom + 22 + FONT.label + 4, 'text-anchor': 'middle', 'font-size': FONT.label, fill: INK.text }));
  }
  if (options.yLabel) {
    const widest = Math.max(0, ...y.ticks.map((t) => textWidth(y.format(t), FONT.tick)));
    const lx = left - 10 - widest - 8;
    const ly = top + plot.height / 2;
    out.push(text(options.yLabel, { x: lx, y: ly, 'text-anchor': 'middle', transform: `rotate(-90 ${num(lx)} ${num(ly)})`, 'font-size': FONT.label, fill: INK.text }));
  }
  return out;
}
