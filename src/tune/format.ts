/**
 * `formatTrials(result)`: the ranked trials as a plain-text table (what `simdnet tune` prints), one
 * column per dimension of the space:
 *
 *     rank  lr     hidden     valAccuracy  valLoss  epochs  seconds
 *     1     0.01   [128, 64]  0.9650       0.1123   5       2.10
 *     2     0.001  [64]       0.9400       0.2011   3/5     1.32
 *
 * "3/5": early stopping kept the weights of epoch 3 of the 5 that ran. Failed trials show "failed"
 * and their errors are listed under the table.
 */
import type { Trial, TuneResult } from './types.js';

/** A number short enough for a table cell: 4 significant digits, exponent form when tiny or huge. */
function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

/** A parameter value for a cell: numbers shortened, lists as [a, b], schedules as name(option=value, ...). */
export function formatValue(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (v === null) return 'none';
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (typeof v === 'object') {
    const { name, ...rest } = v as { name?: unknown };
    const inner = Object.entries(rest).map(([k, x]) => `${k}=${formatValue(x)}`).join(', ');
    return name === undefined ? `{${inner}}` : `${String(name)}(${inner})`;
  }
  return String(v);
}

function epochsCell(t: Trial): string {
  return t.epochs === t.epochsRun ? String(t.epochs) : `${t.epochs}/${t.epochsRun}`;
}

/** The table of result.trials, best first; the metric tune() ranked by is the first value column. */
export function formatTrials(result: Pick<TuneResult, 'trials' | 'metric'>): string {
  const { trials, metric } = result;
  const names = trials.length > 0 ? Object.keys(trials[0].params) : [];
  const values: ['valAccuracy' | 'valLoss', (t: Trial) => string][] = [
    ['valAccuracy', (t) => (t.error !== null ? 'failed' : t.valAccuracy.toFixed(4))],
    ['valLoss', (t) => (t.error !== null ? 'failed' : num(t.valLoss))],
  ];
  if (metric === 'valLoss') values.reverse();
  const rows = [['rank', ...names, ...values.map(([k]) => k), 'epochs', 'seconds']];
  trials.forEach((t, i) => {
    rows.push([String(i + 1), ...names.map((k) => formatValue(t.params[k])), ...values.map(([, f]) => f(t)), epochsCell(t), t.seconds.toFixed(2)]);
  });
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const lines = rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd());
  trials.forEach((t, i) => {
    if (t.error !== null) lines.push(`rank ${i + 1} (trial ${t.index}) failed: ${t.error}`);
  });
  return lines.join('\n');
}
