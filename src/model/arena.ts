/**
 * The per-model scratch arena: every activation, pre-activation, dropout mask, backward buffer and
 * loss gradient a pass over a batch needs, carved as views out of ONE f32 buffer (plus one i32 buffer
 * for predicted classes and the layers' index slots: max pooling's argmax). It is sized for
 * `capacity` rows and serves any batch of m ≤ capacity rows (kernels use the first m rows of longer
 * buffers), so it is allocated once for the largest batch a
 * model sees and reused for every step; nothing is allocated per step and users dispose nothing.
 *
 *   floats: | layer 0: z | y | ... | layer 1: ... | ... | lossGrad [cap,out] | predictions [cap,out] |
 *            each slot is capacity × width floats, row-major, or a fixed number of floats
 *            (Layer.scratchSizes: a convolution's im2col columns)
 */
import type { Backend, F32Buffer, I32Buffer } from '../backend/contract.js';
import type { IndexScratch, Layer, Scratch } from './layers.js';

/** A network's per-batch scratch memory (see the file comment); the network owns and resizes it. */
export class Arena {
  /** Per-layer scratch views, by slot name. */
  readonly scratch: Scratch[];
  /** ∂loss/∂output [capacity, outputs]. */
  readonly lossGrad: F32Buffer;
  /** predict()'s values [capacity, outputs] (softmax / sigmoid of the outputs). */
  readonly predictions: F32Buffer;
  /** Predicted classes [capacity]. */
  readonly classes: I32Buffer;
  /** Per-layer i32 scratch views (Layer.indexWidths), by slot name. */
  readonly indices: IndexScratch[];
  private readonly floats: F32Buffer;
  /** The i32 scratch: predicted classes [capacity], then every layer's index slots. */
  private readonly ints: I32Buffer;

  /**
   * `needsInputGradient[i]` says whether layer i must produce ∂L/∂x (its scratch may then hold a dx
   * slot); `inputGradient` records whether the first layers were given one (for gradient checks).
   */
  constructor(
    private readonly backend: Backend,
    readonly capacity: number,
    layers: readonly Layer[],
    needsInputGradient: readonly boolean[],
    readonly inputGradient: boolean,
    outputs: number,
  ) {
    const widths = layers.map((layer, i) => layer.scratchWidths(needsInputGradient[i]));
    const sizes = layers.map((layer, i) => layer.scratchSizes(capacity, needsInputGradient[i]));
    let total = 2 * outputs;
    for (const w of widths) for (const width of Object.values(w)) total += width;
    let fixed = 0;
    for (const s of sizes) for (const floats of Object.values(s)) fixed += floats;
    const indexWidths = layers.map((layer) => layer.indexWidths());
    let intTotal = 1;
    for (const w of indexWidths) for (const width of Object.values(w)) intTotal += width;
    this.floats = backend.f32(capacity * total + fixed);
    try {
      this.ints = backend.i32(capacity * intTotal);
    } catch (e) {
      backend.free(this.floats);
      throw e;
    }
    let offset = 0;
    const takeFloats = (floats: number): F32Buffer => {
      const view = this.floats.view(offset, floats);
      offset += floats;
      return view;
    };
    const take = (width: number): F32Buffer => takeFloats(capacity * width);
    this.scratch = widths.map((w, i) => Object.freeze(Object.fromEntries([
      ...Object.entries(w).map(([name, width]) => [name, take(width)]),
      ...Object.entries(sizes[i]).map(([name, floats]) => [name, takeFloats(floats)]),
    ])));
    this.lossGrad = take(outputs);
    this.predictions = take(outputs);
    this.classes = this.ints.view(0, capacity);
    let at = capacity;
    this.indices = indexWidths.map((w) => Object.freeze(Object.fromEntries(Object.entries(w).map(([name, width]) => {
      const view = this.ints.view(at, capacity * width);
      at += capacity * width;
      return [name, view];
    }))));
  }

  dispose(): void {
    this.backend.free(this.floats);
    this.backend.free(this.ints);
  }
}
