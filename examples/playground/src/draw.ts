/**
 * Canvas drawing: the decision-boundary heat map (redrawn on every frame, so it is painted into a
 * canvas rather than built as SVG) and the data-set thumbnails. Class colours come from
 * src/plot/color.ts, so the page matches the library's SVG plots.
 */
import { INK, parseHex, seriesColor, type Rgb } from '../../../src/plot/color.js';
import { probabilityColor } from '../../../src/plot/boundary.js';
import type { Bounds } from './setup.js';

/** The colour of class k as [r, g, b]. */
export function classRgb(k: number): Rgb {
  return parseHex(seriesColor(k));
}

/** Sizes a canvas for its CSS size at the device's pixel ratio; returns a context in CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = Math.max(1, Math.round(globalThis.devicePixelRatio ?? 1));
  if (canvas.width !== width * ratio || canvas.height !== height * ratio) {
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('playground: this browser gives no 2-D canvas context');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** Points in data coordinates: xy pairs and their classes. */
export interface Points {
  readonly x: Float32Array;
  readonly y: Int32Array;
}

/** What the worker computed over the grid (see FrameMessage.grid). */
export interface Heat {
  readonly grid: Float32Array;
  readonly gridSize: number;
  readonly outputs: number;
}

/**
 * Paints the grid's class probabilities into an RGBA image with decisionBoundary()'s colouring
 * (probabilityColor in src/plot/boundary.ts). A one-output
 * model's value is read as P(class 1), clamped to [0, 1]; NaN (a diverged model) paints white.
 */
export function heatImage(heat: Heat, classes: number, into: ImageData): void {
  const colors = Array.from({ length: classes }, (_, k) => classRgb(k));
  const n = heat.gridSize * heat.gridSize;
  const p = new Float64Array(classes);
  const data = into.data;
  for (let i = 0; i < n; i++) {
    if (heat.outputs === 1) {
      const v = heat.grid[i];
      p[1] = Math.min(1, Math.max(0, v));
      p[0] = 1 - p[1];
    } else {
      for (let k = 0; k < classes; k++) p[k] = heat.grid[i * heat.outputs + k];
    }
    const c = probabilityColor(p, colors);
    data[4 * i] = c[0];
    data[4 * i + 1] = c[1];
    data[4 * i + 2] = c[2];
    data[4 * i + 3] = 255;
  }
}

export interface HeatMapView {
  readonly bounds: Bounds;
  readonly classes: number;
  readonly train: Points;
  readonly test: Points;
  readonly showTest: boolean;
}

/** Draws the heat map (smoothly scaled), the points over it, and tick labels of the coordinates. */
export class HeatMapCanvas {
  private readonly cells = document.createElement('canvas');
  private image: ImageData | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly size: number,
    private readonly margin = { left: 30, bottom: 22, top: 6, right: 6 },
  ) {}

  draw(view: HeatMapView, heat: Heat | null): void {
    const { left, bottom, top, right } = this.margin;
    const ctx = fitCanvas(this.canvas, this.size + left + right, this.size + top + bottom);
    ctx.clearRect(0, 0, this.size + left + right, this.size + top + bottom);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(left, top, this.size, this.size);
    if (heat !== null) {
      if (this.image === null || this.image.width !== heat.gridSize) {
        this.cells.width = this.cells.height = heat.gridSize;
        this.image = new ImageData(heat.gridSize, heat.gridSize);
      }
      heatImage(heat, view.classes, this.image);
      this.cells.getContext('2d')?.putImageData(this.image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(this.cells, left, top, this.size, this.size);
    }
    const { xMin, xMax, yMin, yMax } = view.bounds;
    const px = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * this.size;
    const py = (y: number): number => top + ((yMax - y) / (yMax - yMin)) * this.size;
    const dot = (points: Points, stroke: string, width: number): void => {
      ctx.lineWidth = width;
      ctx.strokeStyle = stroke;
      for (let i = 0; i < points.y.length; i++) {
        ctx.beginPath();
        ctx.arc(px(points.x[2 * i]), py(points.x[2 * i + 1]), 3.6, 0, 2 * Math.PI);
        ctx.fillStyle = seriesColor(points.y[i]);
        ctx.fill();
        ctx.stroke();
      }
    };
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, this.size, this.size);
    ctx.clip();
    dot(view.train, '#ffffff', 1);
    if (view.showTest) dot(view.test, INK.text, 1.3);
    ctx.restore();
    ctx.strokeStyle = INK.grid;
    ctx.lineWidth = 1;
    ctx.strokeRect(left + 0.5, top + 0.5, this.size - 1, this.size - 1);
    this.ticks(ctx, view.bounds, px, py);
  }

  /** Whole-number coordinates along the bottom and left edges (the toy sets span a few units). */
  private ticks(ctx: CanvasRenderingContext2D, b: Bounds, px: (x: number) => number, py: (y: number) => number): void {
    ctx.fillStyle = INK.muted;
    ctx.font = '11px system-ui, sans-serif';
    const step = b.xMax - b.xMin > 8 ? 2 : b.xMax - b.xMin > 3 ? 1 : 0.5;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let v = Math.ceil(b.xMin / step) * step; v <= b.xMax; v += step) ctx.fillText(label(v), px(v), this.margin.top + this.size + 5);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let v = Math.ceil(b.yMin / step) * step; v <= b.yMax; v += step) ctx.fillText(label(v), this.margin.left - 5, py(v));
  }
}

function label(v: number): string {
  const rounded = Math.round(v * 10) / 10;
  return (rounded === 0 ? 0 : rounded).toString().replace('-', '\u2212');
}

/** A small picture of a data set's points, for the data-set buttons. */
export function drawThumbnail(canvas: HTMLCanvasElement, size: number, points: Points): void {
  const ctx = fitCanvas(canvas, size, size);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size, size);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < points.x.length; i += 2) {
    x0 = Math.min(x0, points.x[i]);
    x1 = Math.max(x1, points.x[i]);
    y0 = Math.min(y0, points.x[i + 1]);
    y1 = Math.max(y1, points.x[i + 1]);
  }
  const span = Math.max(x1 - x0, y1 - y0) * 1.15;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  for (let i = 0; i < points.y.length; i++) {
    ctx.fillStyle = seriesColor(points.y[i]);
    ctx.beginPath();
    ctx.arc(size / 2 + ((points.x[2 * i] - cx) / span) * size, size / 2 - ((points.x[2 * i + 1] - cy) / span) * size, 1.6, 0, 2 * Math.PI);
    ctx.fill();
  }
}
