/**
 * When a helper thread fails, the backend says so clearly and goes on with one thread, with the
 * one-thread results: a helper that dies between calls (the next call warns once and runs alone), a
 * helper whose kernel throws (that call throws a ThreadPoolError naming the kernel; later calls run
 * alone), a helper that dies in the middle of a call (taken for dead after its deadline).
 * And dispose(): the helpers end and Node exits by itself, with or without it.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { init, type ReadyBackend } from '../../src/index.js';
import { poolFunctions, threadedBackend } from '../../src/backend/threads.js';
import { ThreadPoolError, type ThreadPool } from '../../bindings/threads/pool.js';
import { expectSameBits, randomArray } from '../support/helpers.js';

const M = 64, K = 96, N = 80;
const A = randomArray(M * K, 1), B = randomArray(K * N, 2);

function product(b: ReadyBackend): Float32Array {
  const [a, w, c] = [b.f32(A), b.f32(B), b.f32(M * N)];
  try {
    b.matmul('NN', a, w, c, M, K, N);
    return c.data.slice();
  } finally {
    for (const x of [a, w, c]) b.free(x);
  }
}

async function broken(): Promise<{ backend: ReadyBackend; pool: ThreadPool }> {
  let pool: ThreadPool | undefined;
  const backend = await threadedBackend(2, { minWork: 1, onPool: (p) => (pool = p) });
  return { backend, pool: pool! };
}

afterEach(() => vi.restoreAllMocks());

describe('threads: a failing helper', () => {
  const expected = (async () => product(await init({ threads: 1 })))();

  it('dies between calls: the next call warns once, names the helper, and runs on one thread', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { backend, pool } = await broken();
    expectSameBits(product(backend), await expected, 'before');
    await pool.killHelper(0);
    await vi.waitFor(() => expect(pool.broken).not.toBeNull());
    expect(backend.threads).toBe(1);
    expectSameBits(product(backend), await expected, 'after, on one thread');
    expectSameBits(product(backend), await expected, 'again');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^simdnet: helper thread 1 exited \(code \d+\); simdnet goes on with one thread$/);
  });

  it('throws in a kernel: that call throws a ThreadPoolError naming the kernel; the backend goes on with one thread', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { backend, pool } = await broken();
    // A job whose helper part is at 2 GiB, far outside the memory: the helper's wasm traps.
    const scale = poolFunctions().indexOf('scale');
    const x = backend.f32(4);
    const parts = [[x.ptr, 4, 2], [2 ** 31, 4, 2]];
    expect(() => pool.run(scale, parts)).toThrow(ThreadPoolError);
    expect(() => pool.run(scale, parts)).toThrow(/^simdnet: scale threw in helper thread 1: .*out of bounds/);
    expect(pool.broken?.message).toMatch(/^simdnet: scale threw in helper thread 1: .*out of bounds/);
    expect(x.data[0]).toBe(0); // the main thread's part ran: 0 · 2
    backend.free(x);
    expect(backend.threads).toBe(1);
    expectSameBits(product(backend), await expected, 'after, on one thread');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^simdnet: scale threw in helper thread 1: .*; simdnet goes on with one thread$/);
  });

  it('dies during a call: the call throws (taken for dead) instead of hanging; later calls run on one thread', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { backend, pool } = await broken();
    void pool.killHelper(0);
    // The exit event cannot arrive while the main thread waits in the call: the deadline ends the wait.
    let error: unknown = null;
    try {
      product(backend);
    } catch (e) {
      error = e;
    }
    // The helper may also have been stopped before it saw the job, or after finishing it.
    if (error !== null) expect(String(error)).toMatch(/ThreadPoolError: simdnet: helper thread 1 did not finish its part within 5000 ms; taken for dead/);
    await vi.waitFor(() => expect(pool.broken).not.toBeNull());
    expectSameBits(product(backend), await expected, 'after, on one thread');
  }, 20_000);
});

describe('threads: dispose() and exit', () => {
  it('dispose() ends the helpers; the backend stays usable on one thread, without a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const b = await init({ threads: 2 });
    expect(b.threads).toBe(2);
    b.dispose();
    b.dispose();
    expect(b.threads).toBe(1);
    expectSameBits(product(b), product(await init({ threads: 1 })), 'after dispose');
    expect(warn).not.toHaveBeenCalled();
  });

  it('a Node script with live helper threads exits by itself, with and without dispose()', () => {
    // build/ (what npm test builds before vitest): a child Node process cannot run the TypeScript sources.
    const url = new URL('../../build/src/index.js', import.meta.url).href;
    for (const dispose of [false, true]) {
      const script = `const { init } = await import(${JSON.stringify(url)});
const b = await init({ threads: 2 });
const x = b.f32(256 * 256);
b.matmul('NN', x, x.view(0, 256 * 256), b.f32(256 * 256), 256, 256, 256);
console.log('threads', b.threads);
${dispose ? 'b.dispose();' : ''}`;
      const t0 = Date.now();
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect(out.trim()).toBe('threads 2');
      expect(Date.now() - t0).toBeLessThan(30_000);
    }
  });
});
