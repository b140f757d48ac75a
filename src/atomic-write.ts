/**
 * The one atomic file write (Node only) behind model.save() and writePlot(): the content goes into a
 * temporary file beside the target, is flushed to disk, and is renamed over the target, so a reader
 * (or a crash mid-write) sees the old file or the whole new one, never half of one. The temporary file
 * is removed if anything fails; one left by a killed save is removed by the next save to that target.
 * node:fs is imported on call, so modules that use this stay loadable in browsers and workers.
 */

/** Options of writeFileAtomic and checkWriteTarget. */
export interface AtomicWriteOptions {
  /** Create the target's directory (and its parents) when missing. @default false */
  mkdir?: boolean;
}

/** A temp file older than this is stale even when its recorded pid runs again (pids are reused). */
const STALE_AGE_MS = 24 * 60 * 60 * 1000;

async function nodeModules(): Promise<{ fs: typeof import('node:fs/promises'); path: typeof import('node:path') }> {
  // The magic comments keep webpack and Vite from trying to bundle node built-ins for browser builds.
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
  const path = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:path');
  return { fs, path };
}

const REASONS: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  EACCES: 'its directory is not writable',
  EPERM: 'its directory is not writable',
  ENOTDIR: 'a part of its directory path is a file',
  EROFS: 'its file system is read-only',
  ENOSPC: 'the disk is full',
};

/** Why a write failed, in words, with the system's code kept for scripts that match on it. */
function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code !== undefined && code in REASONS) return `${REASONS[code]} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

/** An Error naming the target (never the temp file, which the user never asked for). */
function targetError(path: string, e: unknown): Error {
  return new Error(`simdnet: cannot write ${path}: ${reason(e)}`, { cause: e });
}

/**
 * Checks, without writing anything, that `path` can be written: its directory exists (or is created
 * with mkdir) and is writable, and `path` is not itself a directory. Call it before long work whose
 * result goes to `path` (the CLI does before training), so a typo costs nothing.
 */
export async function checkWriteTarget(path: string, options: AtomicWriteOptions = {}): Promise<void> {
  const { fs, path: p } = await nodeModules();
  const dir = p.dirname(path);
  try {
    if (options.mkdir) await fs.mkdir(dir, { recursive: true });
    if (!(await fs.stat(dir)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    await fs.access(dir, fs.constants.W_OK);
  } catch (e) {
    throw targetError(path, e);
  }
  const existing = await fs.stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new Error(`simdnet: cannot write ${path}: it is a directory; give a file name inside it`);
}

/** Node's process, reached through globalThis so this module type-checks without Node's types too. */
const nodeProcess = (): { pid: number; kill(pid: number, signal: number): void } =>
  (globalThis as unknown as { process: { pid: number; kill(pid: number, signal: number): void } }).process;

function isRunning(pid: number): boolean {
  try {
    nodeProcess().kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Removes temp files of earlier saves to `path` whose process is gone (a save killed mid-write), or
 * that are older than a day. Only names this module makes (`.NAME.<pid>.<random>.tmp`) are touched.
 */
async function removeStaleTemps(path: string): Promise<void> {
  const { fs, path: p } = await nodeModules();
  const dir = p.dirname(path);
  const base = p.basename(path);
  const prefix = `.${base}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-z]+\.tmp$/.exec(name.slice(prefix.length));
    if (m === null) continue;
    const pid = Number(m[1]);
    const file = p.join(dir, name);
    const info = await fs.stat(file).catch(() => null);
    if (info === null || !info.isFile()) continue;
    const own = pid === nodeProcess().pid;
    if ((!own && !isRunning(pid)) || now - info.mtimeMs > STALE_AGE_MS) await fs.rm(file, { force: true });
  }
}

export async function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const { fs, path: p } = await nodeModules();
  await checkWriteTarget(path, options);
  await removeStaleTemps(path);
  // Same directory as the target, so the rename stays on one file system (and so is atomic).
  const temp = p.join(p.dirname(path), `.${p.basename(path)}.${nodeProcess().pid}.${Math.random().toString(36).slice(2)}.tmp`);
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
    throw targetError(path, error);
  }
}
