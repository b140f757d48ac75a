/**
 * The core of `npm run bench:train` (bench/train.ts is its command line): trains the same dense ReLU
 * networks on MNIST with every contender of train-contenders.ts, in one process, on the same batches,
 * and measures training throughput (samples/s), test accuracy, and how close our wasm training comes
 * to our own matmul peak.
 *
 * The batch stream. The training rows are a seeded subset (all 60 000 by default) of MNIST's training
 * set; epoch 0 visits them in one seeded order, each later epoch in a fresh seeded order, and batches
 * are consecutive runs of `batch` rows of that stream. Every contender trains on a prefix of the same
 * stream: the whole of it (floor(samples·epochs / batch) batches), or, for the network's `limited`
 * contenders (too slow to train an epoch in a CI-sized run), only its first rows (their number is in
 * the network's `limited` table).
 *
 * Timing. A contender's batches are cut into chunks of `chunkBatches` batches (fewer when it trains
 * on less than 8 such chunks, so it still yields several), and each chunk's rows/seconds is one
 * sample; the first chunk is a warm-up and not counted; samplesPerSec is the median. The chunks are
 * trained in up to `segments` segments per contender, and the contenders take turns segment by
 * segment, so a slow patch of the shared machine hits them all instead of one. A segment's set-up
 * (copying its rows into the library's memory) happens before the clock starts.
 *
 * The roofline's peak is our wasm matmul (NN, 256×256×256) measured in the same run, for a third of
 * a second after each wasm training segment, so it sees the same machine as the training it is
 * compared with. The figure in bench/results/kernels.json, measured at another time under another
 * load on this shared machine, is recorded beside it but not divided by: dividing by it gave
 * fractions above 1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { init, jsBackend, Rng, type ReadyBackend, type TrainTest } from '../src/index.js';
import { loadMnist } from '../src/data/node.js';
import { CONTENDERS, makeTrainer, simdnetModel, type Contender, type Marks, type NetworkSpec, type Segment, type Trainer } from './train-contenders.js';
import { machineInfo, median, repoPath, setUpTfjsWasm } from './util.js';

export { CONTENDERS, type Contender, type NetworkSpec } from './train-contenders.js';

export interface BenchNetwork extends NetworkSpec {
  /**
   * Contenders that train only on the first n rows of the stream, with their n: those that would take
   * more than ~20 s for an epoch of 60 000 on a quiet 2-core machine. A smaller n for slower ones keeps
   * the run to a few minutes; each still yields 8 or more timing chunks.
   */
  readonly limited: Readonly<Partial<Record<Contender, number>>>;
}

export const NETWORKS: readonly BenchNetwork[] = [
  {
    name: '784-128-10', inputs: 784, hidden: [128], outputs: 10, batch: 64, lr: 0.1,
    limited: { tfjsCpuFit: 12800, tfjsCpuLoop: 12800, brain: 2560, convnetjs: 6400 },
  },
  {
    name: '784-512-512-10', inputs: 784, hidden: [512, 512], outputs: 10, batch: 128, lr: 0.1,
    limited: { js: 12800, tfjsWasmFit: 12800, tfjsWasmLoop: 12800, tfjsCpuFit: 2560, tfjsCpuLoop: 2560, brain: 1024, convnetjs: 2560 },
  },
];

/**
 * The `limited` tables of 784-128-10 at the small batch sizes (online SGD and small mini-batches).
 * Per-batch overhead dominates there, so at batch b a contender's time per row grows about as 1/b:
 * the slower ones train on fewer rows to keep the run to a few minutes.
 */
const SMALL_BATCH_LIMITS: Readonly<Record<number, BenchNetwork['limited']>> = {
  1: { js: 6400, tfjsWasmFit: 1280, tfjsWasmLoop: 1280, tfjsCpuFit: 640, tfjsCpuLoop: 640, brain: 1280, convnetjs: 6400 },
  8: { js: 12800, tfjsWasmFit: 6400, tfjsWasmLoop: 6400, tfjsCpuFit: 2560, tfjsCpuLoop: 2560, brain: 2560, convnetjs: 6400 },
  32: { tfjsWasmFit: 12800, tfjsWasmLoop: 12800, tfjsCpuFit: 6400, tfjsCpuLoop: 6400, brain: 2560, convnetjs: 6400 },
};

/**
 * `net` at each of `sizes` (a row of the table per size). Its own batch keeps its limited table; a
 * small batch of 784-128-10 takes SMALL_BATCH_LIMITS; any other size scales the table by size/batch
 * (at least 640 rows), and limits every contender but wasm when the size is below the network's.
 */
export function atBatchSizes(net: BenchNetwork, sizes: readonly number[]): BenchNetwork[] {
  return sizes.map((batch) => {
    if (batch === net.batch) return net;
    const known = net.name === '784-128-10' ? SMALL_BATCH_LIMITS[batch] : undefined;
    if (known !== undefined) return { ...net, batch, limited: known };
    const limited: Partial<Record<Contender, number>> = {};
    for (const c of CONTENDERS) {
      const n = net.limited[c] ?? (batch < net.batch && c !== 'wasm' ? 60000 : undefined);
      if (n !== undefined) limited[c] = Math.max(640, Math.round((n * Math.min(batch, net.batch)) / net.batch / batch) * batch);
    }
    return { ...net, batch, limited };
  });
}

/** The default table: 784-128-10 at batches 1, 8, 32 and its own 64, then 784-512-512-10 at 128. */
export const DEFAULT_NETWORKS: readonly BenchNetwork[] = [...atBatchSizes(NETWORKS[0], [1, 8, 32, 64]), NETWORKS[1]];

export interface TrainBenchOptions {
  /** @default DEFAULT_NETWORKS */
  networks?: readonly BenchNetwork[];
  /** @default CONTENDERS (all) */
  contenders?: readonly Contender[];
  /**
   * Training rows per epoch: a seeded subset of the 60 000 MNIST training digits when fewer.
   * @default 60000
   */
  samples?: number;
  /** @default 1 */
  epochs?: number;
  /**
   * Rows every limited contender trains on, for every network (capped at samples·epochs).
   * @default each network's `limited` table
   */
  limitedSamples?: number | null;
  /**
   * Test digits (the first n of the 10 000) the full contenders are evaluated on.
   * @default 10000
   */
  testSamples?: number;
  /**
   * Test digits (the first n) the limited contenders are evaluated on: they are slow at inference too.
   * @default 2000
   */
  limitedTestSamples?: number;
  /** @default 20 */
  chunkBatches?: number;
  /** @default 5 */
  segments?: number;
  /** Seeds the training subset, the batch order and the initial weights. @default 1 */
  seed?: number;
  /**
   * Our wasm matmul GFLOP/s, the roofline's denominator.
   * @default measured in-run (wasm, NN, 256×256×256), interleaved with the wasm training
   */
  peakGflops?: number | null;
  /** The data set. @default loadMnist() */
  data?: TrainTest | null;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

type PerContender = Partial<Record<Contender, number>>;

export interface TrainRow {
  network: string;
  batch: number;
  /** Median over timing chunks of rows/second. */
  samplesPerSec: PerContender;
  /** Fraction right on the first testSamples[c] test digits. */
  testAccuracy: PerContender;
  /** achievedGflops / peakGflops (null without the wasm contender). */
  rooflineFraction: number | null;
  /** Our wasm matmul GFLOP/s (NN, 256³) during this network's run (null without the wasm contender). */
  peakGflops: number | null;
  /** 6 · parameters · samplesPerSec.wasm / 1e9 (null without the wasm contender). */
  achievedGflops: number | null;
  /**
   * The matmul flops our training really executes per second: 6 per weight, less the 2 per weight of
   * the first layer's ∂x, which it skips (nothing needs the input's gradient). Null without wasm.
   */
  executedGflops: number | null;
  /** executedGflops / peakGflops. */
  executedFraction: number | null;
  parameters: number;
  /** Rows each contender trained on. */
  samplesTrained: PerContender;
  testSamples: PerContender;
  /** Timing chunks in each median (the warm-up chunk excluded) and their size in batches. */
  timedChunks: PerContender;
  chunkBatches: PerContender;
  /** Contenders that trained on fewer rows than the others. */
  limited: Contender[];
}

export interface TrainBenchResult {
  machine: string;
  definitions: Record<string, string>;
  config: { samples: number; epochs: number; seed: number; chunkBatches: number; segments: number; testSamples: number; limitedTestSamples: number };
  peak: { source: string; kernelsJsonGflops: number | null };
  rows: TrainRow[];
}

export const DEFINITIONS: Record<string, string> = {
  samplesPerSec: 'median over timing chunks of (rows trained in the chunk / its wall time); a chunk is chunkBatches[c] consecutive batches; ' +
    'the first chunk of each contender is a warm-up and not counted; contenders take turns segment by segment',
  testAccuracy: 'fraction of the first testSamples[c] MNIST test digits classified right after training on samplesTrained[c] rows',
  rooflineFraction: 'achievedGflops / peakGflops, where achievedGflops = 6 · parameters · samplesPerSec.wasm / 1e9 ' +
    '(2 flops per weight per sample forward, 4 backward: the dense layers\' matmuls only) and peakGflops is our wasm ' +
    'matmul NN 256×256×256 GFLOP/s, the median of 25 ms batches timed after each wasm training segment of the same run. ' +
    'It can exceed 1: 6·params counts the first layer\'s input gradient, which the library never computes',
  executedFraction: 'executedGflops / peakGflops, executedGflops counting the matmul work really done: 2 flops per weight ' +
    'forward, 2 for ∂W, 2 for ∂x in every layer but the first',
  limited: 'contenders that trained on fewer rows (samplesTrained) and were tested on fewer digits (testSamples): too slow for the full run',
};

interface Resolved {
  networks: readonly BenchNetwork[];
  contenders: readonly Contender[];
  samples: number;
  epochs: number;
  limitedSamples: number | null;
  testSamples: number;
  limitedTestSamples: number;
  chunkBatches: number;
  segments: number;
  seed: number;
  peakGflops: number | null;
  data: TrainTest | null;
  log: (line: string) => void;
}

function positiveInt(name: string, v: unknown, fallback: number, max = Infinity): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new RangeError(`bench:train: ${name} must be an integer in [1, ${max}], got ${String(v)}`);
  }
  return v;
}

function resolve(o: TrainBenchOptions): Resolved {
  const contenders = o.contenders ?? CONTENDERS;
  for (const c of contenders) if (!CONTENDERS.includes(c)) throw new RangeError(`bench:train: unknown contender '${c}'; one of ${CONTENDERS.join(', ')}`);
  if (contenders.length === 0) throw new RangeError('bench:train: contenders is empty');
  const networks = o.networks ?? DEFAULT_NETWORKS;
  if (networks.length === 0) throw new RangeError('bench:train: networks is empty');
  if (o.peakGflops != null && !(o.peakGflops > 0 && Number.isFinite(o.peakGflops))) throw new RangeError(`bench:train: peakGflops must be > 0, got ${o.peakGflops}`);
  return {
    networks,
    contenders,
    samples: positiveInt('samples', o.samples, 60000, 60000),
    epochs: positiveInt('epochs', o.epochs, 1),
    limitedSamples: o.limitedSamples == null ? null : positiveInt('limitedSamples', o.limitedSamples, 0),
    testSamples: positiveInt('testSamples', o.testSamples, 10000, 10000),
    limitedTestSamples: positiveInt('limitedTestSamples', o.limitedTestSamples, 2000, 10000),
    chunkBatches: positiveInt('chunkBatches', o.chunkBatches, 20),
    segments: positiveInt('segments', o.segments, 5),
    seed: o.seed ?? 1,
    peakGflops: o.peakGflops ?? null,
    data: o.data ?? null,
    log: o.log ?? (() => {}),
  };
}

/**
 * The training stream: `samples` rows of the training set chosen by Rng(seed), visited in that order
 * in epoch 0 and in the order Rng(seed + e) shuffles them into in epoch e.
 */
class Stream {
  private readonly chosen: Int32Array;
  private readonly orders: Int32Array[] = [];

  constructor(
    private readonly data: TrainTest['train'],
    private readonly samples: number,
    private readonly seed: number,
  ) {
    this.chosen = new Rng(seed).permutation(data.n).slice(0, samples);
  }

  private order(epoch: number): Int32Array {
    this.orders[epoch] ??= epoch === 0 ? this.chosen : new Rng(this.seed + epoch).shuffle(this.chosen.slice());
    return this.orders[epoch];
  }

  /** Stream batches [first, first + batches) of `size` rows, copied out in stream order. */
  segment(first: number, batches: number, size: number, outputs: number): Segment {
    const d = this.data.features;
    const rows = batches * size;
    const x = new Float32Array(rows * d);
    const labels = new Int32Array(rows);
    const oneHot = new Float32Array(rows * outputs);
    for (let r = 0; r < rows; r++) {
      const i = first * size + r;
      const row = this.order(Math.floor(i / this.samples))[i % this.samples];
      x.set(this.data.x.subarray(row * d, (row + 1) * d), r * d);
      labels[r] = this.data.y[row];
      oneHot[r * outputs + labels[r]] = 1;
    }
    return { x, labels, oneHot, rows, batches, batchSize: size };
  }
}

/** What one contender does on one network: its batches, chunk size, segments, and test digits. */
interface Plan {
  batches: number;
  chunk: number;
  segments: { first: number; batches: number; chunks: number }[];
  testSamples: number;
}

function plan(r: Resolved, net: BenchNetwork, who: Contender): Plan {
  const total = r.samples * r.epochs;
  const n = net.limited[who];
  const limited = n !== undefined;
  const rows = limited ? Math.min(total, r.limitedSamples ?? n) : total;
  const batches = Math.floor(rows / net.batch);
  const chunk = Math.min(r.chunkBatches, Math.max(1, Math.floor(batches / 8)));
  const chunks = Math.floor(batches / chunk);
  if (chunks < 2) {
    throw new RangeError(`bench:train: ${who} on ${net.name} would train ${batches} batches of ${net.batch}: ` +
      'too few for a warm-up chunk and a timed one (raise samples or limitedSamples)');
  }
  const s = Math.min(r.segments, chunks);
  const segments: Plan['segments'] = [];
  let first = 0;
  for (let k = 0; k < s; k++) {
    const c = Math.floor(((k + 1) * chunks) / s) - Math.floor((k * chunks) / s);
    // The batches left over after the last whole chunk train in the last segment, untimed.
    const count = k === s - 1 ? batches - first : c * chunk;
    segments.push({ first, batches: count, chunks: c });
    first += count;
  }
  return { batches, chunk, segments, testSamples: limited ? Math.min(r.limitedTestSamples, r.testSamples) : r.testSamples };
}

/** Records begin() and each tick(); chunkRates() turns them into rows/second per whole chunk. */
class Recorder implements Marks {
  private times: number[] = [];

  begin(): void {
    this.times = [performance.now()];
  }

  tick(): void {
    this.times.push(performance.now());
  }

  chunkRates(chunk: number, chunks: number, batchSize: number, batches: number, who: string): number[] {
    if (this.times.length !== batches + 1) throw new Error(`bench:train: ${who} marked ${this.times.length - 1} batches of ${batches} (begin() then tick() per batch)`);
    const rates: number[] = [];
    for (let j = 0; j < chunks; j++) rates.push((chunk * batchSize * 1000) / (this.times[(j + 1) * chunk] - this.times[j * chunk]));
    return rates;
  }
}

/**
 * Our wasm matmul NN 256×256×256 in GFLOP/s, one figure per 25 ms batch of calls over `ms`
 * milliseconds, after `ms`/3 of warm-up (which moves the kernel to V8's optimizing tier).
 */
export function matmulRates(wasm: ReadyBackend, ms: number): number[] {
  const n = 256;
  const rng = new Rng(7);
  const a = wasm.f32(Float32Array.from({ length: n * n }, () => rng.uniform(-1, 1)));
  const b = wasm.f32(Float32Array.from({ length: n * n }, () => rng.uniform(-1, 1)));
  const c = wasm.f32(n * n);
  try {
    const run = (): void => wasm.matmul('NN', a, b, c, n, n, n);
    const t = performance.now();
    while (performance.now() - t < ms / 3) run();
    const rates: number[] = [];
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      const s = performance.now();
      let reps = 0;
      while (performance.now() - s < 25) {
        run();
        reps++;
      }
      rates.push((2 * n * n * n * reps) / ((performance.now() - s) * 1e6));
    }
    return rates;
  } finally {
    [a, b, c].forEach((x) => wasm.free(x));
  }
}

/** The wasm NN 256³ figure of bench/results/kernels.json, or null when the file or the row is missing. */
function peakFromKernelsJson(): number | null {
  const file = repoPath('bench', 'results', 'kernels.json');
  if (!existsSync(file)) return null;
  let json: { rows?: { shape?: string; layout?: string; gflops?: { wasm?: number } }[] };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // a reference figure only: a file in another shape must not stop the bench
  }
  const row = Array.isArray(json.rows) ? json.rows.find((r) => r.shape === '256x256x256' && r.layout === 'NN') : undefined;
  const g = row?.gflops?.wasm;
  return typeof g === 'number' && g > 0 ? g : null;
}

/** Matmul flops per training sample our dense layers execute: x·W, xᵀ·Δ, and Δ·Wᵀ for every layer but the first. */
function executedFlopsPerSample(net: NetworkSpec): number {
  const widths = [net.inputs, ...net.hidden, net.outputs];
  let f = 0;
  for (let l = 1; l < widths.length; l++) f += (l === 1 ? 4 : 6) * widths[l - 1] * widths[l];
  return f;
}

function parameterCount(net: NetworkSpec): number {
  const widths = [net.inputs, ...net.hidden, net.outputs];
  let p = 0;
  for (let l = 1; l < widths.length; l++) p += widths[l - 1] * widths[l] + widths[l];
  return p;
}

/** Milliseconds of matmul timing after each wasm training segment. */
const PEAK_MS = 300;

/** Runs the benchmark; prints nothing (see options.log) and writes nothing. */
export async function runTrainBench(options: TrainBenchOptions = {}): Promise<TrainBenchResult> {
  const r = resolve(options);
  const machine = machineInfo();
  // tfjs's production mode drops its debug-time checks: what a user who cares about speed runs.
  tf.enableProdMode();
  await setUpTfjsWasm();
  // One thread, as tfjs's wasm backend runs in Node: the threads table (train-threads.ts) has the rest.
  const wasm = await init({ backend: 'wasm', threads: 1 });
  const js = jsBackend();

  const peak: TrainBenchResult['peak'] = {
    source: r.peakGflops !== null ? 'given' : 'measured in this run (wasm, NN, 256x256x256), after each wasm training segment',
    kernelsJsonGflops: peakFromKernelsJson(),
  };

  const data = r.data ?? (await loadMnist());
  const stream = new Stream(data.train, r.samples, r.seed);
  const rows: TrainRow[] = [];

  for (const net of r.networks) {
    const plans = new Map(r.contenders.map((who) => [who, plan(r, net, who)] as const));
    // The shared initial weights: our mlp's initialisation, drawn once.
    const init0 = simdnetModel(js, net, r.seed);
    const initialWeights = init0.getWeights();
    init0.dispose();
    const trainers = new Map<Contender, Trainer>();
    for (const who of r.contenders) trainers.set(who, await makeTrainer(who, net, { wasm, js, initialWeights, seed: r.seed }));

    const rates = new Map<Contender, number[]>(r.contenders.map((who) => [who, []]));
    const peakRates: number[] = [];
    const rounds = Math.max(...[...plans.values()].map((p) => p.segments.length));
    for (let s = 0; s < rounds; s++) {
      for (const who of r.contenders) {
        const p = plans.get(who)!;
        const seg = p.segments[s];
        if (seg === undefined) continue;
        const t0 = performance.now();
        const batches = stream.segment(seg.first, seg.batches, net.batch, net.outputs);
        const rec = new Recorder();
        await trainers.get(who)!.train(batches, rec);
        const got = rec.chunkRates(p.chunk, seg.chunks, net.batch, seg.batches, who);
        rates.get(who)!.push(...(s === 0 ? got.slice(1) : got));
        if (who === 'wasm' && r.peakGflops === null) peakRates.push(...matmulRates(wasm, PEAK_MS));
        r.log(`${net.name} segment ${s + 1}/${p.segments.length} ${who}: ${seg.batches} batches, ${Math.round(median(got))} samples/s, ` +
          `${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }

    const row: TrainRow = {
      network: net.name, batch: net.batch, samplesPerSec: {}, testAccuracy: {}, rooflineFraction: null, peakGflops: null, achievedGflops: null, executedGflops: null, executedFraction: null,
      parameters: parameterCount(net), samplesTrained: {}, testSamples: {}, timedChunks: {}, chunkBatches: {},
      limited: r.contenders.filter((c) => net.limited[c] !== undefined),
    };
    for (const who of r.contenders) {
      const p = plans.get(who)!;
      const n = p.testSamples;
      const predicted = await trainers.get(who)!.predict(data.test.x.subarray(0, n * net.inputs), n);
      let right = 0;
      for (let i = 0; i < n; i++) if (predicted[i] === data.test.y[i]) right++;
      const sps = rates.get(who)!;
      row.samplesPerSec[who] = Math.round(median(sps));
      row.testAccuracy[who] = right / n;
      row.samplesTrained[who] = p.batches * net.batch;
      row.testSamples[who] = n;
      row.timedChunks[who] = sps.length;
      row.chunkBatches[who] = p.chunk;
      trainers.get(who)!.dispose();
      r.log(`${net.name} ${who}: test accuracy ${(100 * row.testAccuracy[who]!).toFixed(2)}% on ${n}`);
    }
    if (row.samplesPerSec.wasm !== undefined) {
      row.achievedGflops = Math.round(((6 * row.parameters * row.samplesPerSec.wasm) / 1e9) * 100) / 100;
      row.peakGflops = Math.round((r.peakGflops ?? median(peakRates)) * 100) / 100;
      row.rooflineFraction = Math.round((row.achievedGflops / row.peakGflops) * 1000) / 1000;
      row.executedGflops = Math.round(((executedFlopsPerSample(net) * row.samplesPerSec.wasm) / 1e9) * 100) / 100;
      row.executedFraction = Math.round((row.executedGflops / row.peakGflops) * 1000) / 1000;
    }
    rows.push(row);
  }
  if (tf.memory().numTensors > 0) r.log(`note: ${tf.memory().numTensors} tfjs tensors still allocated`);

  return {
    machine,
    definitions: DEFINITIONS,
    config: {
      samples: r.samples, epochs: r.epochs, seed: r.seed, chunkBatches: r.chunkBatches, segments: r.segments,
      testSamples: r.testSamples, limitedTestSamples: r.limitedTestSamples,
    },
    peak,
    rows,
  };
}
