/** The `wasm` backend: the AssemblyScript kernels behind the Kernels interface (addresses, not arrays). */
import type { Kernels } from './contract.js';
import type { WasmExports } from '../../bindings/exports.js';
import { LAYOUT_ID } from './codes.js';
import { activationAlpha, activationId } from './activations.js';

export function wasmKernels(w: WasmExports): Kernels {
  return {
    matmul: (layout, a, b, c, m, k, n, accumulate = false) => w.matmul(LAYOUT_ID[layout], a.ptr, b.ptr, c.ptr, m, k, n, accumulate ? 1 : 0),
    biasAdd: (x, bias, m, n) => w.biasAdd(x.ptr, bias.ptr, m, n),
    biasGrad: (dy, db, m, n, accumulate = false) => w.biasGrad(dy.ptr, db.ptr, m, n, accumulate ? 1 : 0),
    activationForward: (act, x, y, len, alpha) => w.activationForward(activationId(act), x.ptr, y.ptr, len, activationAlpha(act, alpha)),
    activationBackward: (act, x, y, dy, dx, len, alpha) =>
      w.activationBackward(activationId(act), x.ptr, y.ptr, dy.ptr, dx.ptr, len, activationAlpha(act, alpha)),
    biasActivation: (act, z, bias, y, m, n, alpha) =>
      w.biasActivation(activationId(act), z.ptr, bias ? bias.ptr : 0, y.ptr, m, n, activationAlpha(act, alpha)),
    softmax: (x, y, m, n) => w.softmax(x.ptr, y.ptr, m, n),
    softmaxCrossEntropy: (logits, labels, probs, grad, m, n, gradScale) =>
      w.softmaxCrossEntropy(logits.ptr, labels.ptr, probs ? probs.ptr : 0, grad ? grad.ptr : 0, m, n, gradScale),
    sigmoidCrossEntropy: (logits, targets, grad, len, gradScale) => w.sigmoidCrossEntropy(logits.ptr, targets.ptr, grad ? grad.ptr : 0, len, gradScale),
    meanSquaredError: (pred, targets, grad, len, gradScale) => w.meanSquaredError(pred.ptr, targets.ptr, grad ? grad.ptr : 0, len, gradScale),
    sumSquares: (x, len) => w.sumSquares(x.ptr, len),
    sumAbs: (x, len) => w.sumAbs(x.ptr, len),
    axpy: (y, x, len, alpha) => w.axpy(y.ptr, x.ptr, len, alpha),
    addSign: (y, x, len, alpha) => w.addSign(y.ptr, x.ptr, len, alpha),
    scale: (x, len, s) => w.scale(x.ptr, len, s),
    mul: (out, a, b, len) => w.mul(out.ptr, a.ptr, b.ptr, len),
    argmaxRows: (x, out, m, n) => w.argmaxRows(x.ptr, out.ptr, m, n),
    countCorrect: (x, labels, m, n) => w.countCorrect(x.ptr, labels.ptr, m, n),
    firstNonFinite: (x, len) => w.firstNonFinite(x.ptr, len),
    // seed and stream are u32 on the wasm side: pass them as their 32-bit patterns.
    dropoutMask: (mask, len, rate, seed, stream) => w.dropoutMask(mask.ptr, len, rate, seed | 0, stream | 0),
    sgdStep: (wt, g, len, lr, wd) => w.sgdStep(wt.ptr, g.ptr, len, lr, wd),
    momentumStep: (wt, g, v, len, lr, mu, nesterov, wd) => w.momentumStep(wt.ptr, g.ptr, v.ptr, len, lr, mu, nesterov ? 1 : 0, wd),
    adamStep: (wt, g, m, v, len, lr, b1, b2, eps, step, wd) => w.adamStep(wt.ptr, g.ptr, m.ptr, v.ptr, len, lr, b1, b2, eps, step, wd),
    rmspropStep: (wt, g, s, len, lr, rho, eps, wd) => w.rmspropStep(wt.ptr, g.ptr, s.ptr, len, lr, rho, eps, wd),
    adagradStep: (wt, g, s, len, lr, eps, wd) => w.adagradStep(wt.ptr, g.ptr, s.ptr, len, lr, eps, wd),
  };
}
