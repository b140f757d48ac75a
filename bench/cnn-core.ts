/**
 * The core of `npm run bench:cnn` (bench/cnn.ts is its command line): trains the CNN
 * conv(32,5×5)-pool2-conv(64,5×5)-pool2-dense(128)-10 on MNIST rows with every contender of
 * cnn-contenders.ts, in one process, on the same batches from the same initial weights, and measures
 * training throughput (samples/s), test accuracy, and the conv+matmul GFLOP/s our wasm training
 * executes against our matmul peak measured in the same run.
 *
 * The batch stream, the timing chunks, the turns contenders take segment by segment and the peak
 * measured after each wasm segment are bench:train's (train-core.ts: Stream, plan, Recorder,
 * matmulRates). The slow contenders (tfjs cpu, ConvNetJS, our js backend) train on the first rows of
 * the stream only (CNN_NETWORK.limited), so the whole run stays a few minutes.
 *
 * A contender that cannot train (tfjs-wasm has no Conv2DBackpropFilter kernel) keeps its row: its error message is recorded in `errors` and
 * printed in the table.
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { init, jsBackend, type ReadyBackend, type TrainTest, type WeightTensor } from '../src/index.js';
import { loadMnist } from '../src/data/node.js';
import { CNN_CONTENDERS, cnnExecutedFlops, cnnName, convnetTrainer, tfjsFitTrainer, tfjsLoopTrainer, type CnnContender, type CnnSpec } from './cnn-contenders.js';
import { simdnetCnn, simdnetCnnTrainer } from './cnn-simdnet.js';
import { matmulRates, plan, Recorder, Stream, type Plan } from './train-core.js';
import type { Trainer } from './train-contenders.js';
import { machineInfo, median, setUpTfjsWasm } from './util.js';

/** The bench's network, with the rows each slow contender trains on. */
export interface CnnBenchNetwork extends CnnSpec {
  readonly limited: Readonly<Partial<Record<CnnContender, number>>>;
}

const LENET = { inputShape: [28, 28, 1], convs: [{ filters: 32, kernel: 5 }, { filters: 64, kernel: 5 }], dense: [128], outputs: 10, batch: 64, lr: 0.05 } as const;

/**
 * conv(32,5×5)-pool2-conv(64,5×5)-pool2-dense(128)-10, batch 64, SGD lr 0.05. The limited rows keep
 * the slow contenders to about a minute each on a quiet 2-core machine: tfjs's cpu backend computes a
 * conv layer's gradients with plain loops (measured here: 15–17 s for the second conv's ∂W and ∂x on
 * 8 rows, about a minute per batch of 64), so it gets 2 batches (a warm-up and one timed); ConvNetJS
 * (tens of samples/s) 10, our js backend 20.
 */
export const CNN_NETWORK: CnnBenchNetwork = {
  ...LENET, name: cnnName(LENET),
  limited: { js: 1280, tfjsCpuFit: 128, tfjsCpuLoop: 128, tfjsWasmFit: 128, tfjsWasmLoop: 128, convnetjs: 640 },
};

export interface CnnBenchOptions {
  /** @default CNN_CONTENDERS (all) */
  contenders?: readonly CnnContender[];
  /** Training rows (a seeded subset of the 60 000) the full contenders train on. @default 12800 */
  samples?: number;
  /** Rows every limited contender trains on (capped at samples). @default CNN_NETWORK.limited */
  limitedSamples?: number | null;
  /** Test digits the full contenders are evaluated on. @default 10000 */
  testSamples?: number;
  /** Test digits the limited contenders are evaluated on (tfjs cpu predicts about 25 a second). @default 500 */
  limitedTestSamples?: number;
  /** @default 20 */
  chunkBatches?: number;
  /** @default 5 */
  segments?: number;
  /** Seeds the training subset, the batch order and the initial weights. @default 1 */
  seed?: number;
  /**
   * The thread count of the wasmThreads contender (the wasm contender always runs one thread).
   * @default the machine's core count
   */
  threads?: number;
  /** @default loadMnist() */
  data?: TrainTest | null;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

type PerContender = Partial<Record<CnnContender, number>>;

export interface CnnBenchResult {
  machine: string;
  network: string;
  batch: number;
  lr: number;
  parameters: number;
  threads: number;
  config: { samples: number; seed: number; chunkBatches: number; segments: number; testSamples: number; limitedTestSamples: number };
  /** Median over timing chunks of rows/second (absent for a contender that failed). */
  samplesPerSec: PerContender;
  testAccuracy: PerContender;
  samplesTrained: PerContender;
  testSamples: PerContender;
  timedChunks: PerContender;
  /** Contenders that trained on fewer rows than the others. */
  limited: CnnContender[];
  /** The error a contender stopped with (its row is kept, with this message). */
  errors: Partial<Record<CnnContender, string>>;
  /** Matmul flops per sample of the convolutions and dense layers (see cnnExecutedFlops). */
  executedFlopsPerSample: number;
  /** executedFlopsPerSample · samplesPerSec.wasm / 1e9, and the same for wasmThreads. */
  executedGflops: PerContender;
  /** Our wasm matmul NN 256³ GFLOP/s, timed after each wasm segment of this run (null without wasm). */
  peakGflops: number | null;
  /** executedGflops.wasm / peakGflops. */
  executedFraction: number | null;
}

export const CNN_DEFINITIONS: Record<string, string> = {
  samplesPerSec: 'median over timing chunks of (rows trained in the chunk / its wall time); the first chunk of each contender is a warm-up',
  executedGflops: 'flops the convolutions and dense layers execute per sample (2·MACs forward, 2·MACs for ∂W, 2·MACs for ∂x in all but the first layer; ' +
    'a conv\'s MACs are out_h·out_w·k²·inC·outC) × samples/s; pooling, bias and activations not counted',
  executedFraction: 'executedGflops.wasm / peakGflops, peakGflops being our wasm matmul NN 256×256×256, the median of 25 ms batches timed after each wasm segment',
  errors: 'a contender that could not train: its first error, its row kept',
};

function positiveInt(name: string, v: unknown, fallback: number, max = Infinity): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`bench:cnn: ${name} must be an integer in [1, ${max}], got ${String(v)}`);
  return v;
}

/** Milliseconds of matmul timing after each wasm training segment. */
const PEAK_MS = 300;


async function makeTrainer(who: CnnContender, net: CnnBenchNetwork, weights: readonly WeightTensor[], ctx: { wasm: ReadyBackend; threads: number; seed: number }): Promise<Trainer> {
  switch (who) {
    case 'wasm': return simdnetCnnTrainer(ctx.wasm, net, weights, ctx.seed);
    case 'wasmThreads': return simdnetCnnTrainer(await init({ backend: 'wasm', threads: ctx.threads }), net, weights, ctx.seed);
    case 'js': return simdnetCnnTrainer(jsBackend(), net, weights, ctx.seed);
    case 'tfjsCpuFit': return tfjsFitTrainer('cpu', net, weights);
    case 'tfjsCpuLoop': return tfjsLoopTrainer('cpu', net, weights);
    case 'tfjsWasmFit': return tfjsFitTrainer('wasm', net, weights);
    case 'tfjsWasmLoop': return tfjsLoopTrainer('wasm', net, weights);
    case 'convnetjs': return convnetTrainer(net, weights);
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);

/** Runs the benchmark; prints nothing (see options.log) and writes nothing. */
export async function runCnnBench(options: CnnBenchOptions = {}): Promise<CnnBenchResult> {
  const contenders = options.contenders ?? CNN_CONTENDERS;
  for (const c of contenders) if (!CNN_CONTENDERS.includes(c)) throw new RangeError(`bench:cnn: unknown contender '${c}'; one of ${CNN_CONTENDERS.join(', ')}`);
  if (contenders.length === 0) throw new RangeError('bench:cnn: contenders is empty');
  const net = CNN_NETWORK;
  const r = {
    samples: positiveInt('samples', options.samples, 12800, 60000),
    epochs: 1,
    limitedSamples: options.limitedSamples == null ? null : positiveInt('limitedSamples', options.limitedSamples, 0),
    testSamples: positiveInt('testSamples', options.testSamples, 10000, 10000),
    limitedTestSamples: positiveInt('limitedTestSamples', options.limitedTestSamples, 500, 10000),
    chunkBatches: positiveInt('chunkBatches', options.chunkBatches, 20),
    segments: positiveInt('segments', options.segments, 5),
  };
  const seed = options.seed ?? 1;
  const threads = positiveInt('threads', options.threads, (await import('node:os')).cpus().length, 64);
  const log = options.log ?? (() => {});
  tf.enableProdMode();
  await setUpTfjsWasm();
  // One thread, as tfjs's wasm backend runs in Node; wasmThreads is the same at `threads`.
  const wasm = await init({ backend: 'wasm', threads: 1 });
  const data = options.data ?? (await loadMnist());
  const stream = new Stream(data.train, r.samples, seed);

  // The shared initial weights: our model's initialisation (He/Glorot as simdnet draws them), once.
  const init0 = simdnetCnn(jsBackend(), net, seed);
  const weights = init0.getWeights();
  const parameters = init0.parameterCount;
  init0.dispose();

  const errors: CnnBenchResult['errors'] = {};
  const plans = new Map<CnnContender, Plan>(contenders.map((who) => [who, plan(r, net, who)]));
  const trainers = new Map<CnnContender, Trainer>();
  for (const who of contenders) {
    try {
      trainers.set(who, await makeTrainer(who, net, weights, { wasm, threads, seed }));
    } catch (e) {
      errors[who] = message(e);
      log(`${who}: cannot be set up: ${errors[who]}`);
    }
  }
  const rates = new Map<CnnContender, number[]>(contenders.map((who) => [who, []]));
  const peakRates: number[] = [];
  const rounds = Math.max(...[...plans.values()].map((p) => p.segments.length));
  for (let s = 0; s < rounds; s++) {
    for (const who of contenders) {
      const p = plans.get(who)!;
      const seg = p.segments[s];
      const trainer = trainers.get(who);
      if (seg === undefined || trainer === undefined || errors[who] !== undefined) continue;
      const t0 = performance.now();
      const batches = stream.segment(seg.first, seg.batches, net.batch, net.outputs);
      const rec = new Recorder();
      try {
        await trainer.train(batches, rec);
      } catch (e) {
        errors[who] = message(e);
        log(`${who}: failed to train: ${errors[who]}`);
        continue;
      }
      const got = rec.chunkRates(p.chunk, seg.chunks, net.batch, seg.batches, who);
      rates.get(who)!.push(...(s === 0 ? got.slice(1) : got));
      if (who === 'wasm') peakRates.push(...matmulRates(wasm, PEAK_MS));
      log(`segment ${s + 1}/${p.segments.length} ${who}: ${seg.batches} batches, ${Math.round(median(got))} samples/s, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }

  const flops = cnnExecutedFlops(net);
  const result: CnnBenchResult = {
    machine: machineInfo(), network: net.name, batch: net.batch, lr: net.lr, parameters, threads,
    config: { samples: r.samples, seed, chunkBatches: r.chunkBatches, segments: r.segments, testSamples: r.testSamples, limitedTestSamples: r.limitedTestSamples },
    samplesPerSec: {}, testAccuracy: {}, samplesTrained: {}, testSamples: {}, timedChunks: {},
    limited: contenders.filter((c) => net.limited[c] !== undefined), errors,
    executedFlopsPerSample: flops, executedGflops: {}, peakGflops: null, executedFraction: null,
  };
  const d = net.inputShape[0] * net.inputShape[1] * net.inputShape[2];
  for (const who of contenders) {
    const trainer = trainers.get(who);
    if (trainer === undefined) continue;
    try {
      if (errors[who] === undefined) {
        const p = plans.get(who)!;
        const n = p.testSamples;
        const predicted = await trainer.predict(data.test.x.subarray(0, n * d), n);
        let right = 0;
        for (let i = 0; i < n; i++) if (predicted[i] === data.test.y[i]) right++;
        const sps = rates.get(who)!;
        // Three significant digits: tfjs cpu trains under one sample a second.
        result.samplesPerSec[who] = Number(median(sps).toPrecision(3));
        result.testAccuracy[who] = right / n;
        result.samplesTrained[who] = p.batches * net.batch;
        result.testSamples[who] = n;
        result.timedChunks[who] = sps.length;
        if (who === 'wasm' || who === 'wasmThreads') result.executedGflops[who] = Math.round(((flops * result.samplesPerSec[who]!) / 1e9) * 100) / 100;
        log(`${who}: test accuracy ${(100 * right / n).toFixed(2)}% on ${n}`);
      }
    } finally {
      trainer.dispose();
    }
  }
  if (peakRates.length > 0 && result.executedGflops.wasm !== undefined) {
    result.peakGflops = Math.round(median(peakRates) * 100) / 100;
    result.executedFraction = Math.round((result.executedGflops.wasm / result.peakGflops) * 1000) / 1000;
  }
  if (tf.memory().numTensors > 0) log(`note: ${tf.memory().numTensors} tfjs tensors still allocated`);
  return result;
}
