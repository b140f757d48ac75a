/** Writing a plot to disk (Node only). */
import { writeFileAtomic } from '../atomic-write.js';

/**
 * Writes an SVG string or PNG bytes to `path` atomically: into a temporary file beside it, then
 * renamed over it, so a reader (or a crash mid-write) never sees half a file. Creates the directory.
 * (src/atomic-write.ts imports node:fs on call, so the drawing functions stay usable in browsers.)
 */
export async function writePlot(path: string, content: string | Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new RangeError(`simdnet writePlot: path must be a non-empty string, got ${String(path)}`);
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    throw new RangeError('simdnet writePlot: content must be an SVG string or PNG bytes (Uint8Array)');
  }
  await writeFileAtomic(path, content, { mkdir: true });
}
