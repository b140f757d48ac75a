/**
 * How many threads init() uses when `threads` is not given, and whether this host can have more
 * than one (shared memory needs SharedArrayBuffer and, in browsers, a cross-origin isolated page).
 */

/**
 * The default's cap. Measured here on 2 cores only; the argument for 8 is the work per kernel: the
 * matmuls of a training step (batch 32–128, layers of 128–1024 units) split into 4-row tiles, and past
 * about 8 threads each thread's share (≤ 16 rows of a batch of 128) costs little more than the packing
 * of B every thread repeats (O(k·n) each, against O(rows·k·n) of multiply), while the elementwise
 * kernels (≈ 10⁵ elements) already cost about one wake-up per thread. More can be asked for.
 */
export const DEFAULT_THREADS_CAP = 8;

/** What the shared-memory headers are, for the notice of a page that is not cross-origin isolated. */
export const ISOLATION_NOTICE =
  'simdnet: using 1 thread: this page is not cross-origin isolated, so it has no shared memory for threads. ' +
  "Serve it with the headers 'Cross-Origin-Opener-Policy: same-origin' and " +
  "'Cross-Origin-Embedder-Policy: require-corp' (or 'credentialless') to use every core";

interface Host {
  process?: { versions?: { node?: string } };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

/** Whether this host can share wasm memory between threads: Node, or an isolated page or worker. */
export function canShareMemory(): boolean {
  const g = globalThis as Host;
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (typeof g.process?.versions?.node === 'string') return true;
  return g.crossOriginIsolated === true && typeof Worker === 'function';
}

/** The cores this host reports (Node: os.availableParallelism(); browsers: navigator.hardwareConcurrency). */
export async function hostCores(): Promise<number> {
  const g = globalThis as Host;
  if (typeof g.process?.versions?.node === 'string') {
    const os = await (import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:os') as Promise<{ availableParallelism?: () => number; cpus(): unknown[] }>);
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return g.navigator?.hardwareConcurrency ?? 1;
}

let noticed = false;

/** Says once per program why a browser page runs on one thread. */
export function noticeNotIsolated(): void {
  if (noticed) return;
  noticed = true;
  // eslint-disable-next-line no-console
  console.warn(ISOLATION_NOTICE);
}

/** The thread count to use: `asked` (or the capped cores), 1 where memory cannot be shared (with the notice). */
export async function resolveThreads(asked: number | undefined): Promise<number> {
  if (asked === 1) return 1;
  if (!canShareMemory()) {
    noticeNotIsolated();
    return 1;
  }
  return asked ?? Math.max(1, Math.min(DEFAULT_THREADS_CAP, await hostCores()));
}
