/** A confusion matrix as a colored table: rows are true classes, columns predicted ones. */
import { FONT } from './axis.js';
import { fail, integer, labels as checkLabels, numbers, positive } from './check.js';
import { INK, PALETTE, WHITE, mix, parseHex, textColorOn, toHex, type Rgb } from './color.js';
import { frame } from './frame.js';
import { el, num, svgDocument, text, textWidth } from './svg.js';

/** How confusionMatrixChart() labels, normalizes and sizes the matrix. */
export interface ConfusionMatrixOptions {
  /** The number of classes; needed only when the matrix is given flat. @default √(matrix length) */
  readonly classes?: number;
  /** Class names for the axes. @default '0', '1', … */
  readonly labels?: readonly string[];
  /**
   * false: cells show counts. true: cells show each row's percentages (recall on the diagonal), so
   * rare classes read as clearly as common ones. @default false
   */
  readonly normalize?: boolean;
  /** @default 'Confusion matrix' (the accuracy and sample count are appended) */
  readonly title?: string;
  /** Cell side in pixels. @default fits about 460 px, between 14 and 56 */
  readonly cellSize?: number;
}

const FN = 'confusionMatrixChart';

/** Correct predictions in blue, confusions in vermillion: errors stand out against the diagonal. */
const CORRECT: Rgb = parseHex(PALETTE[0]);
const WRONG: Rgb = parseHex(PALETTE[1]);

/** Reads the matrix (nested rows, or flat row-major with `classes`) into a flat row-major array. */
function readMatrix(matrix: unknown, classes: number | undefined): { counts: Float64Array; K: number } {
  let flat: ArrayLike<number>;
  let K: number;
  if (Array.isArray(matrix) && matrix.length > 0 && typeof matrix[0] === 'object') {
    K = matrix.length;
    if (classes !== undefined && classes !== K) fail(FN, `options.classes is ${classes} but the matrix has ${K} rows`);
    const rows = matrix.map((row, i) => {
      const r = numbers(FN, `matrix[${i}]`, row);
      if (r.length !== K) fail(FN, `matrix must be square: row ${i} has ${r.length} entries, expected ${K}`);
      return Array.from(r);
    });
    flat = rows.flat();
  } else {
    flat = numbers(FN, 'matrix', matrix);
    K = classes ?? Math.round(Math.sqrt(flat.length));
    integer(FN, 'options.classes', K, 1);
    if (flat.length !== K * K) fail(FN, `a flat matrix for ${K} classes needs ${K * K} entries, got ${flat.length}`);
  }
  const counts = Float64Array.from(flat);
  counts.forEach((v, i) => {
    if (!(v >= 0) || !Number.isFinite(v)) fail(FN, `matrix entries must be finite counts ≥ 0; entry (${Math.floor(i / K)}, ${i % K}) is ${v}`);
  });
  return { counts, K };
}

/** A count as text: integers as they are, fractional (e.g. averaged) counts with 1 decimal. */
function formatCount(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/**
 * The matrix as an SVG table: cell color by row share (blue on the diagonal, vermillion off it,
 * scaled to the largest confusion so small error patterns still show), counts or percentages in the
 * cells, and the overall accuracy in the title.
 */
export function confusionMatrixChart(matrix: readonly (readonly number[])[] | ArrayLike<number>, options: ConfusionMatrixOptions = {}): string {
  const { counts, K } = readMatrix(matrix, options.classes);
  const names = checkLabels(FN, 'options.labels', options.labels, K) ?? Array.from({ length: K }, (_, k) => String(k));
  const normalize = options.normalize ?? false;
  const cell = positive(FN, 'options.cellSize', options.cellSize ?? Math.max(14, Math.min(56, Math.floor(460 / K))));

  const rowSum = new Float64Array(K);
  let total = 0;
  let correct = 0;
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) rowSum[i] += counts[i * K + j];
    total += rowSum[i];
    correct += counts[i * K + i];
  }
  const share = (i: number, j: number): number => (rowSum[i] > 0 ? counts[i * K + j] / rowSum[i] : 0);
  let worstConfusion = 0;
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) if (i !== j) worstConfusion = Math.max(worstConfusion, share(i, j));

  const accuracy = total > 0 ? ` \u2014 accuracy ${((100 * correct) / total).toFixed(2)}% (n = ${formatCount(total)})` : ' \u2014 no samples';
  const title = (options.title ?? 'Confusion matrix') + accuracy + (normalize ? ', row %' : '');

  // Column labels are turned 45° when they do not fit under their cell.
  const widest = Math.max(...names.map((s) => textWidth(s, FONT.tick)));
  const rotate = widest > cell - 4;
  const bottom = 14 + (rotate ? widest * 0.71 + 8 : FONT.tick + 4) + FONT.label + 10;
  const left = 14 + FONT.label + 12 + widest + 8;
  const width = Math.max(left + K * cell + 24, textWidth(title, FONT.title) + 24);
  const height = 46 + K * cell + bottom;
  const { plot, parts } = frame({ width, height, title, margin: { left, right: width - left - K * cell, bottom } });

  const cells: string[] = [];
  const numbersText: string[] = [];
  const fontSize = (s: string): number => Math.min(12, cell * 0.45, (cell - 6) / (s.length * 0.6));
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const v = counts[i * K + j];
      const s = share(i, j);
      const fill: Rgb = i === j ? mix(WHITE, CORRECT, s) : mix(WHITE, WRONG, worstConfusion > 0 ? (0.85 * s) / worstConfusion : 0);
      const x = plot.x + j * cell;
      const y = plot.y + i * cell;
      cells.push(el('rect', { x, y, width: cell, height: cell, fill: toHex(fill) }));
      const label = normalize ? (rowSum[i] > 0 ? (100 * s).toFixed(s === 0 || s === 1 ? 0 : 1) : '') : formatCount(v);
      const size = fontSize(label);
      // Too small to read: leave the cell to its color.
      if (label === '' || size < 7) continue;
      numbersText.push(text(label, {
        x: x + cell / 2, y: y + cell / 2 + size * 0.35, 'font-size': Math.round(size * 10) / 10,
        fill: v === 0 ? '#b0b0b0' : textColorOn(fill),
      }));
    }
  }
  const axisText: string[] = [];
  for (let k = 0; k < K; k++) {
    const cy = plot.y + k * cell + cell / 2;
    axisText.push(text(names[k], { x: plot.x - 6, y: cy + FONT.tick * 0.35, 'text-anchor': 'end' }));
    const cx = plot.x + k * cell + cell / 2;
    const ty = plot.y + K * cell + 8 + FONT.tick * 0.8;
    axisText.push(rotate
      ? text(names[k], { x: cx, y: ty, 'text-anchor': 'end', transform: `rotate(-45 ${num(cx)} ${num(ty)})` })
      : text(names[k], { x: cx, y: ty, 'text-anchor': 'middle' }));
  }
  const gridBottom = plot.y + K * cell;
  const labelY = height - 14;
  const trueX = 14 + FONT.label;
  const trueY = plot.y + (K * cell) / 2;
  return svgDocument(width, height, title, [
    ...parts,
    el('g', { stroke: '#ffffff', 'stroke-width': cell >= 20 ? 1 : 0.5 }, ...cells),
    el('rect', { x: plot.x, y: plot.y, width: K * cell, height: K * cell, fill: 'none', stroke: INK.axis, 'stroke-width': 1 }),
    el('g', { 'text-anchor': 'middle' }, ...numbersText),
    el('g', { 'font-size': FONT.tick, fill: INK.text }, ...axisText),
    text('predicted', { x: plot.x + (K * cell) / 2, y: Math.max(labelY, gridBottom + 30), 'text-anchor': 'middle', 'font-size': FONT.label, fill: INK.text }),
    text('true', { x: trueX, y: trueY, 'text-anchor': 'middle', transform: `rotate(-90 ${num(trueX)} ${num(trueY)})`, 'font-size': FONT.label, fill: INK.text }),
  ]);
}
