/**
 * The shape of a saved model's JSON header, checked field by field before any of it is used: a file
 * that passed its checksum was still written by someone, and a foreign or buggy writer must get an
 * error naming the field ("its header's compile.loss is a number, expected a string"), never an
 * engine TypeError from destructuring a missing field. Messages name the field and the kind of value
 * found, never the value itself, so a crafted header is not echoed back.
 */

/** Throws the error loadModel reports for a file it cannot use ('simdnet loadModel: …'). */
export function failLoad(message: string): never {
  throw new Error(`simdnet loadModel: ${message}`);
}

/** What a value is, for messages: its kind, and a number's value (short, and never user text). */
function kind(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return `the number ${v}`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Throws "its header's <field> is <kind>, expected <expected>". */
export function badField(field: string, value: unknown, expected: string): never {
  if (value === undefined) failLoad(`the file is corrupt: its header has no ${field} field (expected ${expected})`);
  failLoad(`the file is corrupt: its header's ${field} is ${kind(value)}, expected ${expected}`);
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The object at `field`, or an error naming it. */
export function objectField(field: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) badField(field, v, 'an object');
  return v;
}

/** An integer ≥ 0 (≥ min when given) at `field`. */
export function countField(field: string, v: unknown, min = 0): number {
  if (!isCount(v) || v < min) badField(field, v, `an integer ≥ ${min}`);
  return v;
}

export function stringField(field: string, v: unknown): string {
  if (typeof v !== 'string') badField(field, v, 'a string');
  return v;
}

/** An array at `field` whose every item passes `item` (called with `field[i]`). */
export function arrayField<T>(field: string, v: unknown, item: (field: string, v: unknown) => T): T[] {
  if (!Array.isArray(v)) badField(field, v, 'an array');
  return v.map((x: unknown, i) => item(`${field}[${i}]`, x));
}

/** A shape: a non-empty array of integers ≥ 1 whose product is a safe integer. */
export function shapeField(field: string, v: unknown): number[] {
  const dims = arrayField(field, v, (f, d) => countField(f, d, 1));
  if (dims.length === 0 || !Number.isSafeInteger(dims.reduce((a, b) => a * b, 1))) badField(field, v, 'a non-empty shape of at most 2^53 values');
  return dims;
}

/**
 * The header's fields every version-1 file has (null where the format allows it); each is checked
 * for its kind here, and its contents where they are used.
 */
export const HEADER_FIELDS = ['format', 'version', 'model', 'compile', 'training', 'weights', 'optimizerState', 'blocks'] as const;

/** Checks that `header` is an object with every field of HEADER_FIELDS present. */
export function checkHeaderFields(header: unknown): Record<string, unknown> {
  if (!isObject(header)) failLoad(`the file is corrupt: its header is ${kind(header)}, expected an object`);
  for (const field of HEADER_FIELDS) if (!Object.hasOwn(header, field)) badField(field, undefined, 'in every version-1 file');
  if (header.format !== 'simdnet-model') failLoad("the file is corrupt: its header does not describe a simdnet model (format is not 'simdnet-model')");
  return header;
}

/** Cuts an error message from a nested check to a readable length (it may quote a header string). */
export function clip(message: string, max = 200): string {
  return message.length <= max ? message : `${message.slice(0, max)}…`;
}
