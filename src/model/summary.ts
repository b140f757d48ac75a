/**
 * Sequential.summary(): the Keras / TensorFlow.js table of the layers (name and type, output shape,
 * parameter count) and the totals. tfjs's signature: summary(lineLength?, positions?, printFn?).
 *
 *     _________________________________________________________________
 *      Layer (type)                 Output shape             Param #
 *     =================================================================
 *      dense_1 (Dense)              [null,128]               100480
 *     _________________________________________________________________
 *      dense_2 (Dense)              [null,10]                1290
 *     =================================================================
 *     Total params: 101,770
 *     Trainable params: 101,770
 *     Non-trainable params: 0
 *     _________________________________________________________________
 */
import type { Layer } from './layers.js';

/** tfjs's defaults: a 65-character line, columns ending at 45% and 85% of it and at its end. */
const DEFAULT_LINE_LENGTH = 65;
const DEFAULT_POSITIONS = [0.45, 0.85, 1];

/** What summary() takes: tfjs's positional arguments. */
export interface SummaryLayout {
  readonly lineLength: number;
  /** Where each of the three columns ends: fractions of lineLength (all ≤ 1) or character counts. */
  readonly positions: readonly number[];
}

function resolveLayout(lineLength: unknown, positions: unknown): SummaryLayout {
  const length = lineLength ?? DEFAULT_LINE_LENGTH;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 20 || length > 1000) {
    throw new RangeError(`simdnet summary: lineLength must be an integer from 20 to 1000, got ${typeof length === 'number' ? length : typeof length}`);
  }
  const p = positions ?? DEFAULT_POSITIONS;
  if (!Array.isArray(p) || p.length !== 3 || p.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
    throw new RangeError('simdnet summary: positions must be three increasing positive numbers (fractions of lineLength, or character counts)');
  }
  const stops = (p as number[]).every((v) => v <= 1) ? (p as number[]).map((v) => Math.floor(v * length)) : (p as number[]).map(Math.floor);
  if (!(stops[0] > 1 && stops[1] > stops[0] && stops[2] > stops[1])) {
    throw new RangeError('simdnet summary: positions must be three increasing positive numbers (fractions of lineLength, or character counts)');
  }
  return { lineLength: length, positions: stops };
}

/** One table line: each cell padded (or cut) to end at its column's stop. */
function line(cells: readonly string[], stops: readonly number[]): string {
  let text = '';
  cells.forEach((cell, j) => {
    const width = stops[j] - text.length;
    text += cell.length < width ? cell.padEnd(width) : `${cell.slice(0, Math.max(0, width - 1))} `;
  });
  return text.trimEnd();
}

const typeName = (l: Layer): string => l.type[0].toUpperCase() + l.type.slice(1);
const thousands = (n: number): string => n.toLocaleString('en-US');

/**
 * The summary table of built `layers` (a model of `parameterCount` trainable parameters), also passed
 * line by line to `printFn` when given.
 */
export function summaryTable(
  layers: readonly Layer[], parameterCount: number, lineLength?: number, positions?: readonly number[], printFn?: (line: string) => void,
): string {
  if (printFn !== undefined && typeof printFn !== 'function') {
    throw new TypeError(`simdnet summary: printFn must be a function (e.g. console.log), got ${typeof printFn}`);
  }
  const { lineLength: width, positions: stops } = resolveLayout(lineLength, positions);
  const rows = [
    '_'.repeat(width),
    line([' Layer (type)', 'Output shape', 'Param #'], stops),
    '='.repeat(width),
  ];
  const count = (specs: readonly { length: number }[]) => specs.reduce((s, p) => s + p.length, 0);
  // Keras counts non-trainable tensors (batch normalization's moving statistics) with the layer's params.
  const nonTrainable = layers.reduce((s, l) => s + count(l.stateSpecs()), 0);
  layers.forEach((l, i) => {
    const params = count(l.params()) + count(l.stateSpecs());
    rows.push(line([` ${l.name ?? l.type} (${typeName(l)})`, `[null,${l.outputShape.join(',')}]`, String(params)], stops));
    rows.push(i === layers.length - 1 ? '='.repeat(width) : '_'.repeat(width));
  });
  rows.push(
    `Total params: ${thousands(parameterCount + nonTrainable)}`, `Trainable params: ${thousands(parameterCount)}`,
    `Non-trainable params: ${thousands(nonTrainable)}`, '_'.repeat(width),
  );
  if (printFn !== undefined) for (const row of rows) printFn(row);
  return rows.join('\n');
}
