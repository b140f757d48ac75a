/**
 * When fit() declares that training diverged. A non-finite loss or gradient is the plain case; a run
 * can also diverge while every number stays finite (a learning rate of 1e6 with softmax-CE takes the
 * loss from 1.1 to 8e5 and the weights to 2e11, and would run to the end and report success). The
 * rule, also stated in the README's reliability paragraph:
 *
 *   - a batch's loss (data loss + penalty) above LOSS_GROWTH × max(the first batch's loss of this
 *     fit() call, LOSS_FLOOR): the loss has grown by four orders of magnitude over where it started,
 *     and the floor keeps a run that starts near zero (a trained model, resumed) from tripping on an
 *     ordinary bad batch (a loss of 1e4 is never a normal softmax-CE or scaled MSE value);
 *   - after an epoch, the weights' L2 norm above WEIGHT_NORM_LIMIT (one sumSquares pass over the
 *     flat parameter buffer per epoch, so it costs nothing next to the epoch itself). The norm bounds
 *     every |w|; no initializer or normal training gets within orders of magnitude of it.
 *
 * Normal training never comes near either bound (the tests, the examples and the MNIST default run
 * are well below them).
 */
import type { Backend, F32Buffer } from '../backend/contract.js';

/** How many times the first batch's loss a batch's loss may reach. */
export const LOSS_GROWTH = 1e4;
/** The smallest first loss the growth is measured from. */
export const LOSS_FLOOR = 1;
/** The largest L2 norm of all the weights together. */
export const WEIGHT_NORM_LIMIT = 1e8;

/** Watches one fit() call for divergence: see the file comment. */
export class DivergenceWatch {
  private first = NaN;

  /** Why this batch shows divergence (its loss, or whether its gradient is finite), or null. */
  batch(loss: number, gradientFinite: boolean): string | null {
    if (!Number.isFinite(loss)) return `the loss is ${loss}`;
    if (!gradientFinite) return 'the gradient is not finite';
    if (Number.isNaN(this.first)) this.first = loss;
    const limit = LOSS_GROWTH * Math.max(this.first, LOSS_FLOOR);
    if (loss > limit) return `the loss grew to ${loss.toPrecision(4)}, over ${LOSS_GROWTH} × max(the first batch's ${this.first.toPrecision(4)}, ${LOSS_FLOOR})`;
    return null;
  }

  /** Why the weights show divergence (checked once per epoch), or null. */
  weights(b: Backend, params: F32Buffer, size: number): string | null {
    const norm = Math.sqrt(b.sumSquares(params, size));
    // `!(≤)` so that a NaN norm counts too.
    return norm <= WEIGHT_NORM_LIMIT ? null : `the weights' L2 norm is ${norm.toPrecision(4)}, over ${WEIGHT_NORM_LIMIT}`;
  }
}

/** fit()'s error for a diverged run: what diverged, where, and the learning rate to lower. */
export function divergedError(what: string, where: string, lr: number): Error {
  return new Error(`simdnet fit: training diverged: ${what} ${where}; try a lower learning rate (this step's was ${lr})`);
}
