/**
 * fit()'s options resolved in one function (each error names the option and never prints the data),
 * including the Keras spellings: `validationData: [x, y]`, a callbacks object as well as an array,
 * `verbose: 0 | 1 | 2` and `classWeight: { [class]: weight }`.
 */
import type { Features, Targets } from '../model/data.js';
import { OptionReader, excerpt } from './pieces.js';
import { checkCallbacks, type Callback, type FitOptions } from './callbacks.js';
import { readAugment, type ResolvedAugment } from './augment.js';

/** FitOptions with defaults applied and every value checked. */
export interface ResolvedFitOptions {
  readonly epochs: number;
  readonly batchSize: number | 'full';
  readonly shuffle: boolean;
  readonly seed: number;
  readonly validationSplit: number;
  readonly validationData: { readonly x: Features; readonly y: Targets } | null;
  readonly callbacks: readonly Callback[];
  readonly gradNormSquared: number | null;
  readonly signal: AbortSignal | null;
  /** One line per epoch on the console (verbose 1 or 2, or true). */
  readonly verbose: boolean;
  /** classWeight as given (class index → weight), checked against the model's classes by classWeights(). */
  readonly classWeight: Readonly<Record<string, number>> | null;
  /** The augmentation (null for none, or one that moves nothing), checked against the model by fit(). */
  readonly augment: ResolvedAugment | null;
}

const FIT_OPTIONS = ['epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'validationData', 'callbacks', 'stopWhen', 'signal', 'verbose', 'classWeight', 'augment'];

/**
 * FitOptions.validationData as `{ x, y }` (Keras's pair `[x, y]` turned into one), or null; other
 * values are returned unchanged for fit() to refuse.
 */
export function validationObject(vd: FitOptions['validationData'] | undefined): { readonly x: Features; readonly y: Targets } | null {
  if (vd === undefined || vd === null) return null;
  if (Array.isArray(vd) && vd.length === 2) return { x: vd[0] as Features, y: vd[1] as Targets };
  return vd as { readonly x: Features; readonly y: Targets };
}

/** `{ x, y }` or Keras's `[x, y]`; anything else is an error showing only an excerpt. */
function readValidationData(r: OptionReader): ResolvedFitOptions['validationData'] {
  const vd = r.raw('validationData') ?? null;
  if (vd === null) return null;
  if (Array.isArray(vd)) {
    if (vd.length !== 2) throw new RangeError(`simdnet fit: validationData must be { x, y } or [x, y] (Keras's pair), got an array of ${vd.length}`);
    return { x: vd[0] as Features, y: vd[1] as Targets };
  }
  if (typeof vd !== 'object' || !('x' in vd) || !('y' in vd)) r.fail('validationData', '{ x, y } or [x, y]', vd);
  return vd as { x: Features; y: Targets };
}

/** Keras's verbose: 0 is silent; 1 (a progress bar in Keras) and 2 both print one line per epoch here. */
function readVerbose(r: OptionReader): boolean {
  const v = r.raw('verbose');
  if (v === undefined || v === false || v === 0) return false;
  if (v === true || v === 1 || v === 2) return true;
  return r.fail('verbose', '0, 1 or 2 (or false / true)', v);
}

/** The classWeight option of `r` (fit's, computeGradients'), checked: null when absent. */
export function readClassWeight(r: OptionReader): Readonly<Record<string, number>> | null {
  const cw = r.raw('classWeight') ?? null;
  if (cw === null) return null;
  if (typeof cw !== 'object' || Array.isArray(cw) || ArrayBuffer.isView(cw)) r.fail('classWeight', 'an object { [class index]: weight }', cw);
  for (const [key, w] of Object.entries(cw)) {
    if (!/^(0|[1-9]\d*)$/.test(key)) throw new RangeError(`simdnet ${r.where}: classWeight's keys must be class indices (0, 1, ...), got the key ${excerpt(key)}`);
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) r.fail(`classWeight[${key}]`, 'a finite number ≥ 0', w);
  }
  return cw as Record<string, number>;
}

/** Checks fit()'s options; `modelSeed` is the default seed of the shuffles. */
export function resolveFitOptions(options: FitOptions, modelSeed: number): ResolvedFitOptions {
  const r = new OptionReader('fit', options, FIT_OPTIONS);
  const batchSize = r.raw('batchSize') === 'full' ? 'full' : r.number('batchSize', 32, { min: 1, integer: true });
  const validationSplit = r.number('validationSplit', 0, { min: 0, below: 1 });
  const validationData = readValidationData(r);
  if (validationData !== null && validationSplit > 0) r.fail('validationSplit', '0 when validationData is given (give one or the other)', validationSplit);
  let gradNormSquared: number | null = null;
  const stopWhen = r.raw('stopWhen');
  if (stopWhen !== undefined && stopWhen !== null) {
    gradNormSquared = new OptionReader('fit stopWhen', stopWhen, ['gradNormSquared']).optionalNumber('gradNormSquared', null, { above: 0 });
  }
  const signal = r.raw('signal') ?? null;
  if (signal !== null && (typeof signal !== 'object' || typeof (signal as AbortSignal).aborted !== 'boolean')) r.fail('signal', 'an AbortSignal', signal);
  const callbacks = r.raw('callbacks') ?? [];
  return {
    epochs: r.number('epochs', 1, { min: 1, integer: true }),
    batchSize,
    shuffle: r.boolean('shuffle', true),
    seed: r.number('seed', modelSeed, { min: 0, below: 2 ** 32, integer: true }),
    validationSplit,
    validationData,
    // tfjs takes one callbacks object as well as a list.
    callbacks: checkCallbacks(Array.isArray(callbacks) || callbacks === null || typeof callbacks !== 'object' ? callbacks : [callbacks]),
    gradNormSquared,
    signal: signal as AbortSignal | null,
    verbose: readVerbose(r),
    classWeight: readClassWeight(r),
    augment: readAugment(r.raw('augment')),
  };
}

/**
 * classWeight as one weight per class of a model with `classes` classes (a one-output model has two,
 * 0 and 1); classes it does not name weigh 1. A class index the model does not have is an error.
 */
export function classWeights(classWeight: Readonly<Record<string, number>>, classes: number, where = 'fit'): Float64Array {
  const w = new Float64Array(classes).fill(1);
  for (const [key, value] of Object.entries(classWeight)) {
    const c = Number(key);
    if (c >= classes) throw new RangeError(`simdnet ${where}: classWeight names class ${c}, but the model has ${classes} classes (0 to ${classes - 1})`);
    w[c] = value;
  }
  return w;
}
