/**
 * Colors. Series and classes use the Okabe–Ito palette, chosen to stay distinguishable under the
 * common color-vision deficiencies; its yellow is last because thin yellow lines vanish on white.
 */

/** An sRGB color as 0..255 channels. */
export type Rgb = readonly [number, number, number];

/** Okabe & Ito (2008), "Color Universal Design", reordered for white backgrounds. */
export const PALETTE: readonly string[] = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow
];

/**
 * Extra class colors beyond the palette (e.g. 10 digit classes in a 2-D embedding): Paul Tol's
 * "muted" scheme, also colorblind-aware, disjoint from Okabe–Ito.
 */
const EXTRA: readonly string[] = ['#332288', '#882255', '#999933', '#44AA99', '#AA4499', '#117733', '#DDCC77', '#88CCEE'];

/** The color of series or class `index`; cycles after 16. */
export function seriesColor(index: number): string {
  const all = PALETTE.length + EXTRA.length;
  const i = ((index % all) + all) % all;
  return i < PALETTE.length ? PALETTE[i] : EXTRA[i - PALETTE.length];
}

/** '#rrggbb' → [r, g, b]. */
export function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`plot: color must be '#rrggbb', got '${hex}'`);
  const v = parseInt(m[1], 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** [r, g, b] → '#rrggbb' (channels rounded and clamped). */
export function toHex(rgb: Rgb): string {
  return '#' + rgb.map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, '0')).join('');
}

/** a + (b − a)·t per channel. */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export const WHITE: Rgb = [255, 255, 255];

/** Relative luminance (WCAG) in [0, 1], to pick dark or light text over a fill. */
export function luminance(rgb: Rgb): number {
  const lin = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/**
 * Text color readable over `fill`: dark or white, whichever has the higher WCAG contrast (they tie
 * at a luminance of about 0.2).
 */
export function textColorOn(fill: Rgb): string {
  return luminance(fill) > 0.2 ? '#1a1a1a' : '#ffffff';
}

/** Axis, grid and text greys, shared by every chart. */
export const INK = { text: '#1a1a1a', axis: '#444444', grid: '#e5e5e5', muted: '#777777' } as const;
