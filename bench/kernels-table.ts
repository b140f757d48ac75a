/**
 * `bench:kernels --kernels ...`: the memory bandwidth of the manifest's kernels other than matmul,
 * wasm and js, at one fixed size. These kernels do a few flops per element, so GB/s (bytes of the
 * buffers each call reads and writes, over its time) is the figure that says how close they run to
 * memory speed. Every case is made from the kernel's manifest entry: sizes, buffers, scalars.
 */
import { ACTIVATIONS, init, jsBackend, type F32Buffer, type I32Buffer, type ReadyBackend } from '../src/index.js';
import { kernelSpec, shapeDims, type KernelName, type KernelSpec } from '../src/backend/manifest.js';
import { median } from './util.js';

/** Elements per buffer: 2^20 (4 MiB of f32), larger than the caches of most machines. */
const ELEMENTS = 2 ** 20;
/** Two-dimensional buffers are ROWS × (ELEMENTS / ROWS): 1024 × 1024. */
const ROWS = 1024;
const ROUNDS = 7;
const BATCH_MS = 25;
/** The activation the activation kernels are timed with (a cheap one, so memory is the limit). */
const ACTIVATION: (typeof ACTIVATIONS)[number] = 'relu';

type Kernel = (...args: unknown[]) => unknown;

/** The sizes: `len` (and every other lone dimension) 2^20, `m` × `n` as ROWS × the rest; counts (adamStep's step) 3. */
function sizesOf(spec: KernelSpec): Record<string, number> {
  const shapes = spec.args.flatMap((a) => (a.kind === 'f32' || a.kind === 'i32' ? [shapeDims(a.shape)] : []));
  const sizes: Record<string, number> = {};
  for (const a of spec.args) {
    if (a.kind !== 'size') continue;
    const inShape = shapes.some((s) => s.includes(a.name));
    const twoD = shapes.some((s) => s.length === 2 && s.includes(a.name));
    sizes[a.name] = !inShape ? 3 : !twoD ? ELEMENTS : a.name === 'm' ? ROWS : ELEMENTS / ROWS;
  }
  return sizes;
}

interface Case {
  run(): void;
  /** Bytes the call reads plus bytes it writes. */
  bytes: number;
  dispose(): void;
}

function makeCase(b: ReadyBackend, name: KernelName): Case {
  const spec = kernelSpec(name);
  const sizes = sizesOf(spec);
  const made: (F32Buffer | I32Buffer)[] = [];
  let bytes = 0;
  const args = spec.args.map((a) => {
    switch (a.kind) {
      case 'size': return sizes[a.name];
      case 'scalar': case 'seed': return a.example;
      case 'flag': return false;
      case 'activation': return ACTIVATION;
      case 'activationParam': return undefined;
      case 'layout': return 'NN';
      case 'f32':
      case 'i32': {
        const used = shapeDims(a.shape).reduce((p, d) => p * sizes[d], 1);
        bytes += used * 4 * (a.io === 'inout' ? 2 : 1);
        const buf = a.kind === 'f32' ? b.f32(Float32Array.from({ length: used }, () => Math.random())) : b.i32(used);
        made.push(buf);
        return buf;
      }
    }
  });
  const kernel = (b as unknown as Record<string, Kernel>)[name];
  return { run: () => kernel(...args), bytes, dispose: () => made.forEach((x) => b.free(x)) };
}

function timeBatch(run: () => void, reps: number): number {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) run();
  return (performance.now() - t0) / reps;
}

export async function benchOtherKernels(names: readonly KernelName[]): Promise<void> {
  // One thread: GB/s of one core against the js twin (the threads table of kernels.ts has the rest).
  const backends = [await init({ backend: 'wasm', threads: 1 }), jsBackend()];
  console.log(`GB/s at ${ELEMENTS} elements per buffer (${ROWS} rows where a kernel takes m × n), median of ${ROUNDS} interleaved rounds`);
  console.log(`${'kernel'.padEnd(22)}${'wasm'.padStart(8)}${'js'.padStart(8)}${'wasm/js'.padStart(9)}`);
  for (const name of names) {
    const cases = backends.map((b) => makeCase(b, name));
    try {
      const reps = cases.map((c) => {
        c.run();
        return Math.max(1, Math.round(BATCH_MS / Math.max(timeBatch(c.run, 1), 1e-3)));
      });
      const times: number[][] = cases.map(() => []);
      for (let round = 0; round < ROUNDS; round++) cases.forEach((c, i) => times[i].push(timeBatch(c.run, reps[i])));
      const gbps = cases.map((c, i) => c.bytes / median(times[i]) / 1e6);
      console.log(`${name.padEnd(22)}${gbps[0].toFixed(2).padStart(8)}${gbps[1].toFixed(2).padStart(8)}${(gbps[0] / gbps[1]).toFixed(1).padStart(9)}`);
    } finally {
      cases.forEach((c) => c.dispose());
    }
  }
}
