/**
 * The threads axis of the benchmarks: the same calls at 1, 2, … threads, side by side in one process,
 * and the speedup over one thread. Used by `bench:kernels` (Node, after its main table), by
 * `bench:train` (training steps, train-threads.ts) and by the browser page bench/threads.html (run by
 * tests/browser/bench-threads.test.ts), so it imports nothing: the backends come from the caller's
 * `init` (src/ in Node, dist/ in the page).
 *
 * How: for each case, a round times one batch at every thread count in turn (starting at a different
 * one each round), and the speedup at t threads is the median over rounds of (time at 1) / (time at t)
 * from the same round: a paired ratio, so a busy moment of the machine hits both sides of it.
 */
import type { InitOptions, MatmulLayout, ReadyBackend } from '../src/index.js';

export type InitFn = (options?: InitOptions) => Promise<ReadyBackend>;

/** One benchmarked call: `amount` is what one call does (flops or bytes) in `unit` per second ×1e9. */
export interface ThreadCase {
  readonly label: string;
  readonly unit: 'GFLOP/s' | 'GB/s';
  readonly amount: number;
  make(backend: ReadyBackend): { run(): void; dispose(): void };
}

/** A row of the threads table: rate and speedup by thread count. */
export type ThreadRow = PairedRow<number>;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

const fill = (b: ReadyBackend, n: number, seed: number) => {
  const buf = b.f32(n);
  const d = buf.data;
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = s / 2 ** 31 - 1;
  }
  return buf;
};

/** matmul (GFLOP/s) at each shape and layout, then the main elementwise and row kernels of a training step (GB/s). */
export function kernelCases(shapes: readonly (readonly [number, number, number])[], layouts: readonly MatmulLayout[] = ['NN', 'TN', 'NT']): ThreadCase[] {
  const cases: ThreadCase[] = [];
  for (const [m, k, n] of shapes) {
    for (const layout of layouts) {
      cases.push({
        label: `matmul ${layout} ${m}x${k}x${n}`, unit: 'GFLOP/s', amount: 2 * m * k * n,
        make(b) {
          const bufs = [fill(b, m * k, 1), fill(b, k * n, 2), b.f32(m * n)];
          return { run: () => b.matmul(layout, bufs[0], bufs[1], bufs[2], m, k, n), dispose: () => bufs.forEach((x) => b.free(x)) };
        },
      });
    }
  }
  const len = 2 ** 20;
  cases.push({
    label: `adamStep len ${len}`, unit: 'GB/s', amount: len * 4 * 7,
    make(b) {
      const [w, g, m, v] = [fill(b, len, 3), fill(b, len, 4), b.f32(len), b.f32(len)];
      let step = 1;
      return { run: () => b.adamStep(w, g, m, v, len, 1e-3, 0.9, 0.999, 1e-8, step++, 0), dispose: () => [w, g, m, v].forEach((x) => b.free(x)) };
    },
  });
  cases.push({
    label: 'biasActivation relu 1024x1024', unit: 'GB/s', amount: len * 4 * 3,
    make(b) {
      const [z, bias, y] = [fill(b, len, 5), fill(b, 1024, 6), b.f32(len)];
      return { run: () => b.biasActivation('relu', z, bias, y, 1024, 1024), dispose: () => [z, bias, y].forEach((x) => b.free(x)) };
    },
  });
  cases.push({
    label: `axpy len ${len}`, unit: 'GB/s', amount: len * 4 * 3,
    make(b) {
      const [y, x] = [fill(b, len, 7), fill(b, len, 8)];
      return { run: () => b.axpy(y, x, len, 1e-9), dispose: () => [y, x].forEach((q) => b.free(q)) };
    },
  });
  return cases;
}

/** Runs every case at every thread count; `log` gets one line per finished case. */
export async function threadsTable(
  init: InitFn, threadCounts: readonly number[], cases: readonly ThreadCase[],
  options: { readonly msPerCase?: number; readonly log?: (line: string) => void; readonly simd?: 'plain' | 'relaxed' } = {},
): Promise<ThreadRow[]> {
  const backends = new Map<number, ReadyBackend>();
  try {
    for (const t of threadCounts) backends.set(t, await init({ threads: t, ...(options.simd ? { simd: options.simd } : {}) }));
    return await pairedTable(backends, cases, { ...options, format: (row) => formatRow(row, threadCounts) });
  } finally {
    for (const b of backends.values()) b.dispose();
  }
}

/** A row of pairedTable: the rate on each backend, and the speedup of each over the first. */
export interface PairedRow<K extends number | string> {
  readonly label: string;
  readonly unit: string;
  readonly rate: Record<K, number>;
  readonly speedup: Record<K, number>;
}

/**
 * Times every case on each backend, interleaved round by round (starting at a different backend each
 * round), and reports the median rate on each and the median paired ratio time(first)/time(other).
 * Used for the thread counts (threadsTable) and for the plain vs relaxed builds (bench:kernels).
 */
export async function pairedTable<K extends number | string>(
  backends: ReadonlyMap<K, ReadyBackend>, cases: readonly ThreadCase[],
  options: { readonly msPerCase?: number; readonly log?: (line: string) => void; readonly format?: (row: PairedRow<K>) => string } = {},
): Promise<PairedRow<K>[]> {
  const msPerCase = options.msPerCase ?? 2000;
  const keys = [...backends.keys()];
  const rows: PairedRow<K>[] = [];
  for (const c of cases) {
    const runners = keys.map((t) => ({ t, ...c.make(backends.get(t)!) }));
    // Size the batches (~20 ms on the first backend) and warm every side up.
    for (const r of runners) r.run();
    const t0 = performance.now();
    runners[0].run();
    const reps = Math.max(1, Math.round(20 / Math.max(performance.now() - t0, 0.01)));
    const times = new Map<K, number[]>(keys.map((t) => [t, []]));
    const ratios = new Map<K, number[]>(keys.map((t) => [t, []]));
    const start = performance.now();
    for (let round = 0; round < 5 || (performance.now() - start < msPerCase && round < 200); round++) {
      const got = new Map<K, number>();
      for (let i = 0; i < runners.length; i++) {
        const r = runners[(i + round) % runners.length];
        const s = performance.now();
        for (let k = 0; k < reps; k++) r.run();
        got.set(r.t, (performance.now() - s) / reps);
      }
      for (const t of keys) {
        times.get(t)!.push(got.get(t)!);
        ratios.get(t)!.push(got.get(keys[0])! / got.get(t)!);
      }
    }
    for (const r of runners) r.dispose();
    const rate = {} as Record<K, number>;
    const speedup = {} as Record<K, number>;
    for (const t of keys) {
      rate[t] = Math.round((c.amount / median(times.get(t)!) / 1e6) * 100) / 100;
      speedup[t] = Math.round(median(ratios.get(t)!) * 100) / 100;
    }
    const row = { label: c.label, unit: c.unit, rate, speedup };
    rows.push(row);
    if (options.log) options.log(options.format ? options.format(row) : `${row.label} ${JSON.stringify(row.rate)}`);
  }
  return rows;
}

/** The header of the table for these thread counts (speedups are over the first count). */
export function formatHeader(threadCounts: readonly number[]): string {
  return `${'case'.padEnd(34)}${'unit'.padEnd(9)}${threadCounts.map((t) => `${t} thr`.padStart(9)).join('')}` +
    `${threadCounts.slice(1).map((t) => `${t}/${threadCounts[0]}`.padStart(8)).join('')}`;
}

export function formatRow(row: ThreadRow, threadCounts: readonly number[]): string {
  return `${row.label.padEnd(34)}${row.unit.padEnd(9)}${threadCounts.map((t) => row.rate[t].toFixed(2).padStart(9)).join('')}` +
    `${threadCounts.slice(1).map((t) => `${row.speedup[t].toFixed(2)}x`.padStart(8)).join('')}`;
}

/** `--threads 1,2,4`: a list of thread counts ≥ 1, the first being the baseline; null when malformed. */
export function parseThreadCounts(text: string): number[] | null {
  const counts = text.split(',').map((s) => Number(s.trim()));
  return counts.length > 0 && counts.every((t) => Number.isInteger(t) && t >= 1 && t <= 256) ? counts : null;
}

/** 1, 2, … up to `cores` (the default axis). */
export function upToCores(cores: number): number[] {
  return Array.from({ length: Math.max(1, Math.min(cores, 8)) }, (_, i) => i + 1);
}
