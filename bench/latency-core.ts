/**
 * The core of `npm run bench:latency` (bench/latency.ts is its command line): the time of a one-row predict, as a web app calling it per input (a digit
 * drawn on a canvas, a sensor reading) sees it, for 784-128-10 and 784-512-512-10 ReLU networks with
 * softmax outputs: simdnet on wasm and js (`predictInto(row, out)`, and `predict(row)` which allocates
 * its result; wasm at the default thread count, and wasmInto1 on one thread, so the table shows what
 * the helper threads buy a one-row predict), tfjs-layers `model.predict` on its wasm and cpu backends (tensor in, `dataSync()` out,
 * both disposed), all in one process, on the same weights and rows.
 *
 * Inputs: each network runs twice, on the first 64 MNIST test digits (pixels in [0, 1], about 81%
 * of them 0, as a digit drawn on a canvas) and on 64 rows of uniform random values in [0, 1) (none 0).
 * simdnet's one-row products skip zero inputs (matmul's finiteB: assembly/matmul-prepacked.ts), so the
 * two differ for it; the peers do the same work on both.
 *
 * Timing: each contender predicts the rows of a fixed cycle of the 64 inputs; one sample
 * is the time of one call (performance.now() around it); a warm-up of `warmup` calls is not counted.
 * The contenders take turns in rounds of `round` calls, so a slow patch of the shared machine hits
 * them all. Reported: the median and p99 of the samples, in microseconds, and each one's median over
 * wasm predictInto's.
 *
 */
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { init, jsBackend, mlp, Rng, type ReadyBackend } from '../src/index.js';
import { loadMnist } from '../src/data/node.js';
import { machineInfo, median, setUpTfjsWasm } from './util.js';

export const CONTENDERS = ['wasmInto', 'wasmInto1', 'wasm', 'jsInto', 'tfjsWasm', 'tfjsCpu'] as const;
export type Contender = (typeof CONTENDERS)[number];

const NETWORKS = [
  { name: '784-128-10', hidden: [128] },
  { name: '784-512-512-10', hidden: [512, 512] },
] as const;

const INPUTS = 784;
const OUTPUTS = 10;
/** Distinct input rows the calls cycle through (so no contender sees one row over and over). */
const ROWS = 64;

/** The input rows a network is timed on (see the file comment). */
export const INPUT_KINDS = ['MNIST digits', 'uniform [0,1)'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export interface LatencyRow {
  network: string;
  inputs: InputKind;
  /** Median µs per call. */
  medianUs: Partial<Record<Contender, number>>;
  /** 99th percentile µs per call. */
  p99Us: Partial<Record<Contender, number>>;
  /** This contender's median / wasmInto's. */
  vsWasmInto: Partial<Record<Contender, number>>;
  calls: number;
}

function percentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** One contender on one network: `call(i)` predicts row i and returns its first probability. */
interface Runner {
  call(i: number): number;
  dispose(): void;
}

function simdnetRunner(backend: ReadyBackend, hidden: readonly number[], weights: Float32Array, x: Float32Array, into: boolean): Runner {
  const model = mlp({ inputSize: INPUTS, hidden: [...hidden], outputs: OUTPUTS, activation: 'relu', backend, seed: 1 });
  model.compile({ loss: 'softmaxCrossEntropy', optimizer: 'sgd' });
  model.setFlatWeights(weights);
  const out = new Float32Array(OUTPUTS);
  const rows = Array.from({ length: ROWS }, (_, r) => x.subarray(r * INPUTS, (r + 1) * INPUTS));
  return {
    call: into
      ? (i) => {
        model.predictInto(rows[i % ROWS], out);
        return out[0];
      }
      : (i) => model.predict(rows[i % ROWS])[0],
    dispose: () => model.dispose(),
  };
}

async function tfjsRunner(backend: 'wasm' | 'cpu', hidden: readonly number[], weights: Float32Array, x: Float32Array): Promise<Runner> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`bench:latency: tfjs backend ${backend} failed to initialise`);
  const model = tfl.sequential();
  const units = [...hidden, OUTPUTS];
  units.forEach((u, i) => model.add(tfl.layers.dense({ units: u, activation: i === units.length - 1 ? 'softmax' : 'relu', ...(i === 0 ? { inputShape: [INPUTS] } : {}) })));
  // The flat weights in Keras order: per layer kernel [in, out], then bias [out].
  const tensors: tf.Tensor[] = [];
  let at = 0, fan = INPUTS;
  for (const u of units) {
    tensors.push(tf.tensor2d(weights.subarray(at, at + fan * u), [fan, u]));
    at += fan * u;
    tensors.push(tf.tensor1d(weights.subarray(at, at + u)));
    at += u;
    fan = u;
  }
  model.setWeights(tensors);
  tf.dispose(tensors);
  const rows = Array.from({ length: ROWS }, (_, r) => x.subarray(r * INPUTS, (r + 1) * INPUTS));
  return {
    call: (i) => {
      const input = tf.tensor2d(rows[i % ROWS], [1, INPUTS]);
      const y = model.predict(input) as tf.Tensor;
      const v = (y.dataSync() as Float32Array)[0];
      tf.dispose([input, y]);
      return v;
    },
    dispose: () => model.dispose(),
  };
}

export interface LatencyOptions {
  /** Timed calls per contender and network (a tenth of them, at least 100, for jsInto and tfjsCpu). @default 5000 */
  calls?: number;
  /** @default CONTENDERS */
  contenders?: readonly Contender[];
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

export interface LatencyResult {
  machine: string;
  definitions: Record<string, string>;
  rows: LatencyRow[];
  /** Per network and inputs ("784-128-10, MNIST digits"), the largest |p − p(wasmInto)| over the contenders' first probabilities of the same rows (same weights). */
  agreement: Record<string, number>;
}

export async function runLatencyBench(options: LatencyOptions = {}): Promise<LatencyResult> {
  const calls = options.calls ?? 5000;
  if (!Number.isInteger(calls) || calls < 100) throw new RangeError(`bench:latency: calls must be an integer ≥ 100, got ${calls}`);
  const chosen = options.contenders ?? CONTENDERS;
  for (const c of chosen) if (!CONTENDERS.includes(c)) throw new RangeError(`bench:latency: unknown contender '${c}'; one of ${CONTENDERS.join(', ')}`);
  const log = options.log ?? (() => {});
  const warmup = Math.min(500, calls / 5);
  const round = 50;
  const wasm = await init();
  const wasm1 = await init({ threads: 1 });
  const js = jsBackend();
  await setUpTfjsWasm();
  const rng = new Rng(3);
  const inputs: Record<InputKind, Float32Array> = {
    'MNIST digits': (await loadMnist()).test.x.slice(0, ROWS * INPUTS),
    'uniform [0,1)': Float32Array.from({ length: ROWS * INPUTS }, () => rng.uniform(0, 1)),
  };
  const rows: LatencyRow[] = [];
  const agreement: Record<string, number> = {};
  for (const net of NETWORKS) for (const kind of INPUT_KINDS) {
    const x = inputs[kind];
    const params = mlp({ inputSize: INPUTS, hidden: [...net.hidden], outputs: OUTPUTS, activation: 'relu', backend: js, seed: 1 });
    const weights = params.getFlatWeights();
    params.dispose();
    const runners: Partial<Record<Contender, Runner>> = {};
    const samples: Partial<Record<Contender, number[]>> = {};
    const first: Partial<Record<Contender, number[]>> = {};
    for (const c of chosen) {
      runners[c] = c === 'wasmInto' ? simdnetRunner(wasm, net.hidden, weights, x, true)
        : c === 'wasmInto1' ? simdnetRunner(wasm1, net.hidden, weights, x, true)
        : c === 'wasm' ? simdnetRunner(wasm, net.hidden, weights, x, false)
          : c === 'jsInto' ? simdnetRunner(js, net.hidden, weights, x, true)
            : await tfjsRunner(c === 'tfjsWasm' ? 'wasm' : 'cpu', net.hidden, weights, x);
      samples[c] = [];
      first[c] = [];
    }
    // The js and tfjs-cpu backends are slower per call: fewer of their calls keep the run short.
    const callsOf = (c: Contender) => (c === 'jsInto' || c === 'tfjsCpu' ? Math.max(100, Math.floor(calls / 10)) : calls);
    for (const c of chosen) {
      if (c === 'tfjsWasm' || c === 'tfjsCpu') await tf.setBackend(c === 'tfjsWasm' ? 'wasm' : 'cpu');
      // The warm-up's first ROWS calls are every row once: what the agreement check compares.
      for (let i = 0; i < Math.max(ROWS, Math.min(warmup, callsOf(c))); i++) {
        const p = runners[c]!.call(i);
        if (i < ROWS) first[c]!.push(p);
      }
    }
    for (let done = 0; done < calls; done += round) {
      for (const c of chosen) {
        if (c === 'tfjsWasm' || c === 'tfjsCpu') await tf.setBackend(c === 'tfjsWasm' ? 'wasm' : 'cpu');
        const s = samples[c]!;
        for (let i = 0; i < round && s.length < callsOf(c); i++) {
          const t = performance.now();
          runners[c]!.call(done + i);
          s.push((performance.now() - t) * 1000);
        }
      }
    }
    const row: LatencyRow = { network: net.name, inputs: kind, medianUs: {}, p99Us: {}, vsWasmInto: {}, calls };
    for (const c of chosen) {
      row.medianUs[c] = Number(median(samples[c]!).toFixed(2));
      row.p99Us[c] = Number(percentile(samples[c]!, 0.99).toFixed(2));
      runners[c]!.dispose();
    }
    const base = row.medianUs.wasmInto;
    if (base !== undefined) for (const c of chosen) row.vsWasmInto[c] = Number((row.medianUs[c]! / base).toFixed(2));
    const ref = first[chosen[0]]!;
    agreement[`${net.name}, ${kind}`] = Math.max(...chosen.flatMap((c) => first[c]!.map((p, i) => Math.abs(p - ref[i]))));
    rows.push(row);
    log(`${net.name}, ${kind}: ${chosen.map((c) => `${c} ${row.medianUs[c]} µs`).join(', ')}`);
  }
  return {
    machine: machineInfo(),
    definitions: {
      call: 'one predict of one 784-value row, returning its 10 softmax probabilities to JavaScript: simdnet predictInto(row, out) ' +
        '(wasmInto, wasmInto1, jsInto) or predict(row) (wasm, allocates the result); tfjs-layers model.predict(tensor2d(row, [1, 784])).dataSync(), tensors disposed',
      threads: `wasmInto and wasm: init() at its default thread count (here ${wasm.threads}); wasmInto1: init({ threads: 1 }); ` +
        'a one-row product splits across threads only when the helpers are awake (a burst of calls: src/backend/threaded.ts, SMALL_WORK)',
      medianUs: 'median over timed calls of performance.now() around one call, in µs; contenders take turns in rounds of 50 calls',
      p99Us: '99th percentile of the same samples',
      inputs: 'MNIST digits: the first 64 test digits, pixels in [0, 1] (about 81% zeros, which simdnet\'s one-row products skip); ' +
        'uniform [0,1): 64 rows of seeded random values (no zeros)',
      agreement: 'per network and inputs, the largest difference between contenders in the first probability of the same 64 rows (same weights)',
    },
    rows,
    agreement,
  };
}
