/**
 * Turns what a user may pass for a training piece (the piece itself, its registry name, or its config)
 * into the piece, through the registries of src/train/ (which throw naming the known names).
 */
import type { Initializer, Optimizer, PieceConfig, Regularizer } from '../train/types.js';
import { initializerFromConfig } from '../train/initializers.js';
import { regularizerFromConfig } from '../train/regularizers.js';
import { optimizerFromConfig } from '../train/optimizers.js';
import { excerpt } from '../train/pieces.js';

/** A piece, its registry name ('glorotUniform'), or its config ({ name: 'heNormal', ... }). */
export type PieceSpec<T> = T | string | PieceConfig;

function isPiece<T extends { config: PieceConfig }>(value: unknown, method: string): value is T {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as Record<string, unknown>)[method] === 'function' && 'config' in value;
}

function resolve<T extends { config: PieceConfig }>(
  where: string, option: string, value: unknown, method: string, fromConfig: (config: PieceConfig) => T,
): T {
  if (isPiece<T>(value, method)) return value;
  if (typeof value === 'string') return fromConfig({ name: value });
  if (value !== null && typeof value === 'object' && typeof (value as PieceConfig).name === 'string') return fromConfig(value as PieceConfig);
  throw new TypeError(`simdnet ${where}: ${option} must be a name, a config { name, ... } or the object a factory returned, got ${excerpt(value)}`);
}

/** An initializer from a piece, a name or a config; errors name `where` and `option`. */
export function resolveInitializer(where: string, option: string, value: unknown): Initializer {
  return resolve(where, option, value, 'fill', initializerFromConfig);
}

/** null (or absent) means no regularizer. */
export function resolveRegularizer(where: string, option: string, value: unknown): Regularizer | null {
  if (value === undefined || value === null) return null;
  return resolve(where, option, value, 'penalty', regularizerFromConfig);
}

/** An optimizer from a piece, a name or a config; errors name `where` and `option`. */
export function resolveOptimizer(where: string, option: string, value: unknown): Optimizer {
  return resolve(where, option, value, 'apply', optimizerFromConfig);
}
