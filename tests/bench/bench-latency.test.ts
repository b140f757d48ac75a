/**
 * Smoke test of bench:latency's core on few calls: every contender gives a positive median and p99,
 * and they all predict the same probabilities from the same weights, on MNIST digits and on uniform
 * rows (so the bench compares like with like). Timing itself is not checked (the machine is shared).
 */
import { describe, expect, it } from 'vitest';
import { CONTENDERS, INPUT_KINDS, runLatencyBench } from '../../bench/latency-core.js';

describe('bench:latency core', () => {
  it('times every contender on both networks and both kinds of input, on the same predictions', async () => {
    const result = await runLatencyBench({ calls: 100 });
    expect(result.rows.map((r) => `${r.network}, ${r.inputs}`)).toEqual(['784-128-10', '784-512-512-10'].flatMap((n) => INPUT_KINDS.map((k) => `${n}, ${k}`)));
    for (const row of result.rows) {
      for (const c of CONTENDERS) {
        expect(row.medianUs[c]!, `${row.network} ${c}`).toBeGreaterThan(0);
        expect(row.p99Us[c]!, `${row.network} ${c}`).toBeGreaterThanOrEqual(row.medianUs[c]!);
      }
      expect(row.vsWasmInto.wasmInto).toBe(1);
      // Same weights and rows: f32 softmax probabilities agree to rounding.
      expect(result.agreement[`${row.network}, ${row.inputs}`], `${row.network}, ${row.inputs}`).toBeLessThan(1e-5);
    }
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  }, 120_000);

  it('rejects bad options, naming them', async () => {
    await expect(runLatencyBench({ calls: 5 })).rejects.toThrow(/calls must be an integer ≥ 100, got 5/);
    await expect(runLatencyBench({ contenders: ['nope' as 'wasm'] })).rejects.toThrow(/unknown contender 'nope'/);
  });
});
