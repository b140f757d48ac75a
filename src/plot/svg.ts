/**
 * The one place SVG markup is made: every attribute value and every piece of text passes through
 * here, so escaping and number formatting cannot be forgotten by a chart.
 */

/** Characters XML 1.0 forbids anywhere in a document (C0 controls other than tab, LF, CR; lone surrogates; U+FFFE/F). */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for use in XML content or a quoted attribute, dropping characters XML cannot hold. */
export function escapeXml(text: string): string {
  return String(text).replace(INVALID_XML, '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A number as SVG writes it: at most 2 decimals, no exponent, never NaN (a NaN here is a bug in a chart). */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`plot: internal error, non-finite coordinate ${value}`);
  const rounded = Math.round(value * 100) / 100;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

/** Attribute values: numbers are formatted with num(); undefined, null and false leave the attribute out. */
export type AttrValue = string | number | boolean | undefined | null;

/**
 * One element. `children` are markup strings made by el()/text() (never raw user text: pass that
 * through text() or escapeXml()).
 */
export function el(tag: string, attrs: Readonly<Record<string, AttrValue>>, ...children: string[]): string {
  let open = `<${tag}`;
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    const v = typeof value === 'number' ? num(value) : value === true ? name : escapeXml(value);
    open += ` ${name}="${v}"`;
  }
  return children.length === 0 ? `${open}/>` : `${open}>${children.join('')}</${tag}>`;
}

/** A <text> element holding escaped `content`. */
export function text(content: string, attrs: Readonly<Record<string, AttrValue>>): string {
  return el('text', attrs, escapeXml(content));
}

/** Fonts available on GitHub, browsers and librsvg alike. */
export const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';

/**
 * A complete standalone SVG document: white background (so charts read on dark pages too) and a
 * <title> for screen readers.
 */
export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    el(
      'svg',
      {
        xmlns: 'http://www.w3.org/2000/svg',
        'xmlns:xlink': 'http://www.w3.org/1999/xlink',
        width,
        height,
        viewBox: `0 0 ${num(width)} ${num(height)}`,
        'font-family': FONT_FAMILY,
        'font-size': 12,
      },
      el('title', {}, escapeXml(title)),
      el('rect', { width, height, fill: '#ffffff' }),
      ...body.map((part) => `\n${part}`),
      '\n',
    ) +
    '\n'
  );
}

/**
 * An embedded raster image (PNG bytes as a data URI) stretched over a rectangle. `pixelated` keeps
 * hard pixel edges when scaled (digits); otherwise the renderer interpolates smoothly (heat maps).
 */
export function embeddedPng(png: Uint8Array, x: number, y: number, width: number, height: number, pixelated = false): string {
  return el('image', {
    x,
    y,
    width,
    height,
    preserveAspectRatio: 'none',
    'image-rendering': pixelated ? 'optimizeSpeed' : undefined,
    style: pixelated ? 'image-rendering:pixelated' : undefined,
    'xlink:href': `data:image/png;base64,${base64(png)}`,
  });
}

/** Standard base64 of bytes; btoa exists in browsers, workers and Node ≥ 16. */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000; // String.fromCharCode's argument count is limited
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/**
 * Approximate rendered width of `content` in a sans-serif font of `fontSize` px (no DOM to measure
 * in): used only to reserve margins and place legends, so a rough average is enough.
 */
export function textWidth(content: string, fontSize: number): number {
  return [...content].length * fontSize * 0.6;
}
