/** Writing a plot to disk (Node only). */

/**
 * Writes an SVG string or PNG bytes to `path` atomically: into a temporary file beside it, then
 * renamed over it, so a reader (or a crash mid-write) never sees half a file. Creates the directory.
 * node:fs is imported here, on call, so the drawing functions stay usable in browsers and workers.
 */
export async function writePlot(path: string, content: string | Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new RangeError(`simdnet writePlot: path must be a non-empty string, got ${String(path)}`);
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    throw new RangeError('simdnet writePlot: content must be an SVG string or PNG bytes (Uint8Array)');
  }
  // The magic comment keeps webpack from trying to bundle node:fs for browser builds.
  const fs = await import(/* webpackIgnore: true */ 'node:fs/promises');
  const { dirname, basename, join } = await import(/* webpackIgnore: true */ 'node:path');
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true });
  // Same directory as the target, so the rename stays on one file system (and so is atomic).
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    await fs.writeFile(temp, content);
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
