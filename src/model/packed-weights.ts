/**
 * Dense kernels packed once for inference (Kernels.packB, multiplied by Kernels.matmulPacked with
 * the same bits as matmul), kept while the weights do not change. Every writer of the flat parameter
 * buffer calls Network.weightsChanged() (setWeights, setFlatWeights and with them loadModel, the
 * importers, early stopping's restore and the worker's result; each optimizer step via applyUpdate),
 * which moves the version; a layer's panels are repacked when their version is behind, so no stale
 * panel is ever used. tests/model/packed-weights.test.ts checks predictions after each writer
 * against a fresh model, bit for bit.
 *
 * Only on the wasm backend: there matmul packs B on every call (for more than 16 rows; fewer take
 * the skinny path), and packing once saves that. The js backend's matmul does not pack.
 */
import type { Backend, F32Buffer, Kernels } from '../backend/contract.js';

/**
 * Whether the stored panels beat matmul() for an m-row product with a [k, n] kernel. Measured (issue
 * 12, after panelRow went to three panels at a time; one process, alternating, medians of 31 runs;
 * shared machine), matmulPacked / matmul:
 *   784×512, 512×512, 784×1024: m = 1–3 0.81–0.92; 4–16 0.59–0.76
 *   784×128: m = 1–3 0.82–0.89; 4–16 0.93–0.95
 *   128×10, 512×10, 784×10: m = 1–3 0.78–0.94; 4–7 1.41–1.98; 8 1.08–1.11; 16 0.62–0.72
 * (the 4-row micro-kernel pads a kernel narrower than one 8-column panel plus a few lanes, where the
 * skinny path runs its 4-column vectors). So: always, but for 4–8 rows of a kernel under 16 wide.
 */
export function packedPays(m: number, n: number): boolean {
  return n >= 16 || m < 4 || m > 8;
}

/** One layer's stored panels, and whether its kernel was all finite when they were packed. */
export interface Panels {
  readonly buffer: F32Buffer;
  /** No element is ±Infinity or NaN: matmulPacked may skip zero inputs (its `finiteB`), with the same bits. */
  readonly finite: boolean;
}

interface Entry {
  buffer: F32Buffer | null;
  finite: boolean;
  /** The weights' version the panels hold (-1: none yet). */
  version: number;
  /** The version of the last product that was let go unpacked (see panels()). */
  seen: number;
}

/** The packed kernels of one network's dense layers (see the file comment). */
export class PackedWeights {
  private version = 0;
  private readonly packed = new Map<object, Entry>();

  constructor(private readonly backend: Backend, private readonly kernels: Kernels) {}

  /** The weights changed: every layer's panels are stale. */
  invalidate(): void {
    this.version++;
  }

  /**
   * `owner`'s kernel w [k, n] as panels for an m-row product, packed now if the weights changed since
   * it was last packed; or null: use matmul(). More than 16 rows, matmul() would pack w itself, so it
   * is packed at once; for fewer, matmul() takes the skinny path, which packs nothing, so w is packed
   * only on the second product with the same weights (a predict of one row after every training step
   * never pays for a packing it would use once). Packing also scans w for non-finite values, once.
   */
  panels(owner: object, w: F32Buffer, k: number, n: number, m: number): Panels | null {
    let entry = this.packed.get(owner);
    if (entry === undefined) {
      entry = { buffer: null, finite: false, version: -1, seen: -1 };
      this.packed.set(owner, entry);
    }
    if (entry.version !== this.version) {
      if (m <= 16 && entry.seen !== this.version) {
        entry.seen = this.version;
        return null;
      }
      entry.buffer ??= this.backend.f32(k * n);
      this.kernels.packB(w, entry.buffer, k, n);
      entry.finite = this.kernels.firstNonFinite(w, k * n) < 0;
      entry.version = this.version;
    }
    return entry.buffer === null ? null : (entry as Panels);
  }

  /** Frees every layer's panels. */
  dispose(): void {
    for (const { buffer } of this.packed.values()) if (buffer !== null) this.backend.free(buffer);
    this.packed.clear();
  }
}
