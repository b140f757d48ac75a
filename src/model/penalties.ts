/**
 * The weight penalties of a layer with a kernel and an optional bias (conv2d): its two regularizers
 * and the views they act on, so the layer's penalty() and addPenaltyGradient() are one call each.
 */
import type { Backend, F32Buffer } from '../backend/contract.js';
import type { Regularizer } from '../train/types.js';

/** A kernel's and a bias's regularizers (either may be null) over their parameter and gradient views. */
export class KernelPenalties {
  private views: { w: F32Buffer; dw: F32Buffer; b: F32Buffer | null; db: F32Buffer | null } | null = null;

  constructor(
    readonly kernel: Regularizer | null,
    readonly bias: Regularizer | null,
  ) {}

  /** True when either regularizer is set. */
  get regularized(): boolean {
    return this.kernel !== null || this.bias !== null;
  }

  attach(w: F32Buffer, dw: F32Buffer, b: F32Buffer | null, db: F32Buffer | null): void {
    this.views = { w, dw, b, db };
  }

  penalty(backend: Backend): number {
    const v = this.views;
    if (v === null) return 0;
    let p = 0;
    if (this.kernel !== null) p += this.kernel.penalty(backend, v.w, v.w.length);
    if (this.bias !== null && v.b !== null) p += this.bias.penalty(backend, v.b, v.b.length);
    return p;
  }

  addGradient(backend: Backend): void {
    const v = this.views;
    if (v === null) return;
    if (this.kernel !== null) this.kernel.addGradient(backend, v.w, v.dw, v.w.length);
    if (this.bias !== null && v.b !== null && v.db !== null) this.bias.addGradient(backend, v.b, v.db, v.b.length);
  }
}
