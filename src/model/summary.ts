/** Sequential.summary(): the layers as a text table of names, types, output shapes and parameter counts. */
import { ActivationLayer } from './activation-layer.js';
import { Dense } from './dense.js';
import type { Layer } from './layers.js';

/** The summary table of built `layers` (a model of `parameterCount` parameters). */
export function summaryTable(layers: readonly Layer[], parameterCount: number): string {
  const rows = [['layer', 'type', 'output', 'params']];
  for (const l of layers) {
    const params = l.params().reduce((s, p) => s + p.length, 0);
    const what = l instanceof Dense || l instanceof ActivationLayer ? `${l.type} (${l.activation.name})` : l.type;
    rows.push([l.name ?? '', what, `[n, ${l.outputShape.join(', ')}]`, String(params)]);
  }
  rows.push(['', '', 'total', String(parameterCount)]);
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd()).join('\n');
}
