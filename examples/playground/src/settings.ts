/**
 * Every setting of the playground: its type, range and default, read from and written to the URL's
 * query string (so a setup can be shared as a link), in one table that the page's controls, the URL
 * and the worker all go through.
 *
 * A value in the URL that is not valid (unknown name, out of range) is ignored and its default kept;
 * readSettings() returns a note for each one, which the page shows.
 */
import { ACTIVATIONS, type ActivationName } from '../../../src/backend/activations.js';
import type { ToyName } from '../../../src/data/toy.js';

export const DATASETS = ['spirals', 'circles', 'xor', 'moons', 'blobs'] as const satisfies readonly ToyName[];
export const MODELS = ['network', 'neuron'] as const;
/** The activations offered, in menu order: every row of the activation table, the default (relu) first. */
export const ACTIVATION_CHOICES = ['relu', ...ACTIVATIONS.filter((name) => name !== 'relu')] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'rmsprop', 'adagrad'] as const;
export const SCHEDULES = ['constant', 'inverseTime', 'exponential', 'step', 'cosine', 'plateau'] as const;
export const BATCH_MODES = ['full', 'online', 'mini'] as const;
export const BACKENDS = ['wasm', 'js'] as const;
/** Epochs per second while playing; 'max' runs unthrottled (to see a backend's real speed). */
export const PACES = ['10', '60', '300', 'max'] as const;
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;
export const PENALTIES = [0, 0.00001, 0.0001, 0.001, 0.01, 0.1] as const;
export const BATCH_SIZES = [2, 4, 8, 16, 32, 64, 128] as const;

export type DatasetChoice = (typeof DATASETS)[number];
export type ScheduleChoice = (typeof SCHEDULES)[number];
export type OptimizerChoice = (typeof OPTIMIZERS)[number];

export interface Settings {
  /** The toy data set. */
  data: DatasetChoice;
  /** Points in all (train + test). */
  points: number;
  /** Standard deviation of the noise added to each coordinate (the toy sets' `noise`). */
  noise: number;
  /** Classes of the blobs set (the others have two). */
  classes: number;
  /** The fraction of the points used for training; the rest is the test set. */
  split: number;
  /** Seeds the data, the split, the initial weights, the shuffles and the dropout masks. */
  seed: number;
  /** A multi-layer network with a softmax output, or a single formal neuron. */
  model: (typeof MODELS)[number];
  /** Hidden layer widths (network only). */
  layers: number[];
  /** The hidden layers' activation (the neuron's own activation in neuron mode). */
  activation: ActivationName;
  /** The slope a of the sigmoid 1/(1+e^(−a·z)). */
  slope: number;
  /** Dropout rate after each hidden layer. */
  dropout: number;
  optimizer: OptimizerChoice;
  /** The initial learning rate. */
  lr: number;
  schedule: ScheduleChoice;
  /** The schedule's own parameter (see SCHEDULE_PARAMS). */
  decay: number;
  batch: (typeof BATCH_MODES)[number];
  /** Rows per mini-batch. */
  batchSize: number;
  l2: number;
  l1: number;
  backend: (typeof BACKENDS)[number];
  pace: (typeof PACES)[number];
  /** Draw the test points on the heat map too. */
  showTest: boolean;
}

/** The noise each data set starts with when chosen (its generator's default). */
export const DATASET_NOISE: Readonly<Record<DatasetChoice, number>> = {
  spirals: 0.05, circles: 0.05, xor: 0.3, moons: 0.1, blobs: 0.5,
};

/** What `decay` means for each schedule, its range and its default. */
export const SCHEDULE_PARAMS: Readonly<Record<ScheduleChoice, { label: string; min: number; max: number; step: number; default: number } | null>> = {
  constant: null,
  inverseTime: { label: 'rate r in η₀/(1+r·t)', min: 0.0001, max: 1, step: 0.001, default: 0.01 },
  exponential: { label: 'λ in η₀·e^(−λt)', min: 0.0001, max: 1, step: 0.001, default: 0.005 },
  step: { label: 'halve every (epochs)', min: 1, max: 100000, step: 1, default: 100 },
  cosine: { label: 'length (epochs)', min: 1, max: 100000, step: 1, default: 500 },
  plateau: { label: 'patience (epochs), then ×½', min: 1, max: 10000, step: 1, default: 20 },
};

export const MAX_LAYERS = 6;
export const MAX_WIDTH = 64;

interface Field<T> {
  readonly default: T;
  /** The value of a URL string, or undefined when the string is not a valid value. */
  parse(text: string): T | undefined;
  format(value: T): string;
}

function choice<const T extends string>(values: readonly T[], fallback: T): Field<T> {
  return {
    default: fallback,
    parse: (text) => (values as readonly string[]).includes(text) ? text as T : undefined,
    format: (v) => v,
  };
}

function number(min: number, max: number, fallback: number, integer = false): Field<number> {
  return {
    default: fallback,
    parse: (text) => {
      const v = text.trim() === '' ? NaN : Number(text);
      return Number.isFinite(v) && v >= min && v <= max && (!integer || Number.isInteger(v)) ? v : undefined;
    },
    format: (v) => String(v),
  };
}

/** One of a fixed list of numbers (menus of learning rates and penalties). */
function oneOf(values: readonly number[], fallback: number): Field<number> {
  return { ...number(-Infinity, Infinity, fallback), parse: (text) => values.find((v) => v === Number(text) && text.trim() !== '') };
}

const layerList: Field<number[]> = {
  default: [16, 16],
  parse: (text) => {
    if (text.trim() === '') return [];
    const widths = text.split(',').map(Number);
    const ok = widths.length <= MAX_LAYERS && widths.every((w) => Number.isInteger(w) && w >= 1 && w <= MAX_WIDTH);
    return ok ? widths : undefined;
  },
  format: (v) => v.join(','),
};

const flag = (fallback: boolean): Field<boolean> => ({
  default: fallback,
  parse: (text) => (text === '1' ? true : text === '0' ? false : undefined),
  format: (v) => (v ? '1' : '0'),
});

/** The table: one entry per setting, in the order the URL lists them. */
const FIELDS: { readonly [K in keyof Settings]: Field<Settings[K]> } = {
  data: choice(DATASETS, 'spirals'),
  points: number(20, 2000, 400, true),
  noise: number(0, 2, DATASET_NOISE.spirals),
  classes: number(2, 6, 3, true),
  split: number(0.1, 0.9, 0.5),
  seed: number(0, 2 ** 31 - 1, 1, true),
  model: choice(MODELS, 'network'),
  layers: layerList,
  activation: choice(ACTIVATION_CHOICES, 'relu'),
  slope: number(0.1, 10, 1),
  dropout: number(0, 0.9, 0),
  optimizer: choice(OPTIMIZERS, 'adam'),
  lr: oneOf(LEARNING_RATES, 0.01),
  schedule: choice(SCHEDULES, 'constant'),
  decay: number(0.0001, 100000, 0),
  batch: choice(BATCH_MODES, 'mini'),
  batchSize: oneOf(BATCH_SIZES, 16),
  l2: oneOf(PENALTIES, 0),
  l1: oneOf(PENALTIES, 0),
  backend: choice(BACKENDS, 'wasm'),
  pace: choice(PACES, '60'),
  showTest: flag(false),
};

export const SETTING_NAMES = Object.keys(FIELDS) as (keyof Settings)[];

export function defaultSettings(): Settings {
  const s = Object.fromEntries(SETTING_NAMES.map((k) => [k, FIELDS[k].default])) as unknown as Settings;
  s.layers = [...s.layers];
  return s;
}

/** The schedule's parameter, or its default when `decay` is unset or out of the schedule's range. */
function fixDecay(s: Settings): void {
  const p = SCHEDULE_PARAMS[s.schedule];
  if (p === null) s.decay = 0;
  else if (!(s.decay >= p.min && s.decay <= p.max)) s.decay = p.default;
}

/** Settings from a query string ('?data=moons&layers=8,8'); `notes` names every value ignored. */
export function readSettings(query: string): { settings: Settings; notes: string[] } {
  const params = new URLSearchParams(query);
  const settings = defaultSettings();
  const notes: string[] = [];
  const known = new Set<string>(SETTING_NAMES);
  for (const key of params.keys()) if (!known.has(key)) notes.push(`unknown setting '${key}'`);
  for (const key of SETTING_NAMES) {
    const text = params.get(key);
    if (text === null) continue;
    const value = FIELDS[key].parse(text);
    if (value === undefined) notes.push(`${key}=${text} is not a valid value; using ${FIELDS[key].format(settings[key] as never)}`);
    else (settings as unknown as Record<string, unknown>)[key] = value;
  }
  // A data set's noise default follows the data set unless the URL gives one.
  if (!params.has('noise')) settings.noise = DATASET_NOISE[settings.data];
  const decay = params.get('decay');
  if (decay !== null && FIELDS.decay.parse(decay) !== undefined && !validDecay(settings, decay)) notes.push(`decay=${decay} is out of range for schedule ${settings.schedule}`);
  fixDecay(settings);
  return { settings, notes };
}

function validDecay(s: Settings, text: string): boolean {
  const p = SCHEDULE_PARAMS[s.schedule];
  const v = Number(text);
  return p === null || (v >= p.min && v <= p.max);
}

/** The query string of `s`, listing only the settings that differ from their defaults. */
export function writeSettings(s: Settings): string {
  const defaults = defaultSettings();
  defaults.noise = DATASET_NOISE[s.data];
  defaults.schedule = s.schedule;
  fixDecay(defaults);
  const params = new URLSearchParams();
  for (const key of SETTING_NAMES) {
    const text = FIELDS[key].format(s[key] as never);
    if (text !== FIELDS[key].format(defaults[key] as never)) params.set(key, text);
  }
  const query = params.toString().replace(/%2C/g, ',');
  return query === '' ? '' : `?${query}`;
}

/**
 * Applies one change the way the page does: choosing a data set resets its noise, choosing a
 * schedule resets its parameter. Returns the new settings (the old object is not changed).
 */
export function changeSetting<K extends keyof Settings>(s: Settings, key: K, value: Settings[K]): Settings {
  const next: Settings = { ...s, layers: [...s.layers], [key]: value };
  if (key === 'data' && value !== s.data) next.noise = DATASET_NOISE[next.data];
  if (key === 'schedule' && value !== s.schedule) {
    next.decay = 0;
    fixDecay(next);
  }
  return next;
}

/** Parses a control's string value for setting `key` (undefined when it is not valid). */
export function parseSetting<K extends keyof Settings>(key: K, text: string): Settings[K] | undefined {
  return FIELDS[key].parse(text);
}

/** The text a control shows for setting `key`. */
export function formatSetting<K extends keyof Settings>(key: K, value: Settings[K]): string {
  return FIELDS[key].format(value);
}

/** The number of classes the model sees: a single neuron separates two. */
export function classCount(s: Settings): number {
  return s.data === 'blobs' ? (s.model === 'neuron' ? 2 : s.classes) : 2;
}
