/**
 * Helpers shared by the benchmarks in bench/: medians, a one-line description of the machine, the
 * tfjs wasm backend's set-up in Node, and the atomic write of a results file.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** Median of a non-empty list of numbers. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list');
  const s = [...xs].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** CPU model, core count, Node version and the time: what a results file says it was measured on. */
export function machineInfo(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, node ${process.version}, ${new Date().toISOString()}`;
}

/**
 * Registers tfjs's wasm backend with its .wasm files read from node_modules (in Node there is no page
 * to fetch them relative to) and checks that it initialises with SIMD. In Node it runs single-threaded
 * (tfjs turns threads off there). Leaves the wasm backend active.
 */
export async function setUpTfjsWasm(): Promise<void> {
  const requireHere = createRequire(import.meta.url);
  const dir = dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  // A prefix: tfjs appends the file name it picks (simd, threaded-simd or plain) to it.
  setWasmPaths(`${dir}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) throw new Error('tfjs wasm backend runs without SIMD here');
}

/**
 * A path inside the repository. Benches run from build/bench/ (compiled) and from bench/ (vitest), so
 * the root is found by walking up to package.json rather than by a fixed number of '..'.
 */
export function repoPath(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return join(dir, ...parts);
}

/** Writes `value` as JSON to `file` through a temporary file and a rename, so a reader never sees half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}
