/**
 * Parsers for the CLI's option values. Each throws a UsageError that names the flag and says what was
 * expected, so `simdnet` can print it with the usage line and exit with code 2.
 */

/** A mistake in how the command was called (exit code 2), as opposed to a failure while running. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function fail(flag: string, value: string, expected: string): never {
  throw new UsageError(`${flag} ${JSON.stringify(value)}: expected ${expected}`);
}

/** A finite number, optionally within [min, max]. */
export function parseNumber(flag: string, value: string, min = -Infinity, max = Infinity): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < min || x > max) {
    const range = min === -Infinity && max === Infinity ? 'a number' : `a number in [${min}, ${max}]`;
    fail(flag, value, range);
  }
  return x;
}

/** An integer in [min, max]. */
export function parseInteger(flag: string, value: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const x = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(x) || x < min || x > max) {
    fail(flag, value, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`);
  }
  return x;
}

/** Seeds are uint32 everywhere in the library. */
export const MAX_SEED = 2 ** 32 - 1;
/** Largest toy-set noise: the points lie within ±2, so more is only a way to overflow float32. */
export const MAX_NOISE = 1000;
/** Most points a toy set may have (each is 2 floats and a label; past this it is a typo, not a demo). */
export const MAX_SAMPLES = 10_000_000;

/** `--batch full|1|64` → 'full' or a positive integer. */
export function parseBatch(flag: string, value: string): number | 'full' {
  if (value === 'full') return 'full';
  return parseInteger(flag, value, 1);
}

/** A learning-rate schedule as the CLI spells it, before it is turned into a schedule object. */
export type ScheduleSpec =
  | { kind: 'constant' }
  | { kind: 'exponential'; rate: number } // η0·rate^t
  | { kind: 'inverseTime'; rate: number } // η0/(1 + r·t)
  | { kind: 'step'; factor: number; every: number } // η0·factor^⌊t/every⌋
  | { kind: 'cosine' }; // cosine decay over the whole run

export const SCHEDULE_SYNTAX = 'none, exp:RATE (η0·RATE^epoch), inv:R (η0/(1+R·epoch)), step:FACTOR/EVERY (η0·FACTOR^⌊epoch/EVERY⌋) or cosine';

/** `--schedule exp:0.95 | inv:0.01 | step:0.5/5 | cosine | none`. Every step counts epochs. */
export function parseSchedule(flag: string, value: string): ScheduleSpec {
  const v = value.trim();
  if (v === 'none' || v === 'constant') return { kind: 'constant' };
  if (v === 'cosine') return { kind: 'cosine' };
  const m = /^(exp|inv|step):(.+)$/.exec(v);
  if (!m) fail(flag, value, SCHEDULE_SYNTAX);
  const [, kind, arg] = m;
  const num = (text: string): number => (text.trim() === '' ? NaN : Number(text));
  if (kind === 'exp') {
    const rate = num(arg);
    if (!(rate > 0 && rate <= 1)) fail(flag, value, 'exp:RATE with RATE in (0, 1], such as exp:0.95');
    return { kind: 'exponential', rate };
  }
  if (kind === 'inv') {
    const rate = num(arg);
    if (!(rate >= 0 && Number.isFinite(rate))) fail(flag, value, 'inv:R with R ≥ 0, such as inv:0.01');
    return { kind: 'inverseTime', rate };
  }
  const s = /^([^/]+)\/(\d+)$/.exec(arg);
  const factor = s ? num(s[1]) : NaN;
  const every = s ? Number(s[2]) : NaN;
  if (!(factor > 0 && factor <= 1 && every >= 1)) fail(flag, value, 'step:FACTOR/EVERY with FACTOR in (0, 1] and EVERY ≥ 1 epochs, such as step:0.5/5');
  return { kind: 'step', factor, every };
}

/** One of a fixed set of names. */
export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) fail(flag, value, `one of ${choices.join(', ')}`);
  return value as T;
}

/** `--augment shift2,flip` → fit()'s augment option; `none` → null. */
export function parseAugment(flag: string, value: string): { shift: number; flip: boolean } | null {
  const v = value.trim();
  if (v === '' || v === 'none') return null;
  let shift = 0;
  let flip = false;
  for (const token of v.split(',').map((t) => t.trim())) {
    const m = /^shift(\d{1,3})$/.exec(token);
    if (m) shift = Number(m[1]);
    else if (token === 'flip') flip = true;
    else fail(flag, value, `comma-separated shift<pixels> and flip, such as shift2 (digits) or shift4,flip (photographs), or none; ${JSON.stringify(token)} is neither`);
  }
  return shift === 0 && !flip ? null : { shift, flip };
}
