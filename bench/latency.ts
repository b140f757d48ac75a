/**
 * `npm run bench:latency`: one-row predict latency of simdnet (wasm, js) against tfjs-layers (wasm,
 * cpu) in one process; see latency-core.ts for what is measured and how.
 *
 *   npm run bench:latency                    # 5 000 timed calls per contender and network
 *   npm run bench:latency -- --calls 500     # a smoke run (writes no results file)
 *
 * Prints a table per network and writes bench/results/latency.json (temp file + rename).
 */
import { parseArgs } from 'node:util';
import { CONTENDERS, runLatencyBench, type Contender } from './latency-core.js';
import { repoPath, writeJsonAtomic } from './util.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '5000' },
    contenders: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const contenders = values.contenders?.split(',').map((c) => c.trim()) as Contender[] | undefined;
const result = await runLatencyBench({ calls, contenders, log: (line) => console.error(line) });
console.log(result.machine);
for (const row of result.rows) {
  console.log(`\n${row.network} on ${row.inputs}, one-row predict (µs per call; ${row.calls} timed calls, jsInto and tfjsCpu a tenth)`);
  console.log('contender     median      p99   median/wasmInto');
  for (const c of CONTENDERS) {
    if (row.medianUs[c] === undefined) continue;
    console.log(`${c.padEnd(12)}${row.medianUs[c].toFixed(1).padStart(8)}${row.p99Us[c]!.toFixed(1).padStart(9)}${(row.vsWasmInto[c] ?? NaN).toFixed(2).padStart(12)}`);
  }
  console.log(`largest difference between contenders' probabilities: ${result.agreement[`${row.network}, ${row.inputs}`].toExponential(2)}`);
}
if (!values['no-write'] && calls >= 5000) {
  const file = repoPath('bench', 'results', 'latency.json');
  writeJsonAtomic(file, result);
  console.log(`wrote ${file}`);
}
