/**
 * `npm run bench:kernels`: matmul GFLOP/s (2·m·k·n / time) of our wasm and js backends against
 * tfjs's wasm backend (XNNPACK, single-threaded as it runs in Node) and its cpu backend, for each
 * shape in SHAPES and each layout, all in one process.
 *
 * The machine is shared and noisy, so all (layout, contender) pairs of a shape are interleaved: each
 * round times one batch of each, and a figure is the median over the rounds. Every wasm function starts
 * in V8's baseline compiler and moves to the optimizing tier only after running a while, so both wasm
 * contenders are warmed up for a second first (ours measured ~27 GFLOP/s before tier-up, ~47 after).
 *
 * Prints a table with the ratios the targets are stated in and writes bench/results/kernels.json
 * (via a temp file and a rename, so a reader never sees half a file).
 *
 * The cases come from the kernel manifest (src/backend/manifest.ts): the layouts and operand shapes
 * are the manifest's matmul entry. `--kernels all` (or a list of names) instead prints the GB/s of the
 * manifest's other kernels, wasm and js, at a fixed size (about 2^20 elements per buffer), with
 * arguments made from their manifest entries; it writes no results file.
 *
 * Then the threads table (threads-table.ts): our wasm backend at 1, 2, … threads (`--threads 1,2`;
 * default 1 up to the cores) on the same shapes and a few elementwise kernels, with the speedup over
 * the first count. The contenders' table above runs ours on one thread, as tfjs's wasm runs in Node.
 *
 * Last the relaxed-SIMD table: the matmuls of the plain and the relaxed build (init({ simd })), on one
 * thread and on the most threads of the axis, with the ratio over the plain build on one thread. Node 20
 * runs relaxed SIMD only behind a V8 flag, which this script turns on before anything is compiled.
 */
import { setFlagsFromString } from 'node:v8';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { init, jsBackend, type F32Buffer, type MatmulLayout, type ReadyBackend } from '../src/index.js';
import { KERNEL_NAMES, KERNELS, shapeDims, type BufferArg, type KernelName } from '../src/backend/manifest.js';
import { machineInfo, median, repoPath, setUpTfjsWasm, writeJsonAtomic } from './util.js';
import { benchOtherKernels } from './kernels-table.js';
import { formatHeader, kernelCases, pairedTable, parseThreadCounts, threadsTable, upToCores, type PairedRow, type ThreadRow } from './threads-table.js';
import { hasRelaxedSimd } from '../bindings/relaxed-probe.js';

// Before any wasm module is compiled (nothing compiles at import time): Node 20 and 21 validate
// relaxed SIMD only with this flag; newer engines have it on and ignore the setting.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const DEFAULT_SHAPES = '64x784x128,128x128x128,256x256x256,512x512x512,1024x1024x1024';

const USAGE = 'usage: node build/bench/kernels.js [--shapes MxKxN,...] [--threads 1,2,...] [--no-write] | --kernels all|name,...';
const { values: args } = (() => {
  try {
    return parseArgs({
      options: {
        shapes: { type: 'string', default: DEFAULT_SHAPES }, 'no-write': { type: 'boolean', default: false }, kernels: { type: 'string' },
        threads: { type: 'string' },
      },
    });
  } catch (err) {
    console.error(`bench:kernels: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
/** (M, K, N): by default an MNIST-sized dense layer (784 inputs), then squares. `--shapes` picks others. */
const SHAPES: readonly [number, number, number][] = args.shapes.split(',').map((spec) => {
  const dims = spec.split('x').map(Number);
  if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d >= 1)) {
    console.error(`bench:kernels: --shapes: ${JSON.stringify(spec)} is not MxKxN with positive integers\n${USAGE}`);
    process.exit(2);
  }
  return dims as [number, number, number];
});
/** The threads axis (`--threads 1,2`; default 1 up to the cores): the table after the main one. */
const THREADS = args.threads === undefined ? upToCores(cpus().length) : parseThreadCounts(args.threads);
if (THREADS === null) {
  console.error(`bench:kernels: --threads: ${JSON.stringify(args.threads)} is not a list of thread counts like 1,2\n${USAGE}`);
  process.exit(2);
}
/** The matmul's layouts and how each stores A and B, from the manifest. */
function matmulOperand(name: string): BufferArg {
  const arg = KERNELS.matmul.args.find((a) => a.name === name);
  if (arg?.kind !== 'f32') throw new Error(`bench:kernels: the manifest's matmul has no f32 operand '${name}'`);
  return arg;
}
const A_ARG = matmulOperand('a');
const B_ARG = matmulOperand('b');
const MATMUL_LAYOUTS = Object.keys(A_ARG.shape) as MatmulLayout[];
function storedShape(arg: BufferArg, layout: MatmulLayout, sizes: Record<string, number>): [number, number] {
  const [rows, cols] = shapeDims(arg.shape, layout);
  return [sizes[rows], sizes[cols]];
}
const CONTENDERS = ['wasm', 'js', 'tfjsWasm', 'tfjsCpu'] as const;
type Contender = (typeof CONTENDERS)[number];

/** Time spent per shape, all layouts and contenders together, once MIN_ROUNDS are done. */
const SHAPE_BUDGET_MS = 8000;
/** After MIN_ROUNDS, at least this much more time for the cells whose calls take under SLOW_MS. */
const EXTRA_MS = 4000;
const SLOW_MS = 150;
const MIN_ROUNDS = 3;
const MAX_ROUNDS = 25;
/** Batches repeat a call until they take about this long, so small shapes are not timer noise. */
const BATCH_MS = 25;
const WARMUP_MS = 4000;
const SETTLE_MS = 2000;

interface Row {
  shape: string;
  layout: MatmulLayout;
  gflops: Record<Contender, number>;
}

/** One contender set up for one cell: `run` does one matmul (and forces completion), `result` reads C. */
interface Runner {
  run(): void;
  result(): Float32Array;
  dispose(): void;
}

function randomData(length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.random() * 2 - 1;
  return out;
}

function ourRunner(be: ReadyBackend, layout: MatmulLayout, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Runner {
  const bufs: F32Buffer[] = [be.f32(a), be.f32(b), be.f32(m * n)];
  const [ab, bb, cb] = bufs;
  return {
    run: () => be.matmul(layout, ab, bb, cb, m, k, n),
    result: () => cb.data.slice(),
    dispose: () => bufs.forEach((x) => be.free(x)),
  };
}

/** tfjs on `backend`: tensors are made while it is active, so running them never moves data between backends. */
async function tfjsRunner(backend: 'wasm' | 'cpu', layout: MatmulLayout, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<Runner> {
  await tf.setBackend(backend);
  const at = tf.tensor2d(a, storedShape(A_ARG, layout, { m, k, n }));
  const bt = tf.tensor2d(b, storedShape(B_ARG, layout, { m, k, n }));
  const transposeA = layout === 'TN';
  const transposeB = layout === 'NT';
  let last: Float32Array = new Float32Array(0);
  return {
    run: () => {
      if (tf.getBackend() !== backend) throw new Error(`tfjs backend is ${tf.getBackend()}, expected ${backend}`);
      const c = tf.matMul(at, bt, transposeA, transposeB);
      last = c.dataSync() as Float32Array;
      c.dispose();
    },
    result: () => last,
    dispose: () => {
      at.dispose();
      bt.dispose();
    },
  };
}

/** Milliseconds per call of `run` over a batch of `reps` calls. */
function timeBatch(run: () => void, reps: number): number {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) run();
  return (performance.now() - t0) / reps;
}

async function bench(): Promise<void> {
  await setUpTfjsWasm();
  await tf.setBackend('cpu');

  // Other processes on this 2-core machine slow everything down; the load average says how busy it was.
  console.log(`1-minute load average at start: ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`);
  // One thread: the contenders' table compares single cores (tfjs's wasm runs single-threaded in Node);
  // the threads table follows.
  const wasm = await init({ backend: 'wasm', warmup: false, threads: 1 });
  const js = jsBackend();

  const make = async (who: Contender, layout: MatmulLayout, a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<Runner> => {
    switch (who) {
      case 'wasm': return ourRunner(wasm, layout, a, b, m, k, n);
      case 'js': return ourRunner(js, layout, a, b, m, k, n);
      case 'tfjsWasm': return tfjsRunner('wasm', layout, a, b, m, k, n);
      case 'tfjsCpu': return tfjsRunner('cpu', layout, a, b, m, k, n);
    }
  };
  /** Makes `who`'s tfjs backend the active one (tfjs runs on whichever is active). */
  const activate = async (who: Contender): Promise<void> => {
    if (who === 'tfjsWasm' && tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
    if (who === 'tfjsCpu' && tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  };

  // Warm-up: every layout of every contender on a mid-sized shape. V8 compiles the optimized tier of
  // a wasm function on a background thread, which waits while the machine's other core is busy, so the
  // wasm contenders get several seconds (the first and last batch speeds are printed as evidence).
  {
    const [m, k, n] = [192, 192, 192];
    const flops = 3 * 2 * m * k * n;
    const warm: string[] = [];
    for (const who of CONTENDERS) {
      const runners = await Promise.all(MATMUL_LAYOUTS.map((layout) => make(who, layout, randomData(m * k), randomData(k * n), m, k, n)));
      const budget = who === 'wasm' || who === 'tfjsWasm' ? WARMUP_MS : WARMUP_MS / 8;
      await activate(who);
      const speeds: number[] = [];
      const t0 = performance.now();
      while (performance.now() - t0 < budget) speeds.push(flops / timeBatch(() => runners.forEach((r) => r.run()), 1) / 1e6);
      runners.forEach((r) => r.dispose());
      warm.push(`${who} ${speeds[0].toFixed(1)} -> ${speeds[speeds.length - 1].toFixed(1)}`);
    }
    console.log(`warm-up GFLOP/s, first -> last batch: ${warm.join(', ')}`);
  }
  // Let V8's background compile threads finish (they would otherwise take a core from the first shapes).
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

  const rows: Row[] = [];
  const started = performance.now();
  for (const [m, k, n] of SHAPES) {
    const flops = 2 * m * k * n;
    // All 12 (layout, contender) pairs of a shape are interleaved, so the layout ratios are as
    // robust to the other core's load as the contender ratios.
    const cells: { layout: MatmulLayout; who: Contender; runner: Runner; reps: number; times: number[] }[] = [];
    for (const layout of MATMUL_LAYOUTS) {
      const a = randomData(m * k);
      const b = randomData(k * n);
      const first = cells.length;
      for (const who of CONTENDERS) cells.push({ layout, who, runner: await make(who, layout, a, b, m, k, n), reps: 1, times: [] });
      // One untimed call each (it also sizes the batches), then a check that all four computed the same C.
      for (const cell of cells.slice(first)) {
        await activate(cell.who);
        const ms = timeBatch(cell.runner.run, 1);
        cell.reps = Math.max(1, Math.round(BATCH_MS / Math.max(ms, 1e-3)));
      }
      const reference = cells[first + CONTENDERS.indexOf('tfjsCpu')].runner.result();
      const tol = 1e-5 * k;
      for (const cell of cells.slice(first)) {
        const c = cell.runner.result();
        let worst = 0;
        for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(c[i] - reference[i]));
        if (!(worst <= tol)) throw new Error(`${cell.who} ${layout} ${m}x${k}x${n}: C differs from tfjs-cpu by ${worst} (> ${tol})`);
      }
    }

    const t0 = performance.now();
    let minRoundsMs = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (round === MIN_ROUNDS) minRoundsMs = performance.now() - t0;
      if (round >= MIN_ROUNDS && performance.now() - t0 > Math.max(SHAPE_BUDGET_MS, minRoundsMs + EXTRA_MS)) break;
      // Start each round at a different cell, so no contender always runs right after the same other one.
      for (let c = 0; c < cells.length; c++) {
        const cell = cells[(c + round) % cells.length];
        // Past MIN_ROUNDS, calls slower than SLOW_MS (1024³ in js and tfjs's slow paths) sit out, so
        // the fast cells get more rounds than three seconds-long rounds would allow.
        if (round >= MIN_ROUNDS && cell.times[0] > SLOW_MS) continue;
        await activate(cell.who);
        cell.times.push(timeBatch(cell.runner.run, cell.reps));
      }
    }
    for (const layout of MATMUL_LAYOUTS) {
      const gflops = {} as Record<Contender, number>;
      for (const cell of cells.filter((x) => x.layout === layout)) {
        gflops[cell.who] = Math.round((flops / median(cell.times) / 1e6) * 100) / 100;
        cell.runner.dispose();
      }
      const row: Row = { shape: `${m}x${k}x${n}`, layout, gflops };
      rows.push(row);
      printRow(row, rows);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  printSummary(rows, seconds);
  const threadRows = await benchThreads();
  const relaxedRows = await benchRelaxed();
  // A partial or ad-hoc run must not overwrite the tracked results.
  if (args['no-write'] || args.shapes !== DEFAULT_SHAPES) console.log('\nresults not written (--no-write or non-default --shapes)');
  else writeResults(rows, threadRows, relaxedRows);
}

/** Plain vs relaxed build on the matmuls, on 1 thread and on the most threads of the axis. */
async function benchRelaxed(): Promise<PairedRow<string>[]> {
  if (!hasRelaxedSimd()) {
    console.log('\nRelaxed SIMD: not available on this host; no relaxed table');
    return [];
  }
  const most = Math.max(...THREADS!);
  const configs: [string, { threads: number; simd: 'plain' | 'relaxed' }][] = [['plain', { threads: 1, simd: 'plain' }], ['relaxed', { threads: 1, simd: 'relaxed' }]];
  if (most > 1) configs.push([`plain ${most}thr`, { threads: most, simd: 'plain' }], [`relaxed ${most}thr`, { threads: most, simd: 'relaxed' }]);
  const backends = new Map<string, ReadyBackend>();
  for (const [key, options] of configs) backends.set(key, await init(options));
  const keys = [...backends.keys()];
  console.log(`\nRelaxed SIMD (fused multiply-add) vs the plain build: matmul GFLOP/s, medians; ratio = median of paired ratios over plain on 1 thread; load average ${loadavg()[0].toFixed(2)}`);
  console.log(`${'case'.padEnd(34)}${keys.map((k) => k.padStart(13)).join('')}${keys.slice(1).map((k) => `${k}/plain`.padStart(20)).join('')}`);
  const format = (row: PairedRow<string>): string =>
    `${row.label.padEnd(34)}${keys.map((k) => row.rate[k].toFixed(2).padStart(13)).join('')}${keys.slice(1).map((k) => `${row.speedup[k].toFixed(2)}x`.padStart(20)).join('')}`;
  try {
    const cases = kernelCases(SHAPES, ['NN', 'TN']).filter((c) => c.label.startsWith('matmul'));
    return await pairedTable(backends, cases, { log: (line) => console.log(line), format });
  } finally {
    for (const b of backends.values()) b.dispose();
  }
}

/** The threads table: our wasm backend at each thread count, with the speedup over the first. */
async function benchThreads(): Promise<ThreadRow[]> {
  const counts = THREADS!;
  console.log(`\nThreads: wasm at ${counts.join(', ')} threads (GFLOP/s or GB/s, medians; speedup = median of paired ratios over ${counts[0]} thread${counts[0] > 1 ? 's' : ''}); load average ${loadavg()[0].toFixed(2)}`);
  console.log(formatHeader(counts));
  return threadsTable(init, counts, kernelCases(SHAPES), { log: (line) => console.log(line) });
}

const fmt = (x: number, width: number, digits = 2): string => x.toFixed(digits).padStart(width);

function printRow(row: Row, rows: Row[]): void {
  if (rows.length === 1) {
    console.log('GFLOP/s (median of interleaved rounds); ratios in the same run.');
    console.log(
      'shape           layout    wasm      js  tfjsWasm  tfjsCpu | wasm/tfjsWasm  wasm/js  js/tfjsCpu  layout/NN(wasm)',
    );
  }
  const g = row.gflops;
  const nn = rows.find((r) => r.shape === row.shape && r.layout === 'NN')!;
  console.log(
    `${row.shape.padEnd(15)} ${row.layout.padEnd(6)}${fmt(g.wasm, 8)}${fmt(g.js, 8)}${fmt(g.tfjsWasm, 10)}${fmt(g.tfjsCpu, 9)} |` +
      `${fmt(g.wasm / g.tfjsWasm, 14)}${fmt(g.wasm / g.js, 9, 1)}${fmt(g.js / g.tfjsCpu, 12)}${fmt(g.wasm / nn.gflops.wasm, 17)}`,
  );
}

function printSummary(rows: Row[], seconds: number): void {
  const check = (name: string, ok: (r: Row) => boolean, value: (r: Row) => number): void => {
    const failed = rows.filter((r) => !ok(r));
    const worst = rows.reduce((w, r) => Math.min(w, value(r)), Infinity);
    console.log(`${failed.length === 0 ? 'MET   ' : 'MISSED'} ${name} (worst ${worst.toFixed(2)})` +
      (failed.length ? `: ${failed.map((r) => `${r.shape} ${r.layout}`).join(', ')}` : ''));
  };
  const nn = (r: Row): number => rows.find((x) => x.shape === r.shape && x.layout === 'NN')!.gflops.wasm;
  console.log(`\nTargets (${seconds.toFixed(0)} s of timing; 1-minute load average now ${loadavg()[0].toFixed(2)} on ${cpus().length} cores):`);
  check('wasm >= 1.3x tfjs-wasm on every shape and layout', (r) => r.gflops.wasm >= 1.3 * r.gflops.tfjsWasm, (r) => r.gflops.wasm / r.gflops.tfjsWasm);
  check('wasm TN and NT within 10% of NN', (r) => r.gflops.wasm >= 0.9 * nn(r), (r) => r.gflops.wasm / nn(r));
  check('js >= 1.5x tfjs-cpu', (r) => r.gflops.js >= 1.5 * r.gflops.tfjsCpu, (r) => r.gflops.js / r.gflops.tfjsCpu);
}

function writeResults(rows: Row[], threads: ThreadRow[], relaxed: PairedRow<string>[]): void {
  const file = repoPath('bench', 'results', 'kernels.json');
  writeJsonAtomic(file, { machine: machineInfo(), rows, threads, relaxed });
  console.log(`\nwrote ${file}`);
}

if (args.kernels !== undefined) {
  // The matmuls are the GFLOP/s table above: matmul() itself takes the skinny path for few rows, so
  // `--shapes 1x784x128,8x784x128` times it (a GB/s row of 2^20-element operands would be absurd).
  // matmulPacked against matmul at the shapes inference runs: the figures at packedPays in
  // src/model/packed-weights.ts (and bench:latency times it inside predict).
  const matmuls: readonly KernelName[] = ['matmul', 'matmulSkinny', 'matmulPacked'];
  const others = KERNEL_NAMES.filter((x) => !matmuls.includes(x));
  const names = args.kernels === 'all' ? others : (args.kernels.split(',') as KernelName[]);
  const unknown = names.filter((x) => !others.includes(x));
  if (unknown.length > 0) {
    console.error(`bench:kernels: --kernels: unknown ${unknown.join(', ')}; 'all' or some of ${others.join(', ')}\n${USAGE}`);
    process.exit(2);
  }
  await benchOtherKernels(names);
} else {
  await bench();
}
