/** The `js` backend: the pure-JS twins behind the Kernels interface. */
import type { Kernels } from '../contract.js';
import { LAYOUT_ID } from '../codes.js';
import { activationAlpha, activationId } from '../activations.js';
import { matmul } from './matmul.js';
import { biasAdd, biasGrad } from './bias.js';
import { activationBackward, activationForward, biasActivation } from './activation.js';
import { meanSquaredError, sigmoidCrossEntropy, softmax, softmaxCrossEntropy } from './loss.js';
import { addSign, argmaxRows, axpy, countCorrect, firstNonFinite, mul, scale, sumAbs, sumSquares } from './reduce.js';
import { dropoutMask } from './dropout.js';
import { adagradStep, adamStep, momentumStep, rmspropStep, sgdStep } from './optim.js';

export const jsKernels: Kernels = {
  matmul: (layout, a, b, c, m, k, n, accumulate = false) => matmul(LAYOUT_ID[layout], a.data, b.data, c.data, m, k, n, accumulate),
  biasAdd: (x, bias, m, n) => biasAdd(x.data, bias.data, m, n),
  biasGrad: (dy, db, m, n, accumulate = false) => biasGrad(dy.data, db.data, m, n, accumulate),
  activationForward: (act, x, y, len, alpha) => activationForward(activationId(act), x.data, y.data, len, activationAlpha(act, alpha)),
  activationBackward: (act, x, y, dy, dx, len, alpha) =>
    activationBackward(activationId(act), x.data, y.data, dy.data, dx.data, len, activationAlpha(act, alpha)),
  biasActivation: (act, z, bias, y, m, n, alpha) =>
    biasActivation(activationId(act), z.data, bias ? bias.data : null, y.data, m, n, activationAlpha(act, alpha)),
  softmax: (x, y, m, n) => softmax(x.data, y.data, m, n),
  softmaxCrossEntropy: (logits, labels, probs, grad, m, n, gradScale) =>
    softmaxCrossEntropy(logits.data, labels.data, probs ? probs.data : null, grad ? grad.data : null, m, n, gradScale),
  sigmoidCrossEntropy: (logits, targets, grad, len, gradScale) =>
    sigmoidCrossEntropy(logits.data, targets.data, grad ? grad.data : null, len, gradScale),
  meanSquaredError: (pred, targets, grad, len, gradScale) => meanSquaredError(pred.data, targets.data, grad ? grad.data : null, len, gradScale),
  sumSquares: (x, len) => sumSquares(x.data, len),
  sumAbs: (x, len) => sumAbs(x.data, len),
  axpy: (y, x, len, alpha) => axpy(y.data, x.data, len, alpha),
  addSign: (y, x, len, alpha) => addSign(y.data, x.data, len, alpha),
  scale: (x, len, s) => scale(x.data, len, s),
  mul: (out, a, b, len) => mul(out.data, a.data, b.data, len),
  argmaxRows: (x, out, m, n) => argmaxRows(x.data, out.data, m, n),
  countCorrect: (x, labels, m, n) => countCorrect(x.data, labels.data, m, n),
  firstNonFinite: (x, len) => firstNonFinite(x.data, len),
  dropoutMask: (mask, len, rate, seed, stream) => dropoutMask(mask.data, len, rate, seed, stream),
  sgdStep: (w, g, len, lr, wd) => sgdStep(w.data, g.data, len, lr, wd),
  momentumStep: (w, g, v, len, lr, mu, nesterov, wd) => momentumStep(w.data, g.data, v.data, len, lr, mu, nesterov, wd),
  adamStep: (w, g, m, v, len, lr, b1, b2, eps, step, wd) => adamStep(w.data, g.data, m.data, v.data, len, lr, b1, b2, eps, step, wd),
  rmspropStep: (w, g, s, len, lr, rho, eps, wd) => rmspropStep(w.data, g.data, s.data, len, lr, rho, eps, wd),
  adagradStep: (w, g, s, len, lr, eps, wd) => adagradStep(w.data, g.data, s.data, len, lr, eps, wd),
};
