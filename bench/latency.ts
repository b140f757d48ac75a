/**
 * `npm run bench:latency`: the time of a one-row predict, as a web app calling it per input (a digit
 * drawn on a canvas, a sensor reading) sees it, for 784-128-10 and 784-512-512-10 ReLU networks with
 * softmax outputs: simdnet on wasm and js (`predictInto(row, out)`, and `predict(row)` which allocates
 * its result), tfjs-layers `model.predict` on its wasm and cpu backends (tensor in, `dataSync()` out,
 * both disposed), all in one process, on the same weights and rows.
 *
 * Timing: each contender predicts the rows of a fixed cycle of MNIST-sized random inputs; one sample
 * is the time of one call (performance.now() around it); a warm-up of `warmup` calls is not counted.
 * The contenders take turns in rounds of `round` calls, so a slow patch of the shared machine hits
 * them all. Reported: the median and p99 of the samples, in microseconds, and each one's median over
 * wasm predictInto's.
 *
 *   npm run bench:latency                    # 5 000 timed calls per contender and network
 *   npm run bench:latency -- --calls 500     # a smoke run (writes no results file)
 *
 * Writes bench/results/latency.json (temp file + rename).
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { init, jsBackend, mlp, Rng, type ReadyBackend } from '../src/index.js';
import { machineInfo, median, repoPath, setUpTfjsWasm, writeJsonAtomic } from './util.js';

const CONTENDERS = ['wasmInto', 'wasm', 'jsInto', 'tfjsWasm', 'tfjsCpu'] as const;
type Contender = (typeof CONTENDERS)[number];

const NETWORKS = [
  { name: '784-128-10', hidden: [128] },
  { name: '784-512-512-10', hidden: [512, 512] },
] as const;

const INPUTS = 784;
const OUTPUTS = 10;
/** Distinct input rows the calls cycle through (so no contender sees one row over and over). */
const ROWS = 64;

interface Row {
  network: string;
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

/** One contender on one network: `call(i)` predicts row i and returns a value read from the result. */
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '5000' },
      contenders: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const calls = Number(values.calls);
  if (!Number.isInteger(calls) || calls < 100) throw new RangeError(`bench:latency: --calls must be an integer ≥ 100, got '${values.calls}'`);
  const chosen = (values.contenders?.split(',') ?? [...CONTENDERS]) as Contender[];
  for (const c of chosen) if (!CONTENDERS.includes(c)) throw new RangeError(`bench:latency: unknown contender '${c}'; one of ${CONTENDERS.join(', ')}`);
  const write = !values['no-write'] && calls >= 5000;
  const warmup = Math.min(500, calls / 5);
  const round = 50;
  const wasm = await init();
  const js = jsBackend();
  await setUpTfjsWasm();
  const rng = new Rng(3);
  const x = Float32Array.from({ length: ROWS * INPUTS }, () => rng.uniform(0, 1));
  const result: Row[] = [];
  let sink = 0;
  for (const net of NETWORKS) {
    const params = mlp({ inputSize: INPUTS, hidden: [...net.hidden], outputs: OUTPUTS, activation: 'relu', backend: js, seed: 1 });
    const weights = params.getFlatWeights();
    params.dispose();
    const runners: Partial<Record<Contender, Runner>> = {};
    const samples: Partial<Record<Contender, number[]>> = {};
    for (const c of chosen) {
      runners[c] = c === 'wasmInto' ? simdnetRunner(wasm, net.hidden, weights, x, true)
        : c === 'wasm' ? simdnetRunner(wasm, net.hidden, weights, x, false)
          : c === 'jsInto' ? simdnetRunner(js, net.hidden, weights, x, true)
            : await tfjsRunner(c === 'tfjsWasm' ? 'wasm' : 'cpu', net.hidden, weights, x);
      samples[c] = [];
    }
    // The js and tfjs-cpu backends are slower per call: fewer of their calls keep the run short.
    const callsOf = (c: Contender) => (c === 'jsInto' || c === 'tfjsCpu' ? Math.max(100, Math.floor(calls / 10)) : calls);
    for (const c of chosen) for (let i = 0; i < Math.min(warmup, callsOf(c)); i++) sink += runners[c]!.call(i);
    for (let done = 0; done < calls; done += round) {
      for (const c of chosen) {
        if (c === 'tfjsWasm' || c === 'tfjsCpu') await tf.setBackend(c === 'tfjsWasm' ? 'wasm' : 'cpu');
        const s = samples[c]!;
        for (let i = 0; i < round && s.length < callsOf(c); i++) {
          const t = performance.now();
          sink += runners[c]!.call(done + i);
          s.push((performance.now() - t) * 1000);
        }
      }
    }
    const row: Row = { network: net.name, medianUs: {}, p99Us: {}, vsWasmInto: {}, calls };
    for (const c of chosen) {
      row.medianUs[c] = Number(median(samples[c]!).toFixed(2));
      row.p99Us[c] = Number(percentile(samples[c]!, 0.99).toFixed(2));
      runners[c]!.dispose();
    }
    const base = row.medianUs.wasmInto;
    if (base !== undefined) for (const c of chosen) row.vsWasmInto[c] = Number((row.medianUs[c]! / base).toFixed(2));
    result.push(row);
    console.log(`\n${net.name}, one-row predict (µs per call; ${calls} timed calls, js and tfjs-cpu ${callsOf('jsInto')})`);
    console.log('contender     median      p99   median/wasmInto');
    for (const c of chosen) {
      console.log(`${c.padEnd(12)}${row.medianUs[c]!.toFixed(1).padStart(8)}${row.p99Us[c]!.toFixed(1).padStart(9)}${(row.vsWasmInto[c] ?? NaN).toFixed(2).padStart(12)}`);
    }
  }
  if (!Number.isFinite(sink)) console.log('(a prediction was not finite)');
  const out = {
    machine: machineInfo(),
    definitions: {
      call: 'one predict of one 784-value row, returning its 10 softmax probabilities to JavaScript: simdnet predictInto(row, out) ' +
        '(wasmInto, jsInto) or predict(row) (wasm, allocates the result); tfjs-layers model.predict(tensor2d(row, [1, 784])).dataSync(), tensors disposed',
      medianUs: 'median over timed calls of performance.now() around one call, in µs; contenders take turns in rounds of 50 calls',
      p99Us: '99th percentile of the same samples',
    },
    rows: result,
  };
  if (write) {
    const file = repoPath('bench', 'results', 'latency.json');
    writeJsonAtomic(file, out);
    console.log(`wrote ${file}`);
  }
}

await main();
