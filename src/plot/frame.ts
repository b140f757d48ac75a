/**
 * The part every chart shares around its plot area: the title on top, a legend under it (outside the
 * data, so it never hides a curve), and the margins that leave room for the axes.
 */
import type { Rect } from './axis.js';
import { FONT } from './axis.js';
import { INK } from './color.js';
import { el, text, textWidth } from './svg.js';

/** A legend entry: how its sample is drawn, in `color`. */
export interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly kind: 'line' | 'dashed' | 'dot' | 'swatch';
}

/** The dash pattern of dashed (validation) series, shared by the lines and their legend samples. */
export const DASH = '7 4';

export interface FrameOptions {
  readonly width: number;
  readonly height: number;
  readonly title?: string;
  readonly legend?: readonly LegendItem[];
  /** Room for the axes around the plot area. */
  readonly margin: { readonly left: number; readonly right: number; readonly bottom: number };
}

const SAMPLE = 22;
const ROW = 18;

/** Lays out title and legend, and returns the plot rectangle left over plus their markup. */
export function frame(options: FrameOptions): { plot: Rect; parts: string[] } {
  const { width, height, title, margin } = options;
  const legend = options.legend ?? [];
  const parts: string[] = [];
  let y = 10;
  if (title) {
    parts.push(text(title, { x: width / 2, y: 24, 'text-anchor': 'middle', 'font-size': FONT.title, 'font-weight': 600, fill: INK.text }));
    y = 36;
  }
  // Legend entries flow left to right from the plot's left edge and wrap at the right margin.
  const right = width - margin.right;
  let x = margin.left;
  let rows = legend.length > 0 ? 1 : 0;
  const items: string[] = [];
  for (const item of legend) {
    const w = SAMPLE + 6 + textWidth(item.label, FONT.legend) + 18;
    if (x + w > right && x > margin.left) {
      x = margin.left;
      rows++;
    }
    const cy = y + (rows - 1) * ROW + ROW / 2;
    items.push(sample(item, x, cy), text(item.label, { x: x + SAMPLE + 6, y: cy + FONT.legend * 0.35 }));
    x += w;
  }
  if (items.length > 0) parts.push(el('g', { 'font-size': FONT.legend, fill: INK.text }, ...items));
  const top = y + rows * ROW + 10;
  const plot: Rect = {
    x: margin.left,
    y: top,
    width: Math.max(10, right - margin.left),
    height: Math.max(10, height - margin.bottom - top),
  };
  return { plot, parts };
}

/** The little picture in front of a legend label. */
function sample(item: LegendItem, x: number, cy: number): string {
  switch (item.kind) {
    case 'line':
    case 'dashed':
      return el('line', {
        x1: x, y1: cy, x2: x + SAMPLE, y2: cy, stroke: item.color, 'stroke-width': 2.5,
        'stroke-dasharray': item.kind === 'dashed' ? DASH : undefined,
      });
    case 'dot':
      return el('circle', { cx: x + SAMPLE / 2, cy, r: 4.5, fill: item.color, stroke: '#222222', 'stroke-width': 0.8 });
    case 'swatch':
      return el('rect', { x: x + SAMPLE / 2 - 6, y: cy - 6, width: 12, height: 12, fill: item.color, stroke: '#222222', 'stroke-width': 0.5 });
  }
}
