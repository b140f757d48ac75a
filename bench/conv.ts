/**
 * `npm run bench:conv`: how fast a CNN trains on the wasm backend (one thread), and how much of the
 * matmul kernel's speed the convolutions keep. The net is the issue's benchmark,
 * conv(32, 5x5, relu)-maxPool-conv(64, 5x5, relu)-maxPool-dense(128, relu)-dense(10) on 28x28x1
 * images, batch 64, plain SGD.
 *
 * In one process, interleaved round by round (the machine is shared and noisy; figures are medians
 * over the rounds), after a warm-up so every kernel has reached V8's optimizing tier:
 * - a training step: one fit() batch (forward, loss, backward, SGD update), timed over STEPS batches;
 * - the step's executed conv + matmul flops divided by its time (GFLOP/s): per step, each conv's
 *   forward NN product, its filter gradient TN product and (but for the first layer, which skips its
 *   input gradient) its NT product, the same for the dense layers;
 * - the matmul kernel alone on the second convolution's forward product (4096x800x64) and on
 *   256x256x256: the peak the ratio is taken against.
 * Prints one table; `--rounds N` (default 7), `--steps N` (default 10).
 */
import { parseArgs } from 'node:util';
import { conv2d, dense, flatten, init, maxPool2d, sequential, sgd, type ReadyBackend } from '../src/index.js';
import { machineInfo, median } from './util.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, steps: { type: 'string', default: '10' } } });
const ROUNDS = Number(args.rounds);
const STEPS = Number(args.steps);
const BATCH = 64;

function model(backend: ReadyBackend) {
  return sequential([
    conv2d({ filters: 32, kernelSize: 5, activation: 'relu' }), maxPool2d(),
    conv2d({ filters: 64, kernelSize: 5, activation: 'relu' }), maxPool2d(),
    flatten(), dense({ units: 128, activation: 'relu' }), dense({ units: 10 }),
  ], { inputShape: [28, 28, 1], backend, seed: 1 }).compile({ loss: 'softmaxCrossEntropy', optimizer: sgd({ lr: 0.01 }) });
}

/** Executed flops of one training step's products (see the file comment). */
function stepFlops(b: number): number {
  const conv1 = 2 * b * 24 * 24 * 25 * 32;
  const conv2 = 2 * b * 8 * 8 * 800 * 64;
  const dense1 = 2 * b * 1024 * 128;
  const dense2 = 2 * b * 128 * 10;
  return 2 * conv1 + 3 * (conv2 + dense1 + dense2);
}

// One thread, as the table says (the default is every core since threads landed).
const backend = await init({ threads: 1 });
const net = model(backend);
const n = BATCH * STEPS;
const x = new Float32Array(n * 784);
for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 0) / 2 ** 32;
const y = Int32Array.from({ length: n }, (_, i) => i % 10);

/** ms per call of `f`, repeated for at least `minMs`. */
function timeOf(f: () => void, minMs = 150): number {
  let calls = 0;
  const start = performance.now();
  do {
    f();
    calls++;
  } while (performance.now() - start < minMs);
  return (performance.now() - start) / calls;
}

function matmulGflops(m: number, k: number, nn: number): () => number {
  const a = backend.f32(m * k).view(0, m * k);
  const b = backend.f32(k * nn);
  const c = backend.f32(m * nn);
  a.data.fill(0.5);
  b.data.fill(0.25);
  return () => (2 * m * k * nn) / timeOf(() => backend.matmul('NN', a, b, c, m, k, nn)) / 1e6;
}
const convProduct = matmulGflops(BATCH * 64, 800, 64);
const square = matmulGflops(256, 256, 256);

async function stepMs(): Promise<number> {
  const start = performance.now();
  await net.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false });
  return (performance.now() - start) / STEPS;
}

// Warm-up: every kernel to the optimizing tier.
for (let i = 0; i < 2; i++) await stepMs();
convProduct();
square();

const steps: number[] = [], products: number[] = [], squares: number[] = [], ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const ms = await stepMs();
  const p = convProduct();
  const s = square();
  steps.push(ms);
  products.push(p);
  squares.push(s);
  ratios.push(stepFlops(BATCH) / ms / 1e6 / Math.max(p, s));
}
const ms = median(steps);
console.log(`bench:conv on ${machineInfo()}, ${ROUNDS} rounds of ${STEPS} steps, batch ${BATCH}`);
console.log('| measure | median |');
console.log('|---|---|');
console.log(`| wasm (1 thread) training step, ms | ${ms.toFixed(1)} |`);
console.log(`| executed conv + matmul GFLOP/s in the step | ${(stepFlops(BATCH) / ms / 1e6).toFixed(1)} |`);
console.log(`| matmul kernel GFLOP/s, 4096x800x64 (conv 2's product) | ${median(products).toFixed(1)} |`);
console.log(`| matmul kernel GFLOP/s, 256x256x256 | ${median(squares).toFixed(1)} |`);
console.log(`| step GFLOP/s / matmul peak (median of per-round ratios) | ${(100 * median(ratios)).toFixed(0)}% |`);
net.dispose();
