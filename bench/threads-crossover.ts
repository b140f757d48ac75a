/**
 * `node build/bench/threads-crossover.js`: where splitting a kernel across 2 threads starts to pay,
 * the figures behind MIN_WORK and SMALL_WORK in src/backend/threaded.ts. One thread against two with
 * every call split (minWork 1), side by side (threads-table.ts: paired ratios, medians), for a cheap
 * elementwise kernel, an optimizer step, a row kernel and matmul, from small to training sizes, and
 * the one-row packed products of a predict (matmulPacked split by columns). Calls come back to back,
 * so the helpers are always awake: what SMALL_WORK needs (the cost of a split without a wake-up).
 *
 *   node build/bench/threads-crossover.js [--threads 2] [--only matmulPacked]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { init, type InitOptions, type ReadyBackend } from '../src/index.js';
import { threadedBackend } from '../src/backend/threads.js';
import { formatHeader, kernelCases, parseThreadCounts, threadsTable, type ThreadCase } from './threads-table.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, only: { type: 'string', default: '' } } });
const extra = parseThreadCounts(values.threads);
if (extra === null) throw new RangeError(`threads-crossover: --threads must be a list like 2,4, got '${values.threads}'`);
const counts = [1, ...extra.filter((t) => t > 1)];

/** One thread is the plain build; more split every call (minWork 1), so small sizes show the cost. */
const split = (o: InitOptions = {}): Promise<ReadyBackend> => (o.threads === 1 ? init(o) : threadedBackend(o.threads!, { minWork: 1 }));

const fill = (b: ReadyBackend, n: number) => b.f32(Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5));
const cases: ThreadCase[] = [];
for (const len of [4096, 16384, 65536, 262144]) {
  cases.push({
    label: `axpy len ${len}`, unit: 'GB/s', amount: len * 12,
    make(b) {
      const [y, x] = [fill(b, len), fill(b, len)];
      return { run: () => b.axpy(y, x, len, 1e-9), dispose: () => [y, x].forEach((q) => b.free(q)) };
    },
  });
  cases.push({
    label: `adamStep len ${len}`, unit: 'GB/s', amount: len * 28,
    make(b) {
      const [w, g, m, v] = [fill(b, len), fill(b, len), b.f32(len), b.f32(len)];
      return { run: () => b.adamStep(w, g, m, v, len, 1e-3, 0.9, 0.999, 1e-8, 1, 0), dispose: () => [w, g, m, v].forEach((q) => b.free(q)) };
    },
  });
}
for (const [m, n] of [[64, 128], [128, 512]]) {
  cases.push({
    label: `biasActivation relu ${m}x${n}`, unit: 'GB/s', amount: m * n * 12,
    make(b) {
      const [z, bias, y] = [fill(b, m * n), fill(b, n), b.f32(m * n)];
      return { run: () => b.biasActivation('relu', z, bias, y, m, n), dispose: () => [z, bias, y].forEach((q) => b.free(q)) };
    },
  });
}
cases.push(...kernelCases([[32, 64, 64], [64, 128, 128], [64, 784, 128], [128, 256, 256]], ['NN']).filter((c) => c.label.startsWith('matmul')));
// One-row packed products (a predict's dense layers): 16 Ki to 400 Ki multiply-adds. The panels are
// any numbers of the right length: the time does not depend on them.
for (const [m, k, n] of [[1, 128, 128], [1, 256, 128], [1, 384, 128], [1, 512, 128], [1, 784, 128], [1, 512, 512], [1, 784, 512], [4, 784, 128]]) {
  cases.push({
    label: `matmulPacked ${m}x${k}x${n}`, unit: 'GFLOP/s', amount: 2 * m * k * n,
    make(b) {
      const [a, bp, c] = [fill(b, m * k), fill(b, k * n), b.f32(m * n)];
      return { run: () => b.matmulPacked(a, bp, c, m, k, n), dispose: () => [a, bp, c].forEach((q) => b.free(q)) };
    },
  });
}
const chosen = cases.filter((c) => c.label.startsWith(values.only));

console.log(`threads-crossover: 1 thread vs ${counts.slice(1).join(', ')} with every call split; load average ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`);
console.log(formatHeader(counts));
await threadsTable(split, counts, chosen, { msPerCase: 1500, log: (line) => console.log(line) });
console.log(`load average at the end ${loadavg()[0].toFixed(2)}`);
