/**
 * `npm run bench:cnn`: training throughput and test accuracy of a small CNN,
 * conv(32,5×5)-pool2-conv(64,5×5)-pool2-dense(128)-10 on MNIST, batch 64, SGD, for this library
 * (wasm at one thread and at all threads, js) against tfjs (cpu and wasm; model.fit and a hand loop)
 * and ConvNetJS, in one process, on the same batches from the same initial weights (cnn-core.ts).
 *
 *   npm run bench:cnn                          # 12 800 digits for wasm, fewer for the slow ones (about 6 minutes)
 *   npm run bench:cnn -- --quick --no-write    # a smoke run
 *   npm run bench:cnn -- --contenders wasm,tfjsCpuLoop --samples 6400
 *
 * Prints the table and writes bench/results/cnn.json (temp file + rename) unless --no-write or --quick.
 */
import { parseArgs } from 'node:util';
import { CNN_CONTENDERS, type CnnContender } from './cnn-contenders.js';
import { CNN_DEFINITIONS, runCnnBench, type CnnBenchOptions } from './cnn-core.js';
import { formatCnnTable } from './cnn-table.js';
import { repoPath, writeJsonAtomic } from './util.js';

const USAGE = `usage: npm run bench:cnn -- [options]
  --samples N            training digits of the full contenders (a seeded subset of the 60000; default 12800)
  --limited-samples N    digits every slow contender trains on (default: cnn-core.ts CNN_NETWORK.limited)
  --contenders a,b,...   a subset of ${CNN_CONTENDERS.join(',')}
  --threads N            threads of the wasmThreads contender (default: the core count)
  --seed N               data subset, batch order and initial weights (default 1)
  --quick                --samples 1280 --limited-samples 128, 1000 test digits (200 for the limited); writes no results file
  --no-write             do not write bench/results/cnn.json`;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bench:cnn: --${name} must be a positive integer, got '${v}'`);
  return n;
}

function options(): { options: CnnBenchOptions; write: boolean } {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string' }, 'limited-samples': { type: 'string' }, contenders: { type: 'string' }, threads: { type: 'string' },
      seed: { type: 'string' }, quick: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let contenders: CnnContender[] | undefined;
  if (values.contenders !== undefined) {
    contenders = values.contenders.split(',').map((s) => s.trim()).filter((s) => s !== '') as CnnContender[];
    for (const c of contenders) if (!CNN_CONTENDERS.includes(c)) throw new RangeError(`bench:cnn: --contenders: unknown '${c}'; one of ${CNN_CONTENDERS.join(', ')}`);
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new RangeError(`bench:cnn: --seed must be an integer ≥ 0, got '${values.seed}'`);
  const quick = values.quick;
  return {
    options: {
      samples: int('samples', values.samples) ?? (quick ? 1280 : undefined),
      limitedSamples: int('limited-samples', values['limited-samples']) ?? (quick ? 128 : undefined),
      testSamples: quick ? 1000 : undefined,
      limitedTestSamples: quick ? 200 : undefined,
      chunkBatches: quick ? 2 : undefined,
      contenders, threads: int('threads', values.threads), seed,
      log: (line) => console.error(line),
    },
    write: !values['no-write'] && !quick,
  };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof options>;
  try {
    parsed = options();
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
  const started = performance.now();
  const result = await runCnnBench(parsed.options);
  console.log(`\n${result.machine}; ${result.config.samples} training digits, seed ${result.config.seed}\n`);
  console.log(formatCnnTable(result));
  console.log('\nDefinitions:');
  for (const [k, v] of Object.entries(CNN_DEFINITIONS)) console.log(`  ${k}: ${v}`);
  console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s in all`);
  if (parsed.write) {
    const file = repoPath('bench', 'results', 'cnn.json');
    writeJsonAtomic(file, { ...result, definitions: CNN_DEFINITIONS });
    console.log(`wrote ${file}`);
  }
}

await main();
