/**
 * Argument checks for the drawing functions: every error names the function and the argument, in the
 * same "simdnet <fn>: <what>" form as the kernels' checks (src/backend/checked.ts).
 */

export function fail(fn: string, what: string): never {
  throw new RangeError(`simdnet ${fn}: ${what}`);
}

/** An integer in [min, ∞). */
export function integer(fn: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(fn, `${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/** A finite number > 0 (a size in pixels). */
export function positive(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(fn, `${name} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

/** A typed array or array of numbers. */
export function numbers(fn: string, name: string, value: unknown): ArrayLike<number> {
  const ok = ArrayBuffer.isView(value) ? !(value instanceof DataView) : Array.isArray(value);
  if (!ok) fail(fn, `${name} must be an array or typed array of numbers, got ${describe(value)}`);
  return value as ArrayLike<number>;
}

/** An array of `length` strings, or undefined. */
export function labels(fn: string, name: string, value: unknown, length: number): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length !== length || value.some((v) => typeof v !== 'string')) {
    fail(fn, `${name} must be an array of ${length} strings, got ${describe(value)}`);
  }
  return value as readonly string[];
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
