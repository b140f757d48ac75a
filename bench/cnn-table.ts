/** The table bench:cnn prints (bench/cnn.ts), apart from the script so a test can check it. */
import { CNN_CONTENDERS } from './cnn-contenders.js';
import type { CnnBenchResult } from './cnn-core.js';

const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');
/** Samples/s: whole numbers, but two significant digits below 10 (tfjs cpu trains a CNN at under 1/s). */
const rate = (n: number): string => (n < 10 ? n.toPrecision(2) : thousands(n));

/** The table: one row per contender, the failed ones with their error. */
export function formatCnnTable(r: CnnBenchResult): string {
  const lines = [`${r.network} (${thousands(r.parameters)} parameters), batch ${r.batch}, SGD lr ${r.lr}; wasmThreads at ${r.threads} threads`];
  lines.push('contender        samples/s   wasm/this   test acc   trained on   tested on');
  const wasm = r.samplesPerSec.wasm;
  for (const who of CNN_CONTENDERS) {
    if (!(who in r.samplesPerSec) && !(who in r.errors)) continue;
    const mark = r.limited.includes(who) ? '*' : ' ';
    const error = r.errors[who];
    if (error !== undefined) {
      lines.push(`${(who + mark).padEnd(15)}${'fails'.padStart(11)}   ${error}`);
      continue;
    }
    const sps = r.samplesPerSec[who]!;
    const ratio = wasm === undefined ? '-' : wasm / sps >= 100 ? thousands(wasm / sps) : (wasm / sps).toFixed(2);
    lines.push(`${(who + mark).padEnd(15)}${rate(sps).padStart(11)}${ratio.padStart(12)}` +
      `${(100 * r.testAccuracy[who]!).toFixed(2).padStart(10)}%${thousands(r.samplesTrained[who]!).padStart(13)}${thousands(r.testSamples[who]!).padStart(12)}`);
  }
  if (r.limited.length > 0) lines.push('* limited: trained on the first "trained on" digits of the same batch stream only, tested on the first "tested on" test digits');
  if (r.executedFraction !== null) {
    lines.push(`executed conv+matmul: ${(r.executedFlopsPerSample / 1e6).toFixed(2)} MFLOP per sample; wasm ${r.executedGflops.wasm} GFLOP/s = ` +
      `${r.executedFraction.toFixed(3)} of our matmul peak ${r.peakGflops} GFLOP/s (same run)` +
      `${r.executedGflops.wasmThreads === undefined ? '' : `; wasmThreads ${r.executedGflops.wasmThreads} GFLOP/s`}`);
  }
  return lines.join('\n');
}

