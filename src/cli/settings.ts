/**
 * The settings of `simdnet train` (what the command line resolves to) and the schedule they name:
 * shared by the training run (train.ts) and the pictures drawn after it (plots.ts).
 */
import type { ActivationName } from '../backend/contract.js';
import * as schedules from '../train/schedules.js';
import type { LearningRateSchedule } from '../train/types.js';
import type { LayerToken } from './layer-spec.js';
import type { ScheduleSpec } from './values.js';

/** What `simdnet train` was asked to do. */
export interface TrainSettings {
  /** The hidden layers (--layers, or the --model cnn recipe's). */
  layers: LayerToken[];
  /** fit()'s augment option (--augment), or null for none. */
  augment: { shift: number; flip: boolean } | null;
  activation: ActivationName;
  /** The activation's parameter (the sigmoid's slope a); undefined for the default. */
  slope?: number;
  optimizer: string;
  lr: number;
  schedule: ScheduleSpec;
  l2: number;
  l1: number;
  dropout: number;
  batch: number | 'full';
  epochs: number;
  /** Early-stopping patience in epochs on the validation loss; 0 for none. */
  patience: number;
  /** Fraction of the training rows held out for validation (0 for none). */
  val: number;
  seed: number;
  save?: string;
  plot?: string;
  json: boolean;
}

/** The CLI's schedule spelling as a schedule object; every one counts epochs. */
export function makeSchedule(spec: ScheduleSpec, lr: number, epochs: number): LearningRateSchedule | number {
  switch (spec.kind) {
    case 'constant': return lr;
    case 'exponential': return schedules.exponentialDecay({ initial: lr, rate: spec.rate, steps: 1 });
    case 'inverseTime': return schedules.inverseTimeDecay({ initial: lr, rate: spec.rate });
    case 'step': return schedules.stepDecay({ initial: lr, factor: spec.factor, every: spec.every });
    case 'cosine': return schedules.cosineDecay({ initial: lr, steps: epochs });
  }
}

/** Fewer validation rows than this cannot tell one epoch from the next (one row moves the accuracy by 2%). */
export const MIN_VALIDATION_ROWS = 50;

/**
 * What to tell the user when `--val` holds out too few rows to mean anything (e.g. 5% of a toy set's
 * 140 training points is 7: val_acc 1.0000 while the model is at 55%), or null when it is fine. The row
 * count is fit()'s: floor(n·val) of the training rows.
 */
export function validationWarning(val: number, trainRows: number): string | null {
  if (val === 0) return null;
  const rows = Math.floor(trainRows * val);
  if (rows >= MIN_VALIDATION_ROWS) return null;
  return `--val ${val} holds out ${rows} of ${trainRows} training rows for validation, fewer than ${MIN_VALIDATION_ROWS}: ` +
    'val_loss and val_acc will be noise. Give --val 0 (no validation), a larger --val, or more data';
}
