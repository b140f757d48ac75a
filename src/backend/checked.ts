/**
 * Argument validation for the kernels, shared by both backends. `checked(kernels, name)` returns
 * kernels that validate every argument and then call the implementation, so a wasm kernel never
 * receives a size or buffer that would make it read or write outside its buffers, and every bad
 * argument gives an error that names the call, the argument and what was expected.
 *
 * The checks are O(1) per call except the label range check (O(m) over an int array), so they stay
 * on in the training loop. Scanning data for NaN is not done here (O(size) on every call): the
 * training API checks data once when it enters (`firstNonFinite`).
 */
import {
  ACTIVATIONS, MATMUL_LAYOUTS, type ActivationName, type BackendName, type F32Buffer, type I32Buffer, type Kernels,
} from './contract.js';

type Buf = F32Buffer | I32Buffer;

/** Validates one kernel call; `fn` names it in messages. */
class Call {
  constructor(
    readonly backend: BackendName,
    readonly fn: string,
  ) {}

  fail(what: string): never {
    throw new RangeError(`simdnet ${this.fn}: ${what}`);
  }

  size(name: string, value: number): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      this.fail(`${name} must be a positive integer, got ${String(value)}`);
    }
    return value;
  }

  finite(name: string, value: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(`${name} must be a finite number, got ${String(value)}`);
    return value;
  }

  /** A buffer of this backend's with at least `needed` elements (`how` explains the count). */
  buf<T extends Buf>(name: string, b: T, dtype: T['dtype'], needed: number, how: string): T {
    if (b === null || typeof b !== 'object' || !('dtype' in b)) this.fail(`${name} must be a ${dtype} buffer, got ${String(b)}`);
    if (b.dtype !== dtype) this.fail(`${name} must be a ${dtype} buffer, got a ${b.dtype} buffer`);
    if (b.backend !== this.backend) this.fail(`${name} belongs to the '${b.backend}' backend, not '${this.backend}'`);
    if (b.disposed) this.fail(`${name} was freed`);
    if (b.length < needed) this.fail(`${name} has ${b.length} elements, expected at least ${needed} (${how})`);
    return b;
  }

  f32(name: string, b: F32Buffer, needed: number, how: string): F32Buffer {
    return this.buf(name, b, 'f32', needed, how);
  }

  /** `out` (its first `outLen` elements) must not share memory with `inp` (its first `inLen`). */
  disjoint(outName: string, out: Buf, outLen: number, inName: string, inp: Buf, inLen: number): void {
    const a = out.data;
    const b = inp.data;
    if (a.buffer !== b.buffer) return;
    const a0 = a.byteOffset;
    const b0 = b.byteOffset;
    if (a0 < b0 + inLen * 4 && b0 < a0 + outLen * 4) this.fail(`${outName} must not overlap ${inName}`);
  }

  /** `out` may be `inp` exactly (in place) but must not partly overlap it. */
  sameOrDisjoint(outName: string, out: Buf, inName: string, inp: Buf, len: number): void {
    if (out.data.buffer === inp.data.buffer && out.data.byteOffset === inp.data.byteOffset) return;
    this.disjoint(outName, out, len, inName, inp, len);
  }

  labels(name: string, labels: I32Buffer, m: number, n: number): void {
    this.buf(name, labels, 'i32', m, `one label per row, m = ${m}`);
    const d = labels.data;
    for (let i = 0; i < m; i++) {
      const l = d[i];
      if (l < 0 || l >= n) this.fail(`${name}[${i}] = ${l} is out of range: labels must be integers in [0, ${n - 1}] for ${n} classes`);
    }
  }

  activation(act: ActivationName): void {
    if (!(ACTIVATIONS as readonly string[]).includes(act)) {
      this.fail(`unknown activation '${String(act)}'; expected one of ${ACTIVATIONS.join(', ')}`);
    }
  }

  alpha(alpha: number | undefined): void {
    if (alpha !== undefined) this.finite('alpha', alpha);
  }
}

/** Wraps an implementation so that every call is validated first. */
export function checked(impl: Kernels, backend: BackendName): Kernels {
  const call = (fn: string) => new Call(backend, fn);
  return {
    matmul(layout, a, b, c, m, k, n, accumulate = false) {
      const v = call(`matmul(${String(layout)})`);
      if (!MATMUL_LAYOUTS.includes(layout)) v.fail(`layout must be one of ${MATMUL_LAYOUTS.join(', ')}, got ${String(layout)}`);
      v.size('m', m); v.size('k', k); v.size('n', n);
      const aShape = layout === 'TN' ? `[k, m] = [${k}, ${m}]` : `[m, k] = [${m}, ${k}]`;
      const bShape = layout === 'NT' ? `[n, k] = [${n}, ${k}]` : `[k, n] = [${k}, ${n}]`;
      v.f32('a', a, m * k, `A stored as ${aShape}`);
      v.f32('b', b, k * n, `B stored as ${bShape}`);
      v.f32('c', c, m * n, `C is [m, n] = [${m}, ${n}]`);
      v.disjoint('c', c, m * n, 'a', a, m * k);
      v.disjoint('c', c, m * n, 'b', b, k * n);
      impl.matmul(layout, a, b, c, m, k, n, accumulate);
    },
    biasAdd(x, bias, m, n) {
      const v = call('biasAdd');
      v.size('m', m); v.size('n', n);
      v.f32('x', x, m * n, `[m, n] = [${m}, ${n}]`);
      v.f32('bias', bias, n, `n = ${n}`);
      v.disjoint('x', x, m * n, 'bias', bias, n);
      impl.biasAdd(x, bias, m, n);
    },
    biasGrad(dy, db, m, n, accumulate = false) {
      const v = call('biasGrad');
      v.size('m', m); v.size('n', n);
      v.f32('dy', dy, m * n, `[m, n] = [${m}, ${n}]`);
      v.f32('db', db, n, `n = ${n}`);
      v.disjoint('db', db, n, 'dy', dy, m * n);
      impl.biasGrad(dy, db, m, n, accumulate);
    },
    activationForward(act, x, y, len, alpha) {
      const v = call('activationForward');
      v.activation(act); v.size('len', len); v.alpha(alpha);
      v.f32('x', x, len, `len = ${len}`);
      v.f32('y', y, len, `len = ${len}`);
      v.sameOrDisjoint('y', y, 'x', x, len);
      impl.activationForward(act, x, y, len, alpha);
    },
    activationBackward(act, x, y, dy, dx, len, alpha) {
      const v = call('activationBackward');
      v.activation(act); v.size('len', len); v.alpha(alpha);
      for (const [name, b] of [['x', x], ['y', y], ['dy', dy], ['dx', dx]] as const) v.f32(name, b, len, `len = ${len}`);
      // Elementwise: each output element depends only on the same element of the inputs, so dx may be
      // any of them exactly (in place), but must not partly overlap one.
      v.sameOrDisjoint('dx', dx, 'dy', dy, len);
      v.sameOrDisjoint('dx', dx, 'x', x, len);
      v.sameOrDisjoint('dx', dx, 'y', y, len);
      impl.activationBackward(act, x, y, dy, dx, len, alpha);
    },
    biasActivation(act, z, bias, y, m, n, alpha) {
      const v = call('biasActivation');
      v.activation(act); v.size('m', m); v.size('n', n); v.alpha(alpha);
      v.f32('z', z, m * n, `[m, n] = [${m}, ${n}]`);
      v.f32('y', y, m * n, `[m, n] = [${m}, ${n}]`);
      v.sameOrDisjoint('y', y, 'z', z, m * n);
      if (bias !== null) {
        v.f32('bias', bias, n, `n = ${n}`);
        v.disjoint('z', z, m * n, 'bias', bias, n);
        v.disjoint('y', y, m * n, 'bias', bias, n);
      }
      impl.biasActivation(act, z, bias, y, m, n, alpha);
    },
    softmax(x, y, m, n) {
      const v = call('softmax');
      v.size('m', m); v.size('n', n);
      v.f32('x', x, m * n, `[m, n] = [${m}, ${n}]`);
      v.f32('y', y, m * n, `[m, n] = [${m}, ${n}]`);
      v.sameOrDisjoint('y', y, 'x', x, m * n);
      impl.softmax(x, y, m, n);
    },
    softmaxCrossEntropy(logits, labels, probs, grad, m, n, gradScale) {
      const v = call('softmaxCrossEntropy');
      v.size('m', m); v.size('n', n); v.finite('gradScale', gradScale);
      v.f32('logits', logits, m * n, `[m, n] = [${m}, ${n}]`);
      v.labels('labels', labels, m, n);
      if (probs !== null) {
        v.f32('probs', probs, m * n, `[m, n] = [${m}, ${n}]`);
        v.sameOrDisjoint('probs', probs, 'logits', logits, m * n);
      }
      if (grad !== null) {
        v.f32('grad', grad, m * n, `[m, n] = [${m}, ${n}]`);
        v.sameOrDisjoint('grad', grad, 'logits', logits, m * n);
        if (probs !== null) v.disjoint('grad', grad, m * n, 'probs', probs, m * n);
      }
      return impl.softmaxCrossEntropy(logits, labels, probs, grad, m, n, gradScale);
    },
    sigmoidCrossEntropy(logits, targets, grad, len, gradScale) {
      const v = call('sigmoidCrossEntropy');
      v.size('len', len); v.finite('gradScale', gradScale);
      v.f32('logits', logits, len, `len = ${len}`);
      v.f32('targets', targets, len, `len = ${len}`);
      if (grad !== null) {
        v.f32('grad', grad, len, `len = ${len}`);
        v.sameOrDisjoint('grad', grad, 'logits', logits, len);
        v.disjoint('grad', grad, len, 'targets', targets, len);
      }
      return impl.sigmoidCrossEntropy(logits, targets, grad, len, gradScale);
    },
    meanSquaredError(pred, targets, grad, len, gradScale) {
      const v = call('meanSquaredError');
      v.size('len', len); v.finite('gradScale', gradScale);
      v.f32('pred', pred, len, `len = ${len}`);
      v.f32('targets', targets, len, `len = ${len}`);
      if (grad !== null) {
        v.f32('grad', grad, len, `len = ${len}`);
        v.sameOrDisjoint('grad', grad, 'pred', pred, len);
        v.disjoint('grad', grad, len, 'targets', targets, len);
      }
      return impl.meanSquaredError(pred, targets, grad, len, gradScale);
    },
    sumSquares(x, len) {
      const v = call('sumSquares');
      v.size('len', len); v.f32('x', x, len, `len = ${len}`);
      return impl.sumSquares(x, len);
    },
    sumAbs(x, len) {
      const v = call('sumAbs');
      v.size('len', len); v.f32('x', x, len, `len = ${len}`);
      return impl.sumAbs(x, len);
    },
    axpy(y, x, len, alpha) {
      const v = call('axpy');
      v.size('len', len); v.finite('alpha', alpha);
      v.f32('y', y, len, `len = ${len}`); v.f32('x', x, len, `len = ${len}`);
      v.sameOrDisjoint('y', y, 'x', x, len);
      impl.axpy(y, x, len, alpha);
    },
    addSign(y, x, len, alpha) {
      const v = call('addSign');
      v.size('len', len); v.finite('alpha', alpha);
      v.f32('y', y, len, `len = ${len}`); v.f32('x', x, len, `len = ${len}`);
      v.sameOrDisjoint('y', y, 'x', x, len);
      impl.addSign(y, x, len, alpha);
    },
    scale(x, len, s) {
      const v = call('scale');
      v.size('len', len); v.finite('s', s); v.f32('x', x, len, `len = ${len}`);
      impl.scale(x, len, s);
    },
    mul(out, a, b, len) {
      const v = call('mul');
      v.size('len', len);
      v.f32('out', out, len, `len = ${len}`); v.f32('a', a, len, `len = ${len}`); v.f32('b', b, len, `len = ${len}`);
      v.sameOrDisjoint('out', out, 'a', a, len);
      v.sameOrDisjoint('out', out, 'b', b, len);
      impl.mul(out, a, b, len);
    },
    argmaxRows(x, out, m, n) {
      const v = call('argmaxRows');
      v.size('m', m); v.size('n', n);
      v.f32('x', x, m * n, `[m, n] = [${m}, ${n}]`);
      v.buf('out', out, 'i32', m, `one index per row, m = ${m}`);
      v.disjoint('out', out, m, 'x', x, m * n);
      impl.argmaxRows(x, out, m, n);
    },
    countCorrect(x, labels, m, n) {
      const v = call('countCorrect');
      v.size('m', m); v.size('n', n);
      v.f32('x', x, m * n, `[m, n] = [${m}, ${n}]`);
      v.labels('labels', labels, m, n);
      return impl.countCorrect(x, labels, m, n);
    },
    firstNonFinite(x, len) {
      const v = call('firstNonFinite');
      v.size('len', len); v.f32('x', x, len, `len = ${len}`);
      return impl.firstNonFinite(x, len);
    },
    dropoutMask(mask, len, rate, seed, stream) {
      const v = call('dropoutMask');
      v.size('len', len); v.f32('mask', mask, len, `len = ${len}`);
      if (!(rate >= 0 && rate < 1)) v.fail(`rate must be in [0, 1), got ${String(rate)}`);
      if (!Number.isInteger(seed) || !Number.isInteger(stream)) v.fail(`seed and stream must be integers, got ${seed} and ${stream}`);
      impl.dropoutMask(mask, len, rate, seed, stream);
    },
    sgdStep(w, g, len, lr, wd) {
      optimCall(call('sgdStep'), len, lr, wd, { w, g });
      impl.sgdStep(w, g, len, lr, wd);
    },
    momentumStep(w, g, vel, len, lr, mu, nesterov, wd) {
      const v = optimCall(call('momentumStep'), len, lr, wd, { w, g, v: vel });
      v.finite('momentum', mu);
      impl.momentumStep(w, g, vel, len, lr, mu, nesterov, wd);
    },
    adamStep(w, g, m, vv, len, lr, b1, b2, eps, step, wd) {
      const v = optimCall(call('adamStep'), len, lr, wd, { w, g, m, v: vv });
      v.finite('beta1', b1); v.finite('beta2', b2); v.finite('eps', eps); v.size('step', step);
      impl.adamStep(w, g, m, vv, len, lr, b1, b2, eps, step, wd);
    },
    rmspropStep(w, g, s, len, lr, rho, eps, wd) {
      const v = optimCall(call('rmspropStep'), len, lr, wd, { w, g, s });
      v.finite('rho', rho); v.finite('eps', eps);
      impl.rmspropStep(w, g, s, len, lr, rho, eps, wd);
    },
    adagradStep(w, g, s, len, lr, eps, wd) {
      const v = optimCall(call('adagradStep'), len, lr, wd, { w, g, s });
      v.finite('eps', eps);
      impl.adagradStep(w, g, s, len, lr, eps, wd);
    },
  };
}

/** The checks every optimizer step shares: sizes, hyper-parameters, and pairwise-disjoint buffers. */
function optimCall(v: Call, len: number, lr: number, wd: number, bufs: Record<string, F32Buffer>): Call {
  v.size('len', len); v.finite('lr', lr); v.finite('weightDecay', wd);
  const entries = Object.entries(bufs);
  for (const [name, b] of entries) v.f32(name, b, len, `len = ${len}`);
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) v.disjoint(entries[i][0], entries[i][1], len, entries[j][0], entries[j][1], len);
  }
  return v;
}
