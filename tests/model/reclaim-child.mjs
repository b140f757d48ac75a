// Run by reclaim.test.ts as `node --expose-gc`: creates and drops models without dispose(), collects
// them, and prints what the backend holds at each point as one JSON line. Imports the built library
// (build/src, made by `npm test` / `npm run test:unit`).
import { adam, dense, init, sequential } from '../../build/src/index.js';

const backend = await init({ backend: process.argv[2] ?? 'wasm', warmup: false });
const probe = backend.f32(1);
// The view's buffer is the wasm memory's: its length is the linear memory's size (js: 4 bytes).
const memory = () => probe.data.buffer.byteLength;
const x = new Float32Array(32 * 64).map((_, i) => Math.sin(i));
const y = new Int32Array(32).map((_, i) => i % 10);

async function dropModels(count, gcEvery = Infinity) {
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % gcEvery === 0) await collect(backend.liveBuffers);
    const m = sequential([dense({ units: 256, activation: 'relu' }), dense({ units: 10 })], { inputSize: 64, backend, seed: i });
    m.compile({ loss: 'softmaxCrossEntropy', optimizer: adam() });
    // fit() allocates the arena and Adam's slots: they must be reclaimed too.
    await m.fit(x, y, { epochs: 1, batchSize: 16 });
  }
}

async function collect(baseline) {
  for (let i = 0; i < 20 && (i === 0 || backend.liveBuffers > baseline); i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const baseline = backend.liveBuffers;
await dropModels(100);
const dropped = backend.liveBuffers;
await collect(baseline);
const collected = backend.liveBuffers;
const memoryAfterFirst = memory();
// A program that drops models steadily (collections every 10 models) runs in the memory the first
// round gave back: it does not grow again.
await dropModels(100, 10);
await collect(baseline);
// An explicitly disposed model is unregistered: its later collection frees nothing twice.
const disposed = sequential([dense({ units: 3 })], { inputSize: 2, backend });
disposed.dispose();
await collect(baseline);
process.stdout.write(`${JSON.stringify({ baseline, dropped, collected, final: backend.liveBuffers, memoryAfterFirst, memoryAfterSecond: memory() })}\n`);
