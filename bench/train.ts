/**
 * `npm run bench:train`: training throughput and test accuracy of this library (wasm and js backends)
 * against tfjs (cpu and wasm backends; model.fit and a hand-written minimize loop), brain.js and
 * ConvNetJS, on MNIST, for a 784-128-10 ReLU network (batches 1, 8, 32 and 64: online SGD to
 * mini-batches) and a 784-512-512-10 one (batch 128), SGD lr 0.1, all in one process with the same
 * data and batch order. See train-core.ts for how it is
 * measured and train-contenders.ts for what each contender runs.
 *
 *   npm run bench:train                       # 1 epoch of 60 000 digits (a few minutes on 2 cores)
 *   npm run bench:train -- --quick            # 6 400 digits, a smoke run
 *   npm run bench:train -- --samples 20000 --epochs 2 --contenders wasm,tfjsWasmFit
 *   npm run bench:train -- --networks 784-128-10 --batch-sizes 1,8,64
 *
 * Prints a table per network and writes bench/results/train.json (temp file + rename). Then the
 * threads table (train-threads.ts): our wasm at 1, 2, … threads on 784-128-10 batch 64 and
 * 784-512-512-10 batch 128 with the speedup over one thread (`--threads 1,2`; `--threads 0` skips it).
 * The contenders' table runs ours on one thread, as tfjs's wasm runs in Node.
 */
import { parseArgs } from 'node:util';
import { atBatchSizes, CONTENDERS, DEFAULT_NETWORKS, DEFINITIONS, NETWORKS, runTrainBench, type Contender, type TrainBenchOptions, type TrainRow } from './train-core.js';
import { repoPath, writeJsonAtomic } from './util.js';
import { cpus, loadavg } from 'node:os';
import * as simdnet from '../src/index.js';
import { parseThreadCounts, upToCores } from './threads-table.js';
import { formatTrainHeader, trainThreadsTable, trainVariantsTable, type TrainThreadsRow, type TrainVariantsRow } from './train-threads.js';
import { setFlagsFromString } from 'node:v8';
import { hasRelaxedSimd } from '../bindings/relaxed-probe.js';

// Before any wasm module is compiled: Node 20 and 21 run relaxed SIMD (the relaxed table) only with this flag.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const USAGE = `usage: npm run bench:train -- [options]
  --samples N            training digits per epoch (a seeded subset of the 60000; default 60000)
  --epochs N             epochs over them (default 1)
  --limited-samples N    digits every slow contender trains on (default: a table per network, train-core.ts)
  --contenders a,b,...   a subset of ${CONTENDERS.join(',')}
  --networks a,b         a subset of ${NETWORKS.map((n) => n.name).join(',')}
  --batch-sizes a,b,...  each network at these batch sizes (default: 784-128-10 at 1,8,32,64, 784-512-512-10 at 128)
  --seed N               data subset, batch order and initial weights (default 1)
  --quick                --samples 6400 --limited-samples 640, 2000 test digits; writes no results file
  --threads a,b,...      the threads table: our wasm at these thread counts (default 1 up to the cores; 0 skips it)
  --no-write             do not write bench/results/train.json`;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bench:train: --${name} must be a positive integer, got '${v}'`);
  return n;
}

function list<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) if (!allowed.includes(item as T)) throw new RangeError(`bench:train: --${name}: unknown '${item}'; one of ${allowed.join(', ')}`);
  return items as T[];
}

function options(): { options: TrainBenchOptions; write: boolean; threads: number[] } {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string' },
      epochs: { type: 'string' },
      'limited-samples': { type: 'string' },
      contenders: { type: 'string' },
      networks: { type: 'string' },
      'batch-sizes': { type: 'string' },
      seed: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const names = list('networks', values.networks, NETWORKS.map((n) => n.name));
  const sizes = values['batch-sizes']?.split(',').map((v) => int('batch-sizes', v.trim())!);
  const base = names === undefined ? null : NETWORKS.filter((n) => names.includes(n.name));
  const networks = sizes !== undefined ? (base ?? NETWORKS).flatMap((n) => atBatchSizes(n, sizes))
    : base === null ? undefined : DEFAULT_NETWORKS.filter((n) => names!.includes(n.name));
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new RangeError(`bench:train: --seed must be an integer ≥ 0, got '${values.seed}'`);
  const quick = values.quick;
  return {
    options: {
      samples: int('samples', values.samples) ?? (quick ? 6400 : undefined),
      epochs: int('epochs', values.epochs),
      limitedSamples: int('limited-samples', values['limited-samples']) ?? (quick ? 640 : undefined),
      testSamples: quick ? 2000 : undefined,
      contenders: list<Contender>('contenders', values.contenders, CONTENDERS),
      networks,
      seed,
      log: (line) => console.error(line),
    },
    // A quick run is a smoke test: its numbers are not the ones to keep.
    write: !values['no-write'] && !quick,
    threads: threadCounts(values.threads),
  };
}

/** The threads axis: `--threads 1,2` (the first is the baseline), default 1 up to the cores, `0` none. */
function threadCounts(v: string | undefined): number[] {
  if (v === undefined) return upToCores(cpus().length);
  if (v.trim() === '0') return [];
  const counts = parseThreadCounts(v);
  if (counts === null) throw new RangeError(`bench:train: --threads must be a list of thread counts like 1,2, got '${v}'`);
  return counts;
}

const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

function printRow(row: TrainRow): void {
  const net = NETWORKS.find((n) => n.name === row.network);
  console.log(`\n${row.network} (${thousands(row.parameters)} parameters), batch ${row.batch}, SGD lr ${net?.lr ?? '?'}`);
  console.log('contender        samples/s   wasm/this   test acc   trained on   tested on');
  const wasm = row.samplesPerSec.wasm;
  for (const who of CONTENDERS) {
    const sps = row.samplesPerSec[who];
    if (sps === undefined) continue;
    const mark = row.limited.includes(who) ? '*' : ' ';
    console.log(
      `${(who + mark).padEnd(15)}${thousands(sps).padStart(11)}${(wasm === undefined ? '-' : (wasm / sps).toFixed(2)).padStart(12)}` +
        `${(100 * row.testAccuracy[who]!).toFixed(2).padStart(10)}%${thousands(row.samplesTrained[who]!).padStart(13)}${thousands(row.testSamples[who]!).padStart(12)}`,
    );
  }
  if (row.limited.length > 0) {
    console.log('* limited: trained on the first "trained on" digits of the same batch stream only (timing chunks of ' +
      `${row.limited.map((c) => `${c} ${row.chunkBatches[c]}`).join(', ')} batches), tested on the first "tested on" test digits`);
  }
  if (row.rooflineFraction !== null) {
    console.log(`roofline: wasm training at ${row.achievedGflops!.toFixed(2)} GFLOP/s counting 6·params per sample = ` +
      `${row.rooflineFraction.toFixed(3)} of our matmul peak ${row.peakGflops} GFLOP/s; the ${row.executedGflops!.toFixed(2)} GFLOP/s ` +
      `it executes (no input gradient) = ${row.executedFraction!.toFixed(3)} of it`);
  }
}

/** The parsed command line, or exit 2 with the message and the usage. */
function parsedOptions(): ReturnType<typeof options> {
  try {
    return options();
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const { options: o, write, threads } = parsedOptions();
  const started = performance.now();
  const result = await runTrainBench(o);
  console.log(`\n${result.machine}; ${result.config.samples} training digits × ${result.config.epochs} epoch(s), seed ${result.config.seed}`);
  console.log(`peak: ${result.peak.source}` +
    `${result.peak.kernelsJsonGflops === null ? '' : ` (bench/results/kernels.json, another run: ${result.peak.kernelsJsonGflops} GFLOP/s)`}`);
  for (const row of result.rows) printRow(row);
  console.log('\nDefinitions:');
  for (const [k, v] of Object.entries(DEFINITIONS)) console.log(`  ${k}: ${v}`);
  let threadRows: TrainThreadsRow[] = [];
  if (threads.length > 0) {
    console.log(`\nThreads: our wasm at ${threads.join(', ')} threads, samples/s (medians of rounds) and speedup (median of paired ratios); load average ${loadavg()[0].toFixed(2)}`);
    console.log(formatTrainHeader(threads));
    threadRows = await trainThreadsTable(simdnet, threads, { log: (line) => console.log(line) });
  }
  const relaxedRows = threads.length > 0 ? await relaxedTable(Math.max(...threads)) : [];
  console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  if (write) {
    const file = repoPath('bench', 'results', 'train.json');
    writeJsonAtomic(file, { ...result, threads: threadRows, relaxed: relaxedRows });
    console.log(`wrote ${file}`);
  }
}

/** The plain and the relaxed build on the threads table's networks, on 1 thread and on `most`. */
async function relaxedTable(most: number): Promise<TrainVariantsRow<string>[]> {
  if (!hasRelaxedSimd()) {
    console.log('\nRelaxed SIMD: not available on this host; no relaxed table');
    return [];
  }
  const variants: [string, simdnet.InitOptions][] = [['plain', { threads: 1 }], ['relaxed', { threads: 1, simd: 'relaxed' }]];
  if (most > 1) variants.push([`plain ${most}thr`, { threads: most }], [`relaxed ${most}thr`, { threads: most, simd: 'relaxed' }]);
  const keys = variants.map(([k]) => k);
  console.log(`\nRelaxed SIMD (fused multiply-add) vs the plain build: samples/s (medians of rounds), ratio over plain on 1 thread (median of paired ratios); load average ${loadavg()[0].toFixed(2)}`);
  console.log(`${'network'.padEnd(16)}${'batch'.padStart(6)}${keys.map((k) => k.padStart(14)).join('')}${keys.slice(1).map((k) => `${k}/plain`.padStart(20)).join('')}`);
  return trainVariantsTable(simdnet, variants, {
    log: (line) => console.log(line),
    format: (row) => `${row.network.padEnd(16)}${String(row.batch).padStart(6)}${keys.map((k) => String(row.samplesPerSec[k]).padStart(14)).join('')}` +
      `${keys.slice(1).map((k) => `${row.speedup[k].toFixed(2)}x`.padStart(20)).join('')}`,
  });
}

await main();
