/**
 * Smoke test of bench:train's core on a tiny configuration: the result has the documented shape and
 * sensible values. Timing is not checked (the machine is shared); training is, through accuracy.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/node.js';
import type { TrainTest } from '../../src/index.js';
import { atBatchSizes, DEFAULT_NETWORKS, matmulRates, NETWORKS, runTrainBench, type TrainBenchResult } from '../../bench/train-core.js';
import { backends } from '../support/helpers.js';

let data: TrainTest;
let result: TrainBenchResult;
const contenders = ['wasm', 'tfjsCpuLoop'] as const;

beforeAll(async () => {
  data = await loadMnist();
  result = await runTrainBench({ contenders, networks: NETWORKS, samples: 512, testSamples: 500, limitedTestSamples: 500, data });
});

const isPositive = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0;

describe('bench:train core', () => {
  it('returns one row per network with a finite positive figure per contender', () => {
    expect(result.machine).toMatch(/cores, node v/);
    expect(result.rows.map((r) => [r.network, r.batch])).toEqual([['784-128-10', 64], ['784-512-512-10', 128]]);
    for (const row of result.rows) {
      for (const table of [row.samplesPerSec, row.testAccuracy, row.samplesTrained, row.testSamples, row.timedChunks, row.chunkBatches]) {
        expect(Object.keys(table).sort(), row.network).toEqual([...contenders].sort());
        for (const who of contenders) expect(isPositive(table[who]), `${row.network} ${who}: ${table[who]}`).toBe(true);
      }
      expect(isPositive(row.rooflineFraction)).toBe(true);
      expect(isPositive(row.peakGflops)).toBe(true);
      expect(row.achievedGflops).toBeCloseTo((6 * row.parameters * row.samplesPerSec.wasm!) / 1e9, 1);
      // Executed matmul flops per sample: 6 per weight, less 2 per weight of the first layer (no input gradient):
      // 6·(784·128 + 128·10) − 2·784·128 and 6·(784·512 + 512·512 + 512·10) − 2·784·512.
      const executed = { '784-128-10': 409_088, '784-512-512-10': 3_209_216 }[row.network]!;
      expect(row.executedGflops!).toBeCloseTo((executed * row.samplesPerSec.wasm!) / 1e9, 1);
      expect(row.executedFraction!).toBeCloseTo(row.executedGflops! / row.peakGflops!, 2);
    }
    expect(result.rows.map((r) => r.parameters)).toEqual([784 * 128 + 128 + 128 * 10 + 10, 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10]);
    expect(result.peak.source).toMatch(/measured in this run/);
    expect(Object.keys(result.definitions)).toEqual(expect.arrayContaining(['samplesPerSec', 'testAccuracy', 'rooflineFraction']));
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('trains everyone on the same 512 digits and tests on the asked subset', () => {
    for (const row of result.rows) {
      // 512 digits are 8 batches of 64 or 4 of 128: whole batches, no remainder.
      expect(row.samplesTrained).toEqual({ wasm: 512, tfjsCpuLoop: 512 });
      expect(row.testSamples).toEqual({ wasm: 500, tfjsCpuLoop: 500 });
      // tfjs-cpu is a limited contender on both networks; the cap at samples·epochs makes it train as much.
      expect(row.limited).toEqual(['tfjsCpuLoop']);
    }
  });

  it('learns: above chance, and tfjs from the same initial weights and batches lands on nearly the same accuracy', () => {
    for (const row of result.rows) {
      expect(row.testAccuracy.wasm!, row.network).toBeGreaterThan(0.3);
      expect(row.testAccuracy.wasm!, row.network).toBeLessThanOrEqual(1);
      expect(Math.abs(row.testAccuracy.wasm! - row.testAccuracy.tfjsCpuLoop!), row.network).toBeLessThan(0.03);
    }
  });

  it('runs 784-128-10 at batches 1, 8, 32 and 64 by default, the slower contenders on fewer rows at the small ones', () => {
    expect(DEFAULT_NETWORKS.map((n) => [n.name, n.batch])).toEqual([['784-128-10', 1], ['784-128-10', 8], ['784-128-10', 32], ['784-128-10', 64], ['784-512-512-10', 128]]);
    for (const net of DEFAULT_NETWORKS) expect(net.limited.wasm, `${net.name} ${net.batch}`).toBeUndefined();
    expect(DEFAULT_NETWORKS[0].limited.tfjsWasmFit).toBeLessThan(DEFAULT_NETWORKS[2].limited.tfjsWasmFit!);
    // Another size scales the table (whole batches, at least 640 rows) and limits everyone but wasm below the network's batch.
    const [at16] = atBatchSizes(NETWORKS[1], [16]);
    expect(at16.batch).toBe(16);
    expect(at16.limited.wasm).toBeUndefined();
    for (const [who, rows] of Object.entries(at16.limited)) {
      expect(rows % 16, who).toBe(0);
      expect(rows, who).toBeGreaterThanOrEqual(640);
      expect(rows, who).toBeLessThanOrEqual(NETWORKS[1].limited[who as 'js'] ?? 60000);
    }
    expect(atBatchSizes(NETWORKS[1], [128])[0]).toBe(NETWORKS[1]);
  });

  it('times the matmul peak in 25 ms batches', async () => {
    const { wasm } = await backends();
    const rates = matmulRates(wasm, 150);
    expect(rates.length).toBeGreaterThanOrEqual(3);
    for (const g of rates) expect(isPositive(g)).toBe(true);
  });

  it('rejects bad options, naming them', async () => {
    await expect(runTrainBench({ contenders: ['nope' as 'wasm'], data })).rejects.toThrow(/unknown contender 'nope'/);
    await expect(runTrainBench({ samples: 0, data })).rejects.toThrow(/samples must be an integer/);
    await expect(runTrainBench({ contenders: ['wasm'], networks: NETWORKS, samples: 64, data })).rejects.toThrow(/wasm on 784-128-10 would train 1 batches/);
  });
});
