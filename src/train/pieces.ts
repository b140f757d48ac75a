/**
 * What the schedule, optimizer, regularizer and initializer factories share: reading an options
 * object (unknown keys, types and ranges checked, each error naming the factory and the option) and
 * the name registries behind the `...FromConfig` functions.
 */
import type { PieceConfig } from './types.js';

/** A numeric range; every bound is optional and the value must always be finite. */
export interface NumberRange {
  /** value ≥ min */
  readonly min?: number;
  /** value > above */
  readonly above?: number;
  /** value < below */
  readonly below?: number;
  readonly integer?: boolean;
}

function describeRange(r: NumberRange): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.below !== undefined) parts.push(`< ${r.below}`);
  return `a finite ${r.integer ? 'integer' : 'number'}${parts.length > 0 ? ` ${parts.join(' and ')}` : ''}`;
}

const EXCERPT_ITEMS = 4;
const EXCERPT_CHARS = 40;

/**
 * A short excerpt of a value for an error message: the value may be a user's data set, so at most a
 * few items of an array (and its length), a string cut at 40 characters, an object by its keys; an
 * error message never grows with the data.
 */
export function excerpt(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value.length > EXCERPT_CHARS ? `'${value.slice(0, EXCERPT_CHARS)}…' (${value.length} characters)` : `'${value}'`;
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    return 'length' in value ? `a ${name} of ${(value as unknown as ArrayLike<number>).length}` : `a ${name}`;
  }
  if (Array.isArray(value)) {
    if (depth > 0) return value.length === 0 ? '[]' : `an array of ${value.length}`;
    const items = value.slice(0, EXCERPT_ITEMS).map((v) => excerpt(v, depth + 1));
    return value.length > EXCERPT_ITEMS ? `[${items.join(', ')}, …] (${value.length} items)` : `[${items.join(', ')}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  const shown = keys.slice(0, EXCERPT_ITEMS).map((k) => (k.length > EXCERPT_CHARS ? `${k.slice(0, EXCERPT_CHARS)}…` : k));
  return `an object with keys ${shown.join(', ')}${keys.length > EXCERPT_ITEMS ? `, … (${keys.length} keys)` : ''}`;
}

const show = (value: unknown): string => excerpt(value);

/**
 * Reads one factory's options object. `where` names the factory in messages ("simdnet adam: beta1
 * must be ..."). Unknown keys are an error (a misspelt option must not be silently ignored), and so is
 * a key listed in `known` but given the wrong type or range.
 */
export class OptionReader {
  private readonly options: Readonly<Record<string, unknown>>;

  constructor(
    readonly where: string,
    options: unknown,
    known: readonly string[],
  ) {
    if (options === undefined || options === null) options = {};
    if (typeof options !== 'object' || Array.isArray(options)) {
      this.fail('options', 'an object', options);
    }
    this.options = options as Record<string, unknown>;
    for (const key of Object.keys(this.options)) {
      if (!known.includes(key)) {
        throw new RangeError(`simdnet ${where}: unknown option '${key}'; known options: ${known.join(', ')}`);
      }
    }
  }

  fail(option: string, expected: string, got: unknown): never {
    throw new RangeError(`simdnet ${this.where}: ${option} must be ${expected}, got ${show(got)}`);
  }

  /** True when the option was given (not undefined). */
  has(option: string): boolean {
    return this.options[option] !== undefined;
  }

  /** A number in `range`; `def` when absent, or an error when `def` is undefined (required). */
  number(option: string, def: number | undefined, range: NumberRange = {}): number {
    const value = this.options[option] ?? def;
    if (value === undefined) this.fail(option, `given (${describeRange(range)})`, undefined);
    return this.check(option, value, range);
  }

  private check(option: string, value: unknown, range: NumberRange): number {
    const ok =
      typeof value === 'number' && Number.isFinite(value) &&
      (!range.integer || Number.isInteger(value)) &&
      (range.min === undefined || value >= range.min) &&
      (range.above === undefined || value > range.above) &&
      (range.below === undefined || value < range.below);
    if (!ok) this.fail(option, describeRange(range), value);
    return value as number;
  }

  /** Like number(), but null (or absent, when `def` is null) means "off". */
  optionalNumber(option: string, def: number | null, range: NumberRange = {}): number | null {
    const value = this.options[option];
    if (value === undefined ? def === null : value === null) return null;
    return this.number(option, def ?? undefined, range);
  }

  boolean(option: string, def: boolean): boolean {
    const value = this.options[option] ?? def;
    if (typeof value !== 'boolean') this.fail(option, 'true or false', value);
    return value;
  }

  oneOf<T extends string>(option: string, choices: readonly T[], def: T): T {
    const value = this.options[option] ?? def;
    if (!choices.includes(value as T)) this.fail(option, `one of ${choices.map(show).join(', ')}`, value);
    return value as T;
  }

  /** A non-empty array of numbers, each in `range`. */
  numbers(option: string, range: NumberRange = {}): number[] {
    const value = this.options[option];
    if (!Array.isArray(value) || value.length === 0) this.fail(option, `a non-empty array of numbers`, value);
    return value.map((v: unknown, i) => this.check(`${option}[${i}]`, v, range));
  }

  /** The raw value, for options the caller checks itself. */
  raw(option: string): unknown {
    return this.options[option];
  }
}

/** Checks that a factory without options got none (a config with extra keys is an error). */
export function noOptions(where: string, options: unknown): void {
  void new OptionReader(where, options, []);
}

/** The unit a schedule counts, shared by all the schedule factories. */
export const UNITS = ['epoch', 'batch'] as const;

/**
 * A name → factory table with one lookup that throws a clear error listing the known names. Each
 * factory takes an options object and validates it itself. `normalize` maps other accepted spellings
 * (e.g. Keras' snake_case) to the table's keys.
 */
export class Registry<R> {
  constructor(
    readonly kind: string,
    // `never`: factories with different option types all fit; create() passes them what a user gave.
    private readonly table: Readonly<Record<string, (options: never) => R>>,
    private readonly normalize: (name: string) => string = (name) => name,
  ) {}

  get names(): string[] {
    return Object.keys(this.table);
  }

  /** Builds the piece called `name` from `options`. */
  create(name: unknown, options: object = {}): R {
    const key = typeof name === 'string' ? this.normalize(name) : undefined;
    if (key === undefined || !Object.hasOwn(this.table, key)) {
      throw new RangeError(`simdnet: unknown ${this.kind} ${show(name)}; known ${this.kind}s: ${this.names.join(', ')}`);
    }
    return (this.table[key] as (options: object) => R)(options);
  }

  /** Builds a piece from its config: the name picks the factory, the other keys are its options. */
  fromConfig(config: unknown): R {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new RangeError(`simdnet: a ${this.kind} config must be an object with a 'name', got ${show(config)}`);
    }
    const { name, ...options } = config as PieceConfig;
    return this.create(name, options);
  }
}

/** 'glorot_uniform' → 'glorotUniform' (Keras' snake_case names for the same pieces). */
export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
