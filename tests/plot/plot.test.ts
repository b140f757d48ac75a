/** The drawing functions (src/plot/): well-formed SVG, honest axes, the right pixels, atomic writes. */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  confusionMatrixChart, convFilters, decisionBoundary, imageGrid, lineChart, misclassifiedGrid, scheduleChart, trainingCurves, writePlot,
} from '../../src/index.js';
import { formatTick, linearAxis, logAxis, niceTicks } from '../../src/plot/axis.js';
import { PALETTE, parseHex } from '../../src/plot/color.js';
import { escapeXml } from '../../src/plot/svg.js';
import { rng } from '../support/helpers.js';

/** Fails with the parser's message unless `svg` is a well-formed XML document with an <svg> root. */
function expectSvg(svg: string): void {
  expect(xmlError(svg)).toBeNull();
  expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
  expect(svg).not.toMatch(/NaN|Infinity|undefined|\[object/);
}

/** The text content of every <text> element (tspans joined), unescaped. */
function texts(svg: string): string[] {
  const out: string[] = [];
  for (let i = svg.indexOf('<text'); i >= 0; i = svg.indexOf('<text', i + 1)) {
    const end = svg.indexOf('</text>', i);
    const inner = svg.slice(svg.indexOf('>', i) + 1, end);
    let plain = '';
    let inTag = false;
    for (const c of inner) {
      if (c === '<') inTag = true;
      else if (c === '>') inTag = false;
      else if (!inTag) plain += c;
    }
    out.push(plain.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&'));
  }
  return out;
}

/** Decodes the PNG embedded in an SVG as a data URI (the first one). */
function embeddedImage(svg: string): { png: PNG; x: number; y: number; width: number; height: number } {
  const tag = svg.slice(svg.indexOf('<image'), svg.indexOf('/>', svg.indexOf('<image')));
  const attr = (name: string): string => {
    const start = tag.indexOf(` ${name}="`) + name.length + 3;
    return tag.slice(start, tag.indexOf('"', start));
  };
  const uri = attr('xlink:href');
  expect(uri.startsWith('data:image/png;base64,')).toBe(true);
  const png = PNG.sync.read(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'));
  return { png, x: Number(attr('x')), y: Number(attr('y')), width: Number(attr('width')), height: Number(attr('height')) };
}

function pixel(png: { width: number; data: Uint8Array }, col: number, row: number): [number, number, number] {
  const o = (row * png.width + col) * 4;
  return [png.data[o], png.data[o + 1], png.data[o + 2]];
}

describe('xml checker (the tests rely on it)', () => {
  it('accepts a well-formed document and rejects common breakage', () => {
    expect(xmlError('<?xml version="1.0"?>\n<a x="1"><b/>t &amp; &#8594;<c y=\'2\'></c></a>\n')).toBeNull();
    expect(xmlError('<a><b></a></b>')).toMatch(/closes/);
    expect(xmlError('<a>1 < 2</a>')).toMatch(/starts no tag/);
    expect(xmlError('<a>A & B</a>')).toMatch(/bad entity/);
    expect(xmlError('<a x="1" x="2"/>')).toMatch(/duplicate/);
    expect(xmlError('<a x=1/>')).toMatch(/unquoted/);
    expect(xmlError('<a/><b/>')).toMatch(/second root/);
    expect(xmlError('<a>')).toMatch(/unclosed/);
  });
});

describe('ticks', () => {
  it('are 1-2-5 steps that cover the data range, without float noise', () => {
    const r = rng(11);
    for (let trial = 0; trial < 300; trial++) {
      const scale = 10 ** Math.floor(r() * 12 - 6);
      const a = (r() * 2 - 1) * scale;
      const b = a + r() * scale * 3 + scale * 1e-3;
      const target = 2 + Math.floor(r() * 8);
      const { ticks, step } = niceTicks(a, b, { target });
      const label = `[${a}, ${b}] target ${target}`;
      const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `${label}: step ${step}`).toBe(true);
      expect(ticks[0], label).toBeLessThanOrEqual(a);
      expect(ticks[ticks.length - 1], label).toBeGreaterThanOrEqual(b);
      expect(ticks.length - 1, label).toBeLessThanOrEqual(2 * target + 2);
      for (const t of ticks) expect(Math.abs(t / step - Math.round(t / step)), `${label}: tick ${t}`).toBeLessThan(1e-6);
      for (const t of ticks) expect(String(t).length, `${label}: tick ${t}`).toBeLessThan(14);
      // Inside ticks stay inside.
      const inside = niceTicks(a, b, { target, cover: false }).ticks;
      for (const t of inside) expect(t >= a - 1e-12 * scale && t <= b + 1e-12 * scale, `${label}: inside tick ${t}`).toBe(true);
    }
  });

  it('give exact values and labels on known ranges', () => {
    expect(niceTicks(0, 2.3, { target: 5 }).ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(0.1, 0.7, { target: 6 }).ticks).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(niceTicks(1, 3, { target: 10, minStep: 1 }).ticks).toEqual([1, 2, 3]);
    // A constant is shown from 0 to twice its value, so it sits on a round tick (see widen in axis.ts).
    expect(niceTicks(5, 5).ticks).toEqual([0, 2, 4, 6, 8, 10]);
    const axis = linearAxis(-0.35, 0.35, { target: 4 });
    expect(axis.ticks.map((t) => axis.format(t))).toEqual(['\u22120.4', '\u22120.2', '0', '0.2', '0.4']);
    expect(formatTick(0.00015, 0.00005)).toBe('1.5e-4');
    expect(formatTick(3e7, 1e7)).toBe('3e7');
    // Two decades get 1-2-5 ticks, more get powers of ten only.
    expect(logAxis(0.003, 0.08).ticks).toEqual([0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]);
    expect(logAxis(0.003, 0.2).ticks).toEqual([0.001, 0.01, 0.1, 1]);
    expect(logAxis(1e-6, 1).ticks).toEqual([1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1]);
    expect(logAxis(1e-6, 1).format(1e-5)).toBe('1e-5');
  });
});

describe('escapeXml', () => {
  it('escapes markup and drops characters XML cannot hold', () => {
    expect(escapeXml(`a<b & "c" > 'd'`)).toBe('a&lt;b &amp; &quot;c&quot; &gt; &apos;d&apos;');
    expect(escapeXml('x\u0000y\u001bz\ud800')).toBe('xyz');
    expect(escapeXml('→ 😀')).toBe('→ 😀');
  });
});

describe('lineChart', () => {
  it('is well-formed, names its series and axes, and escapes the title', () => {
    const svg = lineChart({
      title: 'Loss <MSE> & "friends"', xLabel: 'epoch <n>', yLabel: 'loss & more',
      series: [{ name: 'train <a>', values: [3, 2, 1.5, 1.2] }, { name: 'val & b', values: [3.5, 2.5, 2, 1.9], dashed: true }],
    });
    expectSvg(svg);
    const t = texts(svg);
    for (const s of ['Loss <MSE> & "friends"', 'epoch <n>', 'loss & more', 'train <a>', 'val & b']) expect(t).toContain(s);
    expect(svg).toContain('Loss &lt;MSE&gt; &amp; &quot;friends&quot;');
    expect(svg).not.toContain('<MSE>');
    expect(svg).toContain('stroke-dasharray');
    // Two series → two distinct colors from the palette.
    expect(svg).toContain(`stroke="${PALETTE[0]}"`);
    expect(svg).toContain(`stroke="${PALETTE[1]}"`);
  });

  it('leaves gaps at NaN and Infinity instead of writing them', () => {
    const svg = lineChart({ series: [{ name: 'a', values: [1, 2, NaN, 4, 5, Infinity, 7, NaN] }, { name: 'b', values: [NaN, NaN] }] });
    expectSvg(svg);
    const d = /d="([^"]*)"[^>]*stroke-linejoin/.exec(svg)?.[1] ?? '';
    // Runs [1, 2], [4, 5], [7]: three subpaths; the lone 7 also gets a dot.
    expect(d.split('M').length - 1).toBe(3);
    expect(d.split('L').length - 1).toBe(2);
    // The y axis covers the finite values only (1 … 7).
    const labels = texts(svg).map(Number).filter((v) => Number.isFinite(v));
    expect(Math.max(...labels)).toBeGreaterThanOrEqual(7);
  });

  it('still draws axes when nothing is finite, and skips values ≤ 0 on a log axis', () => {
    expectSvg(lineChart({ series: [{ name: 'diverged', values: [NaN, Infinity, -Infinity] }] }));
    const svg = lineChart({ series: [{ name: 'lr', values: [0, 1e-3, 1e-2, -1, 1e-1] }], logY: true });
    expectSvg(svg);
    const t = texts(svg);
    expect(t).toContain('0.001');
    expect(t).toContain('0.1');
  });

  it('reduces a long series to a few points per pixel column without losing its extremes', () => {
    const r = rng(5);
    const values = Float32Array.from({ length: 100_000 }, () => r());
    values[54_321] = 1000;
    values[77_777] = -1000;
    const svg = lineChart({ series: [{ name: 'per-batch loss', values }], width: 600 });
    expectSvg(svg);
    expect(svg.length).toBeLessThan(60_000);
    const d = /d="([^"]*)"[^>]*stroke-linejoin/.exec(svg)?.[1] ?? '';
    const ys = d.split(/[ML]/).filter(Boolean).map((p) => Number(p.split(' ')[1]));
    expect(ys.length).toBeLessThanOrEqual(4 * 600);
    // The y axis is exactly [−1000, 1000] (both are ticks), so the two spikes touch the plot's top and bottom grid lines.
    const grid = /<path d="([^"]*)" stroke="#e5e5e5"/.exec(svg)?.[1] ?? '';
    const gridYs = [...grid.matchAll(/M[\d.]+ ([\d.]+)H/g)].map((m) => Number(m[1]));
    expect(Math.min(...ys)).toBe(Math.min(...gridYs));
    expect(Math.max(...ys)).toBe(Math.max(...gridYs));
  });

  it('places points by their x when given as {x, y}', () => {
    const svg = lineChart({ series: [{ name: 's', values: [{ x: -10, y: 0 }, { x: 30, y: 1 }] }], width: 500, height: 300 });
    expectSvg(svg);
    const t = texts(svg);
    expect(t).toContain('\u221210');
    expect(t).toContain('30');
  });

  it('rejects bad options with a message naming them', () => {
    expect(() => lineChart({ series: [] })).toThrow(/options\.series/);
    expect(() => lineChart({ series: [{ name: 'a', values: 'abc' as unknown as number[] }] })).toThrow(/options\.series\[0\]\.values/);
    expect(() => lineChart({ series: [{ name: 'a', values: [1] }], width: -3 })).toThrow(/options\.width/);
  });
});

describe('trainingCurves', () => {
  it('draws loss and accuracy, train solid and validation dashed, epochs from 1', () => {
    const charts = trainingCurves({
      loss: [1, 0.5, 0.3], valLoss: [1.2, 0.7, NaN], accuracy: Float32Array.of(0.5, 0.8, 0.9), valAccuracy: [0.45, 0.7, 0.75], lr: [0.1, 0.1, 0.1],
    });
    expect(Object.keys(charts).sort()).toEqual(['accuracy', 'loss']);
    for (const svg of [charts.loss!, charts.accuracy!]) {
      expectSvg(svg);
      const t = texts(svg);
      expect(t).toContain('train');
      expect(t).toContain('validation');
      expect(t).toContain('epoch');
      expect(t).toContain('3');
      expect(svg.split('stroke-dasharray').length - 1).toBe(2); // the validation line and its legend sample
    }
    expect(texts(charts.loss!)).toContain('Loss');
    expect(texts(charts.accuracy!)).toContain('accuracy');
  });

  it('draws only what the history has, and says when it has nothing', () => {
    const onlyLoss = trainingCurves({ loss: [2, 1] });
    expect(Object.keys(onlyLoss)).toEqual(['loss']);
    expect(texts(onlyLoss.loss!)).not.toContain('validation');
    expect(() => trainingCurves({ lr: [1] })).toThrow(/history has none of loss.*keys: lr/);
    expect(() => trainingCurves({ loss: 3 as unknown as number[] })).toThrow(/history\.loss/);
  });
});

/** The x axis's tick labels of a line chart: the labels under its plot, left to right. */
function xTickLabels(svg: string): string[] {
  const labels: { x: number; y: number; text: string }[] = [];
  for (const m of svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle">([^<]*)<\/text>/g)) labels.push({ x: Number(m[1]), y: Number(m[2]), text: m[3] });
  // The tick labels are the numbers on the lowest row that has any (the axis title is a word).
  const numeric = labels.filter((l) => /^[\u2212\d.e-]+$/.test(l.text));
  const bottom = Math.max(...numeric.map((l) => l.y));
  return numeric.filter((l) => l.y === bottom).sort((a, b) => a.x - b.x).map((l) => l.text);
}

/** The y axis's tick labels (right-aligned left of the plot), top to bottom. */
function yTickLabels(svg: string): string[] {
  return [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" text-anchor="end">([^<]*)<\/text>/g)]
    .map((m) => ({ y: Number(m[1]), text: m[2] })).sort((a, b) => a.y - b.y).map((l) => l.text);
}

describe('axes that say what is so', () => {
  it('training curves start at epoch 1, the first finished epoch, however many epochs there are', () => {
    expect(xTickLabels(trainingCurves({ loss: [0.5], valLoss: [0.4] }).loss!)).toEqual(['1']);
    for (const epochs of [3, 10, 300]) {
      const { loss } = trainingCurves({ loss: Array.from({ length: epochs }, (_, i) => 1 / (i + 1)) });
      const ticks = xTickLabels(loss!);
      expect(ticks[0], `${epochs} epochs: ${ticks.join(' ')}`).toBe('1');
      expect(ticks).not.toContain('0');
      expect(ticks.at(-1)).toBe(String(epochs));
    }
  });

  it('draws a constant series on round ticks from 0, not on a 0.009–0.011 axis', () => {
    const svg = lineChart({ series: [{ name: 'lr', values: [0.01, 0.01, 0.01, 0.01] }] });
    const ticks = yTickLabels(svg);
    expect(ticks.map(Number)).toContain(0.01);
    expect(ticks.at(-1)).toBe('0');
    expect(ticks.some((t) => /0\.009|0\.011/.test(t)), ticks.join(' ')).toBe(false);
    const constantSchedule = scheduleChart(Object.assign(() => 0.01, { unit: 'epoch' }), { steps: 10 });
    expect(yTickLabels(constantSchedule).map(Number)).toContain(0.01);
    expect(yTickLabels(constantSchedule).some((t) => t.startsWith('0.009'))).toBe(false);
    expect(linearAxis(-2, -2).domain).toEqual([-4, 0]);
    expect(linearAxis(0, 0).domain).toEqual([-1, 1]);
  });

  it('a log x axis keeps the first epochs wide and leaves x ≤ 0 out', () => {
    const values = Array.from({ length: 1000 }, (_, i) => ({ x: i, y: 1 / (i + 1) }));
    const svg = lineChart({ series: [{ name: 'loss', values }], logX: true, width: 600 });
    expectSvg(svg);
    expect(xTickLabels(svg)).toEqual(['1', '10', '100', '1000']);
  });
});

describe('scheduleChart', () => {
  it('samples the schedule at every step and labels the axis with its unit', () => {
    const seen: number[] = [];
    const fn = Object.assign((t: number) => {
      seen.push(t);
      return t < 5 ? 0.1 : 0.01;
    }, { unit: 'epoch', config: { name: 'step' } });
    const svg = scheduleChart(fn, { steps: 10 });
    expectSvg(svg);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const t = texts(svg);
    expect(t).toContain('epoch');
    expect(t).toContain('learning rate');
    expect(t).toContain('Learning-rate schedule (step)');
    expect(t).toContain('10'); // the axis runs to the end of the last step
    // One drop: the step path has a single vertical segment.
    const d = /<path d="(M[^"]*)" fill="none" stroke="#0072B2"/.exec(svg)?.[1] ?? '';
    expect(d.split('V').length - 1).toBe(1);
  });

  it('caps the samples on long runs and checks steps', () => {
    let calls = 0;
    expectSvg(scheduleChart(() => (calls++, 0.001), { steps: 100_000, unit: 'batch', logY: true }));
    expect(calls).toBeLessThanOrEqual(1001);
    expect(() => scheduleChart(() => 1, { steps: 0 })).toThrow(/options\.steps/);
    expect(() => scheduleChart(5 as unknown as () => number, { steps: 3 })).toThrow(/fn must be a function/);
  });
});

/** Three classes, each certain near its own center: softmax(−4·|x − μₖ|²). */
const CENTERS = [[-1, -1], [1, -1], [0, 1]];
function threeClass(xy: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = CENTERS.map(([cx, cy]) => Math.exp(-4 * ((xy[2 * i] - cx) ** 2 + (xy[2 * i + 1] - cy) ** 2)));
    const sum = s[0] + s[1] + s[2];
    for (let k = 0; k < 3; k++) out[i * 3 + k] = s[k] / sum;
  }
  return out;
}

/** The class whose color the pixel leans toward: the largest cosine between (white − pixel) and (white − class color). */
function dominantClass(rgb: readonly number[], classes: number): number {
  let best = -1;
  let bestCos = -Infinity;
  for (let k = 0; k < classes; k++) {
    const c = parseHex(PALETTE[k]);
    const a = rgb.map((v) => 255 - v);
    const b = c.map((v) => 255 - v);
    const cos = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (Math.hypot(...a) * Math.hypot(...b) || 1);
    if (cos > bestCos) {
      bestCos = cos;
      best = k;
    }
  }
  return best;
}

describe('decisionBoundary', () => {
  const points = { x: Float32Array.of(-1, -1, 1, -1, 0, 1, -0.8, -1.2), y: Int32Array.of(0, 1, 2, 0) };
  const bounds = { xMin: -2, xMax: 2, yMin: -2, yMax: 2 };

  it('has a colour bar for P(class | x): a strip per class, white at 1/K, the class colour at 1', () => {
    const svg = decisionBoundary({ predict: threeClass, points, classes: 3, bounds, resolution: 20 });
    expectSvg(svg);
    expect(texts(svg)).toContain('P(class | x)');
    for (const label of ['0.33', '1']) expect(texts(svg)).toContain(label);
    const second = svg.indexOf('<image', svg.indexOf('<image') + 1);
    expect(second).toBeGreaterThan(0);
    const bar = embeddedImage(svg.slice(second)).png;
    expect([bar.width, bar.height]).toEqual([3, 64]);
    for (let k = 0; k < 3; k++) {
      expect(dominantClass(pixel(bar, k, 0), 3), `top of strip ${k}`).toBe(k);
      const bottom = pixel(bar, k, 63);
      expect(Math.min(...bottom), `bottom of strip ${k} is nearly white`).toBeGreaterThan(215);
    }
    // The plot made room for the bar: the figure is wider than the heat map by more than the axes need.
    const heat = embeddedImage(svg);
    const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)?.[1]);
    expect(width - (heat.x + heat.width)).toBeGreaterThan(80);
  });

  it('calls predict once with the whole grid and colors each region by its class', () => {
    const calls: number[] = [];
    const svg = decisionBoundary({
      predict: (xy, n) => {
        calls.push(n);
        expect(xy.length).toBe(2 * n);
        return threeClass(xy, n);
      },
      points, classes: 3, bounds, resolution: 40, labels: ['a<b', 'b', 'c'],
    });
    expectSvg(svg);
    expect(calls).toEqual([40 * 40]);
    const { png } = embeddedImage(svg);
    expect([png.width, png.height]).toEqual([40, 40]);
    const cell = (x: number, y: number): [number, number, number] =>
      pixel(png, Math.floor(((x - bounds.xMin) / 4) * 40), Math.floor(((bounds.yMax - y) / 4) * 40));
    CENTERS.forEach(([x, y], k) => expect(dominantClass(cell(x, y), 3), `center of class ${k}`).toBe(k));
    // Confidence reads as saturation: the point equidistant from all centers is paler than a center.
    const ink = (rgb: number[]): number => 3 * 255 - rgb[0] - rgb[1] - rgb[2];
    expect(ink(cell(0, -0.25))).toBeLessThan(ink(cell(-1, -1)) / 2);
    // Every point is drawn, in its class color, and the legend names the classes (escaped).
    expect(svg.split('<circle').length - 1).toBe(4 + 3); // 4 points + 3 legend dots
    for (const k of [0, 1, 2]) expect(svg).toContain(`fill="${PALETTE[k]}"`);
    expect(texts(svg)).toContain('a<b');
    expect(svg).toContain('a&lt;b');
  });

  it('keeps the data aspect ratio and takes bounds from the points', () => {
    const svg = decisionBoundary({ predict: threeClass, points, classes: 3, bounds: { xMin: -2, xMax: 2, yMin: -1, yMax: 1 }, resolution: 50 });
    const img = embeddedImage(svg);
    expect([img.png.width, img.png.height]).toEqual([50, 25]);
    expect(img.width / img.height).toBeCloseTo(2, 1);
    const auto = embeddedImage(decisionBoundary({ predict: threeClass, points, classes: 3, resolution: 30 }));
    // Points span x ∈ [−1, 1], y ∈ [−1.2, 1]: y is the longer side, margins add 0.22 to each end.
    expect(auto.png.height).toBe(30);
    expect(auto.png.width).toBe(Math.round((30 * 2.44) / 2.64));
  });

  it('accepts a single sigmoid column for two classes, and returns PNG bytes on request', () => {
    const sigmoid = (xy: Float32Array, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => 1 / (1 + Math.exp(-8 * xy[2 * i])));
    const two = { x: Float32Array.of(-1, 0, 1, 0), y: Int32Array.of(0, 1) };
    const bytes = decisionBoundary({ predict: sigmoid, points: two, classes: 2, bounds, resolution: 20, format: 'png' });
    expect(bytes).toBeInstanceOf(Uint8Array);
    const png = PNG.sync.read(Buffer.from(bytes));
    expect([png.width, png.height]).toEqual([20, 20]);
    // x < 0 is class 0 (left), x > 0 class 1 (right), away from the drawn points.
    expect(dominantClass(pixel(png, 2, 2), 2)).toBe(0);
    expect(dominantClass(pixel(png, 17, 2), 2)).toBe(1);
    // The point at (1, 0) is painted in its full class color.
    expect(pixel(png, 15, 10)).toEqual([...parseHex(PALETTE[1])]);
  });

  it('rejects a wrong predict, bad labels and bad bounds with clear messages', () => {
    const base = { points, classes: 3, bounds, resolution: 10 };
    expect(() => decisionBoundary({ ...base, predict: () => new Float32Array(7) })).toThrow(/predict returned 7 values for 100 grid points/);
    expect(() => decisionBoundary({ ...base, predict: (_xy, n) => new Float32Array(3 * n).fill(2) })).toThrow(/softmax/);
    expect(() => decisionBoundary({ ...base, predict: threeClass, points: { x: points.x, y: Int32Array.of(0, 1, 3, 0) } })).toThrow(/points\.y\[2\] is 3/);
    expect(() => decisionBoundary({ ...base, predict: threeClass, points: { x: Float32Array.of(1), y: Int32Array.of(0) } })).toThrow(/points\.x/);
    expect(() => decisionBoundary({ ...base, predict: threeClass, bounds: { xMin: 1, xMax: 0, yMin: 0, yMax: 1 } })).toThrow(/bounds/);
  });
});

describe('confusionMatrixChart', () => {
  it('shows every count, the accuracy and the axes', () => {
    const svg = confusionMatrixChart([[50, 3, 0], [7, 41, 2], [0, 0, 97]], { labels: ['cat', 'dog & co', '<bird>'] });
    expectSvg(svg);
    const t = texts(svg);
    for (const c of ['50', '3', '7', '41', '2', '97']) expect(t).toContain(c);
    expect(t.filter((s) => s === '0')).toHaveLength(3);
    expect(t.some((s) => s.includes('accuracy 94.00%') && s.includes('n = 200'))).toBe(true);
    for (const s of ['true', 'predicted', 'dog & co', '<bird>']) expect(t).toContain(s);
    expect(svg.split('<rect').length - 1).toBe(1 + 9 + 1); // background, cells, frame
  });

  it('reads a flat matrix and normalizes rows to percentages', () => {
    const svg = confusionMatrixChart(Int32Array.of(5, 1, 2, 2), { classes: 2, normalize: true });
    expectSvg(svg);
    const t = texts(svg);
    for (const s of ['83.3', '16.7', '50.0']) expect(t).toContain(s);
    expect(t.some((s) => s.includes('accuracy 70.00%'))).toBe(true);
  });

  it('rejects matrices that are not square count tables', () => {
    expect(() => confusionMatrixChart([[1, 2], [3]])).toThrow(/square/);
    expect(() => confusionMatrixChart(Int32Array.of(1, 2, 3))).toThrow(/flat matrix/);
    expect(() => confusionMatrixChart([[1, -2], [3, 4]])).toThrow(/counts ≥ 0/);
    expect(() => confusionMatrixChart([[1, 2], [3, 4]], { labels: ['a'] })).toThrow(/options\.labels/);
  });
});

describe('imageGrid', () => {
  it('lays out n images in columns, scaled, with white gaps, values mapped to grey', () => {
    const h = 3, w = 4, n = 5;
    const images = Float32Array.from({ length: n * h * w }, (_, i) => (i % 13) / 12);
    const png = PNG.sync.read(Buffer.from(imageGrid({ images, height: h, width: w, columns: 2, scale: 3, gap: 1 })));
    expect([png.width, png.height]).toEqual([2 * (w * 3 + 1) - 1, 3 * (h * 3 + 1) - 1]);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          const grey = Math.round(255 * images[i * h * w + r * w + c]);
          const x = (i % 2) * (w * 3 + 1) + c * 3 + 2;
          const y = Math.floor(i / 2) * (h * 3 + 1) + r * 3 + 1;
          expect(pixel(png, x, y), `image ${i} pixel (${r}, ${c})`).toEqual([grey, grey, grey]);
        }
      }
    }
    expect(pixel(png, w * 3, 0)).toEqual([255, 255, 255]); // the gap between columns
    expect(pixel(png, png.width - 1, png.height - 1)).toEqual([255, 255, 255]); // the empty sixth slot
  });

  it('handles RGB, byte images and per-image auto range', () => {
    const rgb = PNG.sync.read(Buffer.from(imageGrid({ images: Float32Array.of(1, 0, 0, 0, 0.5, 1), height: 1, width: 2, channels: 3, scale: 1 })));
    expect([pixel(rgb, 0, 0), pixel(rgb, 1, 0)]).toEqual([[255, 0, 0], [0, 128, 255]]);
    const bytes = PNG.sync.read(Buffer.from(imageGrid({ images: Uint8Array.of(0, 255), height: 1, width: 2, scale: 1 })));
    expect([pixel(bytes, 0, 0), pixel(bytes, 1, 0)]).toEqual([[0, 0, 0], [255, 255, 255]]);
    const auto = PNG.sync.read(Buffer.from(imageGrid({ images: Float32Array.of(-3, 1), height: 1, width: 2, scale: 1, range: 'auto', invert: true })));
    expect([pixel(auto, 0, 0), pixel(auto, 1, 0)]).toEqual([[255, 255, 255], [0, 0, 0]]);
  });

  it('checks sizes', () => {
    expect(() => imageGrid({ images: new Float32Array(10), height: 2, width: 2 })).toThrow(/multiple of height × width × channels = 4/);
    expect(() => imageGrid({ images: new Float32Array(8), height: 2, width: 2, n: 3 })).toThrow(/fewer than/);
    expect(() => imageGrid({ images: new Float32Array(8), height: 2, width: 2, channels: 2 })).toThrow(/options\.channels/);
  });
});

describe('misclassifiedGrid', () => {
  const h = 2, w = 2;
  const images = Float32Array.from({ length: 6 * h * w }, (_, i) => Math.floor(i / (h * w)) / 5); // image i is all i/5
  const trueLabels = Int32Array.of(0, 1, 2, 3, 4, 5);
  const predicted = Int32Array.of(0, 7, 2, 1, 4, 0);

  it('shows only the wrong predictions, captioned true→predicted', () => {
    const svg = misclassifiedGrid({ images, height: h, width: w, trueLabels, predicted, scale: 4, labels: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven'] });
    expectSvg(svg);
    const t = texts(svg);
    const title = 'Misclassified (true \u2192 predicted): 3 errors in 6 images';
    expect(t.filter((s) => s.includes('\u2192') && s !== title)).toEqual(['one\u2192seven', 'three\u2192one', 'five\u2192zero']);
    expect(t).toContain(title);
    // The embedded grid holds images 1, 3, 5 in that order.
    const { png } = embeddedImage(svg);
    const greys = [1, 3, 5].map((i) => Math.round((255 * i) / 5));
    const pitch = png.width / 3;
    greys.forEach((g, j) => expect(pixel(png, Math.floor(j * pitch + pitch / 2), 2)[0], `tile ${j}`).toBe(g));
  });

  it('limits the count and says when nothing is wrong', () => {
    const limited = misclassifiedGrid({ images, height: h, width: w, trueLabels, predicted, limit: 2 });
    expect(texts(limited).filter((s) => s.includes('\u2192') && !s.startsWith('Misclassified'))).toHaveLength(2);
    expect(texts(limited)).toContain('Misclassified (true \u2192 predicted): first 2 of 3 errors in 6 images');
    const none = misclassifiedGrid({ images, height: h, width: w, trueLabels, predicted: trueLabels });
    expectSvg(none);
    expect(texts(none)).toContain('no misclassified images');
    expect(() => misclassifiedGrid({ images, height: h, width: w, trueLabels, predicted: Int32Array.of(1) })).toThrow(/options\.predicted has 1 labels/);
  });
});

describe('writePlot', () => {
  it('writes atomically, creating the directory, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'simdnet-plot-'));
    try {
      const svgPath = join(dir, 'nested', 'loss.svg');
      await writePlot(svgPath, '<svg/>');
      await writePlot(svgPath, '<svg>second</svg>');
      expect(await readFile(svgPath, 'utf8')).toBe('<svg>second</svg>');
      const bytes = Uint8Array.of(137, 80, 78, 71, 0, 255);
      await writePlot(join(dir, 'x.png'), bytes);
      expect(new Uint8Array(await readFile(join(dir, 'x.png')))).toEqual(bytes);
      expect((await readdir(dir)).sort()).toEqual(['nested', 'x.png']);
      expect(await readdir(join(dir, 'nested'))).toEqual(['loss.svg']);
      // A failed write (the target is a directory) cleans up its temporary file too.
      await writeFile(join(dir, 'keep.txt'), 'k');
      await expect(writePlot(join(dir, 'nested'), 'x')).rejects.toThrow();
      expect((await readdir(dir)).sort()).toEqual(['keep.txt', 'nested', 'x.png']);
      await expect(writePlot('', 'x')).rejects.toThrow(/path/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// A tiny XML well-formedness checker (no DOMParser in Node, no dependency): one root, balanced and
// properly nested tags, quoted unique attributes, only the five XML entities or character references
// after '&', nothing but whitespace outside the root.

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
}

function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9') || c === '-' || c === '.';
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r';
}

/** The first bad '&' in `s`, or null. */
function badEntity(s: string): string | null {
  for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
    const rest = s.slice(i + 1, i + 12);
    const semi = rest.indexOf(';');
    const body = semi < 0 ? '' : rest.slice(0, semi);
    const named = ['amp', 'lt', 'gt', 'quot', 'apos'].includes(body);
    const decimal = body.length > 1 && body[0] === '#' && [...body.slice(1)].every((c) => c >= '0' && c <= '9');
    const hex = body.length > 2 && body[0] === '#' && body[1] === 'x' && [...body.slice(2)].every((c) => '0123456789abcdefABCDEF'.includes(c));
    if (!named && !decimal && !hex) return s.slice(i, i + 12);
  }
  return null;
}

/** null if `xml` is well-formed, else what is wrong and where. */
function xmlError(xml: string): string | null {
  const at = (i: number, what: string): string => `${what} at ${i}: …${xml.slice(Math.max(0, i - 30), i + 30)}…`;
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) return at(0, 'unterminated XML declaration');
    i = end + 2;
  }
  const stack: string[] = [];
  let roots = 0;
  const readName = (j: number): string => {
    if (!isNameStart(xml[j] ?? '')) return '';
    let k = j + 1;
    while (k < xml.length && isNameChar(xml[k])) k++;
    return xml.slice(j, k);
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const content = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && content.trim() !== '') return at(i, 'text outside the root element');
    const bad = badEntity(content);
    if (bad) return at(i, `bad entity '${bad}' in text`);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return at(lt, 'unterminated comment');
      i = end + 3;
      continue;
    }
    if (xml[lt + 1] === '/') {
      const name = readName(lt + 2);
      let j = lt + 2 + name.length;
      while (isSpace(xml[j] ?? '')) j++;
      if (!name || xml[j] !== '>') return at(lt, 'malformed end tag');
      const open = stack.pop();
      if (open !== name) return at(lt, `</${name}> closes <${open ?? 'nothing'}>`);
      i = j + 1;
      continue;
    }
    const name = readName(lt + 1);
    if (!name) return at(lt, "'<' that starts no tag");
    if (stack.length === 0 && ++roots > 1) return at(lt, 'a second root element');
    let j = lt + 1 + name.length;
    const seen = new Set<string>();
    for (;;) {
      const hadSpace = isSpace(xml[j] ?? '');
      while (isSpace(xml[j] ?? '')) j++;
      if (xml.startsWith('/>', j)) {
        j += 2;
        break;
      }
      if (xml[j] === '>') {
        stack.push(name);
        j++;
        break;
      }
      const attr = readName(j);
      if (!attr || !hadSpace) return at(j, `malformed attribute in <${name}>`);
      if (seen.has(attr)) return at(j, `duplicate attribute ${attr} in <${name}>`);
      seen.add(attr);
      j += attr.length;
      while (isSpace(xml[j] ?? '')) j++;
      if (xml[j] !== '=') return at(j, `attribute ${attr} without a value`);
      j++;
      while (isSpace(xml[j] ?? '')) j++;
      const quote = xml[j];
      if (quote !== '"' && quote !== "'") return at(j, `unquoted value of ${attr}`);
      const end = xml.indexOf(quote, j + 1);
      if (end < 0) return at(j, `unterminated value of ${attr}`);
      const value = xml.slice(j + 1, end);
      if (value.includes('<')) return at(j, `'<' in the value of ${attr}`);
      const badValue = badEntity(value);
      if (badValue) return at(j, `bad entity '${badValue}' in ${attr}`);
      j = end + 1;
    }
    i = j;
  }
  if (stack.length > 0) return at(xml.length, `unclosed <${stack[stack.length - 1]}>`);
  if (roots === 0) return 'no root element';
  return null;
}

describe('convFilters', () => {
  it('draws filter o of a [kh, kw, inC, outC] kernel as tile o, each scaled to its own range; RGB for 3 input channels', () => {
    // 2×3 filters, 2 of them, one input channel: filter o's weight at (r, c) is o·10 + r·3 + c (filter 1 is filter 0 + 10).
    const [kh, kw, outC] = [2, 3, 2];
    const kernel = new Float32Array(kh * kw * outC);
    for (let p = 0; p < kh * kw; p++) for (let o = 0; o < outC; o++) kernel[p * outC + o] = o * 10 + p;
    const svg = convFilters({ kernel, shape: [kh, kw, 1, outC], scale: 1 });
    expectSvg(svg);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Filters of the first convolution (2 of 2×3×1)', '0', '1']));
    const { png } = embeddedImage(svg);
    // Each tile runs black (its smallest weight, at (0, 0)) to white (its largest, at (1, 2)), whatever its offset.
    const pitch = (png.width + 2) / 2;
    for (let o = 0; o < outC; o++) {
      const x0 = Math.round(o * pitch + (pitch - 2 - kw) / 2);
      expect(pixel(png, x0, 0), `filter ${o} (0, 0)`).toEqual([0, 0, 0]);
      expect(pixel(png, x0 + 2, 1), `filter ${o} (1, 2)`).toEqual([255, 255, 255]);
    }
    // Three input channels: one RGB tile per filter, red from channel 0.
    const rgb = new Float32Array(1 * 1 * 3 * 1);
    rgb.set([1, 0, 0.5]);
    const one = embeddedImage(convFilters({ kernel: rgb, shape: [1, 1, 3, 1], scale: 1 })).png;
    expect(pixel(one, Math.floor(one.width / 2), 0)).toEqual([255, 0, 128]);
  });

  it('shows at most `limit` filters and checks the kernel against the shape', () => {
    const kernel = new Float32Array(3 * 3 * 1 * 40).map((_, i) => i % 7);
    expect(texts(convFilters({ kernel, shape: [3, 3, 1, 40], limit: 16 }))).toContain('Filters of the first convolution (16 of 40 of 3×3×1)');
    expect(() => convFilters({ kernel, shape: [3, 3, 2, 40] })).toThrow(/simdnet convFilters: options.kernel holds 360 values, but the shape \[3, 3, 2, 40\] needs 720/);
    expect(() => convFilters({ kernel, shape: [3, 3, 40] as unknown as [number, number, number, number] })).toThrow(/options.shape must be \[kh, kw, inC, outC\]/);
  });
});
