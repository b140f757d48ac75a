/**
 * `--layers`: the command line's spelling of a network's hidden layers, comma-separated tokens:
 *
 *   conv<filters>x<k>[s<stride>][same]   conv2d, k×k kernel, stride 1 and 'valid' padding unless given
 *   pool<k>, avgpool<k>                  max / average pooling, k×k windows, stride k
 *   gap                                  global average pooling (one value per channel)
 *   bn                                   batch normalization (the layer before it gives its activation to
 *                                        it: conv → bn → relu, the usual order; that layer loses its bias)
 *   dropout<rate>                        dropout, e.g. dropout0.25
 *   dense<units> or <units>              a dense layer (128,64 is the MLP of old)
 *   flatten                              explicit flatten (one is added before the first dense after images)
 *   none                                 no hidden layer (logistic regression)
 *
 * e.g. `--layers conv32x5,pool2,conv64x5,pool2,dense128`. Parsing is pure (no layers are made) so a
 * bad token is a usage error before any data is read.
 */
import { UsageError } from './values.js';

/** One parsed token of --layers. */
export type LayerToken =
  | { readonly kind: 'conv'; readonly filters: number; readonly kernel: number; readonly stride: number; readonly padding: 'valid' | 'same' }
  | { readonly kind: 'maxPool'; readonly size: number }
  | { readonly kind: 'avgPool'; readonly size: number }
  | { readonly kind: 'gap' }
  | { readonly kind: 'bn' }
  | { readonly kind: 'dropout'; readonly rate: number }
  | { readonly kind: 'dense'; readonly units: number }
  | { readonly kind: 'flatten' };

/** The grammar, for help texts and errors. */
export const LAYER_SYNTAX = 'conv<filters>x<k>[s<stride>][same], pool<k>, avgpool<k>, gap, bn, dropout<rate>, dense<units> (or a bare width), flatten';

/** Widest layer (units or filters) the CLI accepts: wider ones cannot fit wasm32's memory beside any real input. */
export const MAX_WIDTH = 2 ** 20;
/** Largest kernel, pool window or stride side. */
const MAX_SIDE = 4096;

/** The token's canonical spelling (what the run prints as its network). */
export function tokenName(t: LayerToken): string {
  switch (t.kind) {
    case 'conv': return `conv${t.filters}x${t.kernel}${t.stride !== 1 ? `s${t.stride}` : ''}${t.padding === 'same' ? 'same' : ''}`;
    case 'maxPool': return `pool${t.size}`;
    case 'avgPool': return `avgpool${t.size}`;
    case 'dense': return `dense${t.units}`;
    case 'dropout': return `dropout${t.rate}`;
    default: return t.kind;
  }
}

/** True when the tokens need image rows (a convolution or a pooling layer). */
export function needsImages(tokens: readonly LayerToken[]): boolean {
  return tokens.some((t) => t.kind === 'conv' || t.kind === 'maxPool' || t.kind === 'avgPool' || t.kind === 'gap');
}

function parseToken(token: string): LayerToken | string {
  const int = (s: string, max: number): number | null => (/^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= max ? Number(s) : null);
  let m: RegExpExecArray | null;
  if ((m = /^conv(\d+)x(\d+)(?:s(\d+))?(same)?$/.exec(token))) {
    const filters = int(m[1], MAX_WIDTH), kernel = int(m[2], MAX_SIDE), stride = m[3] === undefined ? 1 : int(m[3], MAX_SIDE);
    if (filters === null) return `its filter count must be from 1 to ${MAX_WIDTH}`;
    if (kernel === null || stride === null) return `its kernel size and stride must be from 1 to ${MAX_SIDE}`;
    return { kind: 'conv', filters, kernel, stride, padding: m[4] === undefined ? 'valid' : 'same' };
  }
  if ((m = /^(avg)?pool(\d+)$/.exec(token))) {
    const size = int(m[2], MAX_SIDE);
    if (size === null) return `its window must be from 1 to ${MAX_SIDE}`;
    return { kind: m[1] === undefined ? 'maxPool' : 'avgPool', size };
  }
  if (token === 'gap' || token === 'bn' || token === 'flatten') return { kind: token };
  if ((m = /^dropout(\d*\.?\d+)$/.exec(token))) {
    const rate = Number(m[1]);
    if (!(rate >= 0 && rate < 1)) return 'its rate must be in [0, 1)';
    return { kind: 'dropout', rate };
  }
  if ((m = /^(?:dense)?(\d+)$/.exec(token))) {
    const units = int(m[1], MAX_WIDTH);
    if (units === null) return `its width must be from 1 to ${MAX_WIDTH}`;
    return { kind: 'dense', units };
  }
  return `expected one of ${LAYER_SYNTAX}`;
}

/**
 * `--layers conv32x5,pool2,dense128` → tokens; `none` (or '' or 0) → [] (no hidden layer). A bad token
 * is a UsageError naming the flag, the token, its position and what was expected.
 */
export function parseLayerSpec(flag: string, value: string): LayerToken[] {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'none' || v === '0') return [];
  return v.split(',').map((raw, i, all) => {
    const token = raw.trim();
    const parsed = parseToken(token);
    if (typeof parsed === 'string') {
      throw new UsageError(`${flag} ${JSON.stringify(value)}: token ${i + 1} of ${all.length}, ${JSON.stringify(token)}, is not a layer: ${parsed}`);
    }
    return parsed;
  });
}

/** `--layers 128,64` → [128, 64] for the commands that build MLPs only (tune): dense widths, or none. */
export function parseLayers(flag: string, value: string): number[] {
  return parseLayerSpec(flag, value).map((t, i) => {
    if (t.kind !== 'dense') throw new UsageError(`${flag} ${JSON.stringify(value)}: token ${i + 1}, ${tokenName(t)}, is not a dense width: this command searches MLPs (widths such as 128,64, or none)`);
    return t.units;
  });
}
