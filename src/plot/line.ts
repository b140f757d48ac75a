/**
 * Line charts, and the two made from them: training curves (loss and accuracy per epoch) and a
 * learning-rate schedule over its steps.
 */
import { linearAxis, logAxis, project, renderAxes, xAxisHeight, yAxisWidth, type Axis, type Rect } from './axis.js';
import { fail, integer, numbers, positive } from './check.js';
import { seriesColor } from './color.js';
import { DASH, frame, type LegendItem } from './frame.js';
import { el, num, svgDocument } from './svg.js';

/** A point of a series given with explicit coordinates. */
export interface XY {
  /** The horizontal coordinate. */
  readonly x: number;
  /** The value; NaN or ±Infinity leaves a gap. */
  readonly y: number;
}

/** One line of a chart: its values and how it is drawn. */
export interface LineSeries {
  /** Shown in the legend. */
  readonly name: string;
  /**
   * The y values at x = xStart, xStart + 1, … (see LineChartOptions.xStart), or explicit points.
   * Non-finite values (NaN, ±Infinity, and values ≤ 0 on a log axis) leave a gap in the line.
   */
  readonly values: ArrayLike<number> | readonly XY[];
  /** Draw dashed (used for validation curves). @default false */
  readonly dashed?: boolean;
  /** A CSS color. @default the next color of the colorblind-safe palette */
  readonly color?: string;
  /**
   * 'step': each value holds until the next x (how a learning rate applies over its step), the last
   * for one more interval. @default 'linear'
   */
  readonly curve?: 'linear' | 'step';
}

/** What lineChart() draws: series on shared axes, with a title, axis titles and a legend. */
export interface LineChartOptions {
  /** The lines to draw (at least one). */
  readonly series: readonly LineSeries[];
  /** The chart's title. @default none */
  readonly title?: string;
  /** The x axis title. @default none */
  readonly xLabel?: string;
  /** The y axis title. @default none */
  readonly yLabel?: string;
  /** A base-10 log y axis. @default false */
  readonly logY?: boolean;
  /**
   * A base-10 log x axis: long training runs keep their first epochs readable (x ≤ 0 leaves a gap).
   * @default false
   */
  readonly logX?: boolean;
  /** @default 640 */
  readonly width?: number;
  /** @default 400 */
  readonly height?: number;
  /** The x of values[0] for series given as plain arrays (1 for epochs). @default 0 */
  readonly xStart?: number;
  /** Show the legend. @default true when there is more than one series */
  readonly legend?: boolean;
  /**
   * The x axis spans exactly the data, with a tick at its first x, instead of widening to round ticks:
   * epoch curves then start at epoch 1 (the first finished epoch), not at an epoch 0 that has no point.
   * @default false
   */
  readonly tightX?: boolean;
}

/** A series resolved to points, with its drawing style. */
interface Resolved {
  readonly name: string;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly color: string;
  readonly dashed: boolean;
  readonly step: boolean;
}

function resolveSeries(fn: string, series: readonly LineSeries[], xStart: number, logY: boolean, logX: boolean): Resolved[] {
  if (!Array.isArray(series) || series.length === 0) fail(fn, 'options.series must be a non-empty array of series');
  return series.map((s, i): Resolved => {
    if (s === null || typeof s !== 'object' || typeof s.name !== 'string') fail(fn, `options.series[${i}].name must be a string`);
    const v = s.values as unknown;
    let xs: Float64Array;
    let ys: Float64Array;
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object') {
      const pts = v as readonly XY[];
      xs = Float64Array.from(pts, (p) => (p === null || typeof p !== 'object' ? NaN : Number(p.x)));
      ys = Float64Array.from(pts, (p) => (p === null || typeof p !== 'object' ? NaN : Number(p.y)));
    } else {
      const arr = numbers(fn, `options.series[${i}].values`, v);
      ys = Float64Array.from(arr);
      xs = Float64Array.from(arr, (_, k) => xStart + k);
    }
    // A point is drawn only if both coordinates are usable on these axes; the rest become gaps.
    for (let k = 0; k < ys.length; k++) {
      if (!Number.isFinite(xs[k]) || !Number.isFinite(ys[k]) || (logY && ys[k] <= 0) || (logX && xs[k] <= 0)) ys[k] = NaN;
    }
    return {
      name: s.name,
      xs,
      ys,
      color: s.color ?? seriesColor(i),
      dashed: s.dashed ?? false,
      step: s.curve === 'step',
    };
  });
}

/** Where a step curve's last value ends: one more interval past the last x. */
function stepEnd(xs: Float64Array, k: number): number {
  const next = k + 1 < xs.length && Number.isFinite(xs[k + 1]) ? xs[k + 1] : NaN;
  if (Number.isFinite(next)) return next;
  const prev = k > 0 && Number.isFinite(xs[k - 1]) ? xs[k] - xs[k - 1] : 1;
  return xs[k] + prev;
}

/**
 * The data extent over every drawable point (x includes step curves' extensions), and whether all
 * those x are integers (epochs, steps), so the x ticks never fall between them.
 */
function extent(series: readonly Resolved[]): { x: [number, number]; y: [number, number]; integerX: boolean } | null {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  let integerX = true;
  for (const s of series) {
    for (let k = 0; k < s.ys.length; k++) {
      if (Number.isNaN(s.ys[k])) continue;
      const xEnd = s.step ? stepEnd(s.xs, k) : s.xs[k];
      integerX &&= Number.isInteger(s.xs[k]) && Number.isInteger(xEnd);
      x0 = Math.min(x0, s.xs[k]);
      x1 = Math.max(x1, xEnd);
      y0 = Math.min(y0, s.ys[k]);
      y1 = Math.max(y1, s.ys[k]);
    }
  }
  return x0 <= x1 ? { x: [x0, x1], y: [y0, y1], integerX } : null;
}

/** Markers make short series (e.g. a few epochs) readable point by point. */
const MARKER_LIMIT = 40;

/**
 * Which points of a long series to draw (1 = keep): in every pixel column of a run, the first, last,
 * lowest and highest point (the M4 reduction of Jugel et al., VLDB 2014), which draws the same
 * picture as all of them. A per-batch loss over many epochs stays a small file.
 */
function m4(s: Resolved, toPixel: (x: number) => number): Uint8Array {
  const keep = new Uint8Array(s.ys.length);
  let start = 0;
  while (start < s.ys.length) {
    if (Number.isNaN(s.ys[start])) {
      start++;
      continue;
    }
    // One group: consecutive drawable points in the same pixel column.
    const column = Math.floor(toPixel(s.xs[start]));
    let end = start;
    let lo = start;
    let hi = start;
    while (end + 1 < s.ys.length && !Number.isNaN(s.ys[end + 1]) && Math.floor(toPixel(s.xs[end + 1])) === column) {
      end++;
      if (s.ys[end] < s.ys[lo]) lo = end;
      if (s.ys[end] > s.ys[hi]) hi = end;
    }
    keep[start] = keep[end] = keep[lo] = keep[hi] = 1;
    start = end + 1;
  }
  return keep;
}

/** The path and markers of one series: a new subpath after every gap, a dot for every isolated point. */
function drawSeries(s: Resolved, plot: Rect, x: Axis, y: Axis): string[] {
  const px = (v: number): string => num(project(x, v, plot.x, plot.x + plot.width));
  const py = (v: number): string => num(project(y, v, plot.y + plot.height, plot.y));
  let d = '';
  const dots: string[] = [];
  const n = s.ys.length;
  let count = 0;
  for (let k = 0; k < n; k++) if (!Number.isNaN(s.ys[k])) count++;
  const keep = !s.step && count > 4 * plot.width ? m4(s, (v) => project(x, v, plot.x, plot.x + plot.width)) : null;
  for (let k = 0; k < n; k++) {
    if (Number.isNaN(s.ys[k]) || (keep !== null && keep[k] === 0)) continue;
    const startsRun = k === 0 || Number.isNaN(s.ys[k - 1]);
    if (s.step) {
      // Only changes of value cost a segment, so long flat schedules stay small.
      if (startsRun) d += `M${px(s.xs[k])} ${py(s.ys[k])}`;
      else if (s.ys[k] !== s.ys[k - 1]) d += `H${px(s.xs[k])}V${py(s.ys[k])}`;
      if (k === n - 1 || Number.isNaN(s.ys[k + 1])) d += `H${px(stepEnd(s.xs, k))}`;
    } else {
      d += `${startsRun ? 'M' : 'L'}${px(s.xs[k])} ${py(s.ys[k])}`;
      const isolated = startsRun && (k === n - 1 || Number.isNaN(s.ys[k + 1]));
      if (count <= MARKER_LIMIT || isolated) dots.push(el('circle', { cx: px(s.xs[k]), cy: py(s.ys[k]), r: 3 }));
    }
  }
  const out: string[] = [];
  if (d) {
    out.push(el('path', {
      d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-linejoin': 'round', 'stroke-linecap': 'round',
      'stroke-dasharray': s.dashed ? DASH : undefined,
    }));
  }
  if (dots.length > 0) out.push(el('g', { fill: s.color }, ...dots));
  return out;
}

/** A linear axis over exactly [min, max] whose first tick is min (a round tick too close to it gives way). */
function tightAxis(min: number, max: number, options: { target: number; minStep: number }): Axis {
  // One epoch: centred in half an epoch either side, with its own tick only (not an epoch 0 and 2).
  if (min === max) return { ...linearAxis(min - 0.5, max + 0.5, { ...options, cover: false }), ticks: [min] };
  const axis = linearAxis(min, max, { ...options, cover: false });
  const [start] = axis.domain;
  const step = axis.ticks.length > 1 ? axis.ticks[1] - axis.ticks[0] : axis.domain[1] - start;
  const rest = axis.ticks.filter((t) => t - start >= 0.5 * step);
  return { ...axis, ticks: [start, ...rest] };
}

/** A line chart of one or more series as a standalone SVG document. */
export function lineChart(options: LineChartOptions): string {
  const fn = 'lineChart';
  const width = positive(fn, 'options.width', options.width ?? 640);
  const height = positive(fn, 'options.height', options.height ?? 400);
  const xStart = options.xStart ?? 0;
  if (!Number.isFinite(xStart)) fail(fn, `options.xStart must be a finite number, got ${String(xStart)}`);
  const logY = options.logY ?? false;
  const logX = options.logX ?? false;
  const resolved = resolveSeries(fn, options.series, xStart, logY, logX);
  // With no drawable point at all, still draw the (empty) axes rather than fail: a run that
  // diverged at once should still produce its picture.
  const ext = extent(resolved) ?? { x: logX ? [1, 10] : [0, 1], y: logY ? [0.1, 1] : [0, 1], integerX: true };
  const xTicks = { target: Math.max(2, Math.round(width / 90)), minStep: ext.integerX ? 1 : 0 };
  const x = logX ? logAxis(ext.x[0], ext.x[1]) : options.tightX ? tightAxis(ext.x[0], ext.x[1], xTicks) : linearAxis(ext.x[0], ext.x[1], xTicks);
  const y = logY ? logAxis(ext.y[0], ext.y[1]) : linearAxis(ext.y[0], ext.y[1], { target: Math.max(2, Math.round(height / 70)) });
  const showLegend = options.legend ?? resolved.length > 1;
  const legend: LegendItem[] = showLegend ? resolved.map((s) => ({ label: s.name, color: s.color, kind: s.dashed ? 'dashed' : 'line' })) : [];
  const { plot, parts } = frame({
    width, height, title: options.title, legend,
    margin: { left: 14 + yAxisWidth(y, options.yLabel), right: 24, bottom: 8 + xAxisHeight(options.xLabel) },
  });
  const body = [...parts, ...renderAxes(plot, x, y, { xLabel: options.xLabel, yLabel: options.yLabel })];
  for (const s of resolved) body.push(...drawSeries(s, plot, x, y));
  return svgDocument(width, height, options.title ?? options.yLabel ?? 'line chart', body);
}

/** The per-epoch metrics trainingCurves reads (any other keys are ignored). */
export type TrainingHistory = Readonly<Record<string, ArrayLike<number> | undefined>>;

/** The size and loss axis of trainingCurves()' charts. */
export interface TrainingCurvesOptions {
  /** @default 640 */
  readonly width?: number;
  /** @default 400 */
  readonly height?: number;
  /** A base-10 log axis for the loss (useful when it falls over decades). @default false */
  readonly logLoss?: boolean;
}

/**
 * Loss and accuracy per epoch (x = 1, 2, …), train solid and validation dashed, from whichever of
 * `loss`, `valLoss`, `accuracy`, `valAccuracy` the history holds. A chart is left out when neither of
 * its two keys is present.
 */
export function trainingCurves(history: TrainingHistory, options: TrainingCurvesOptions = {}): {
  /** The loss chart (SVG), when the history has loss or valLoss. */
  loss?: string;
  /** The accuracy chart (SVG), when the history has accuracy or valAccuracy. */
  accuracy?: string;
} {
  const fn = 'trainingCurves';
  if (history === null || typeof history !== 'object') fail(fn, 'history must be an object of per-epoch arrays');
  const chart = (metric: 'loss' | 'accuracy', trainKey: string, valKey: string): string | undefined => {
    const series: LineSeries[] = [];
    if (history[trainKey] !== undefined) {
      series.push({ name: 'train', values: numbers(fn, `history.${trainKey}`, history[trainKey]), color: seriesColor(0) });
    }
    if (history[valKey] !== undefined) {
      series.push({ name: 'validation', values: numbers(fn, `history.${valKey}`, history[valKey]), color: seriesColor(1), dashed: true });
    }
    if (series.length === 0) return undefined;
    return lineChart({
      series, title: metric === 'loss' ? 'Loss' : 'Accuracy', xLabel: 'epoch', yLabel: metric, xStart: 1, tightX: true,
      legend: true, width: options.width, height: options.height, logY: metric === 'loss' && options.logLoss,
    });
  };
  const loss = chart('loss', 'loss', 'valLoss');
  const accuracy = chart('accuracy', 'accuracy', 'valAccuracy');
  if (loss === undefined && accuracy === undefined) {
    fail(fn, `history has none of loss, valLoss, accuracy, valAccuracy (its keys: ${Object.keys(history).join(', ') || 'none'})`);
  }
  return { ...(loss !== undefined && { loss }), ...(accuracy !== undefined && { accuracy }) };
}

/** A learning-rate schedule as a function of the step t; `unit` and `config` are read when present. */
export type ScheduleFunction = ((t: number) => number) & {
  /** What t counts ('epoch' or 'step'), for the x axis title. */
  readonly unit?: string;
  /** The schedule's config; its name goes into the default title. */
  readonly config?: {
    /** The schedule's name (e.g. 'cosineDecay'). */
    readonly name?: string;
  };
};

/** How many steps scheduleChart() draws, and how. */
export interface ScheduleChartOptions {
  /** How many steps (t = 0 … steps − 1) to draw. */
  readonly steps: number;
  /** What t counts, for the x axis title. @default fn.unit, else 'step' */
  readonly unit?: string;
  /** @default 'Learning-rate schedule' plus the schedule's config name */
  readonly title?: string;
  /** A base-10 log y axis (for exponential decay over decades). @default false */
  readonly logY?: boolean;
  /** @default 640 */
  readonly width?: number;
  /** @default 400 */
  readonly height?: number;
}

/** More samples than this cannot be told apart on a chart a few hundred pixels wide. */
const MAX_SCHEDULE_SAMPLES = 1000;
/** Up to this many steps a schedule is drawn as stairs (each step at least ~2 px wide at the default width). */
const MAX_STAIRS = 250;

/** The learning rate over t = 0 … steps − 1 (as stairs while the steps are wide enough to see). */
export function scheduleChart(fn: ScheduleFunction, options: ScheduleChartOptions): string {
  const name = 'scheduleChart';
  if (typeof fn !== 'function') fail(name, `fn must be a function of the step, got ${typeof fn}`);
  if (options === null || typeof options !== 'object') fail(name, 'options must be an object with steps');
  const steps = integer(name, 'options.steps', options.steps);
  const stride = Math.ceil(steps / MAX_SCHEDULE_SAMPLES);
  const points: XY[] = [];
  for (let t = 0; t < steps; t += stride) points.push({ x: t, y: fn(t) });
  if (points[points.length - 1].x !== steps - 1) points.push({ x: steps - 1, y: fn(steps - 1) });
  // Few steps are drawn as stairs (each rate holds over its step); when a step is under two pixels
  // wide the stairs cannot be seen and a plain line says the same in a fraction of the file.
  const stairs = steps <= MAX_STAIRS;
  // The last rate holds until `steps`, so the x axis ends where training does.
  if (stairs) points.push({ x: steps, y: NaN });
  const unit = options.unit ?? fn.unit ?? 'step';
  const configName = fn.config?.name;
  return lineChart({
    series: [{ name: configName ?? 'learning rate', values: points, curve: stairs ? 'step' : 'linear', color: seriesColor(0) }],
    title: options.title ?? `Learning-rate schedule${configName ? ` (${configName})` : ''}`,
    xLabel: unit, yLabel: 'learning rate', logY: options.logY, width: options.width, height: options.height,
  });
}
