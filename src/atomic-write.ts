/**
 * The one atomic file write (Node only) behind model.save() and writePlot(): the content goes into a
 * temporary file beside the target, is flushed to disk, and is renamed over the target, so a reader
 * (or a crash mid-write) sees the old file or the whole new one, never half of one. The temporary file
 * is removed if anything fails. node:fs is imported on call, so modules that use this stay loadable in
 * browsers and workers.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array, options: { mkdir?: boolean } = {}): Promise<void> {
  // The magic comments keep webpack and Vite from trying to bundle node built-ins for browser builds.
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
  const { dirname, basename, join } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:path');
  const dir = dirname(path);
  if (options.mkdir) await fs.mkdir(dir, { recursive: true });
  // Same directory as the target, so the rename stays on one file system (and so is atomic).
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  const temp = join(dir, `.${basename(path)}.${pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const file = await fs.open(temp, 'wx');
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
