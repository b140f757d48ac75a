/**
 * The threads axis of `bench:train`: training samples/s of our wasm backend at 1, 2, … threads on the
 * target networks (784-128-10 at batch 64, 784-512-512-10 at batch 128; SGD lr 0.1, ReLU), side by
 * side in one process: each round trains the same batches at every thread count in turn (each model
 * on its own backend, all from the same initial weights), and the speedup is the median of the
 * rounds' paired ratios. The data are seeded random digits of MNIST's shape: the time of a step does
 * not depend on the values. After the rounds every thread count has trained on the same batches in
 * the same order, so the weights must be the same bits: the table says whether they are.
 *
 * Imports nothing at run time (the library comes from the caller), like threads-table.ts.
 */
import type * as Simdnet from '../src/index.js';

/** A row of trainVariantsTable: samples/s on each backend, the speedup over the first, and whether all trained to the same bits. */
export interface TrainVariantsRow<K extends number | string> {
  readonly network: string;
  readonly batch: number;
  readonly samplesPerSec: Record<K, number>;
  readonly speedup: Record<K, number>;
  readonly sameWeights: boolean;
}

export type TrainThreadsRow = TrainVariantsRow<number>;

const NETS = [
  { name: '784-128-10', hidden: [128], batch: 64 },
  { name: '784-512-512-10', hidden: [512, 512], batch: 128 },
] as const;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

interface TableOptions {
  readonly rounds?: number;
  readonly batchesPerRound?: number;
  readonly log?: (line: string) => void;
}

export async function trainThreadsTable(lib: typeof Simdnet, threadCounts: readonly number[], options: TableOptions = {}): Promise<TrainThreadsRow[]> {
  return trainVariantsTable(lib, threadCounts.map((t) => [t, { threads: t }]), { ...options, format: (row) => formatTrainRow(row, threadCounts) });
}

/**
 * The same rounds over backends made with other init() options (`variants`: a key and the options,
 * the first the baseline): the thread counts above, or the plain and relaxed builds (bench:train's
 * relaxed table). Whether they trained to the same bits is reported, not required.
 */
export async function trainVariantsTable<K extends number | string>(
  lib: typeof Simdnet, variants: readonly (readonly [K, Simdnet.InitOptions])[],
  options: TableOptions & { readonly format?: (row: TrainVariantsRow<K>) => string } = {},
): Promise<TrainVariantsRow<K>[]> {
  const rounds = options.rounds ?? 7;
  const perRound = options.batchesPerRound ?? 20;
  const threadCounts = variants.map(([key]) => key);
  const rows: TrainVariantsRow<K>[] = [];
  const backends = new Map<K, Simdnet.ReadyBackend>();
  for (const [key, initOptions] of variants) backends.set(key, await lib.init(initOptions));
  try {
    for (const net of NETS) {
      const n = net.batch * perRound;
      const rng = new lib.Rng(11);
      const x = Float32Array.from({ length: n * 784 }, () => rng.next());
      const y = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 10));
      const models = threadCounts.map((t) => {
        const model = lib.mlp({ inputSize: 784, hidden: [...net.hidden], outputs: 10, activation: 'relu', seed: 3, backend: backends.get(t)! });
        model.compile({ loss: 'softmaxCrossEntropy', optimizer: lib.sgd({ lr: 0.1 }) });
        return { t, model };
      });
      const times = new Map<K, number[]>(threadCounts.map((t) => [t, []]));
      const ratios = new Map<K, number[]>(threadCounts.map((t) => [t, []]));
      // Round 0 warms up (tier-up, scratch); it is not counted. Every model trains in every round, in
      // a rotating order, so all see the same batches the same number of times.
      for (let round = 0; round <= rounds; round++) {
        const got = new Map<K, number>();
        for (let i = 0; i < models.length; i++) {
          const { t, model } = models[(i + round) % models.length];
          let start = 0;
          await model.fit(x, y, { epochs: 1, batchSize: net.batch, shuffle: false, callbacks: [{ onEpochBegin: () => { start = performance.now(); } }] });
          got.set(t, performance.now() - start);
        }
        if (round === 0) continue;
        for (const t of threadCounts) {
          times.get(t)!.push(got.get(t)!);
          ratios.get(t)!.push(got.get(threadCounts[0])! / got.get(t)!);
        }
      }
      const first = models[0].model.getFlatWeights();
      const sameWeights = models.every(({ model }) => {
        const w = model.getFlatWeights();
        return w.length === first.length && w.every((v, i) => Object.is(v, first[i]));
      });
      for (const { model } of models) model.dispose();
      const samplesPerSec = {} as Record<K, number>;
      const speedup = {} as Record<K, number>;
      for (const t of threadCounts) {
        samplesPerSec[t] = Math.round(n / (median(times.get(t)!) / 1000));
        speedup[t] = Math.round(median(ratios.get(t)!) * 100) / 100;
      }
      const row = { network: net.name, batch: net.batch, samplesPerSec, speedup, sameWeights };
      rows.push(row);
      options.log?.(options.format ? options.format(row) : `${row.network} ${JSON.stringify(row.samplesPerSec)}`);
    }
  } finally {
    for (const b of backends.values()) b.dispose();
  }
  return rows;
}

export function formatTrainHeader(threadCounts: readonly number[]): string {
  return `${'network'.padEnd(16)}${'batch'.padStart(6)}${threadCounts.map((t) => `${t} thr/s`.padStart(11)).join('')}` +
    `${threadCounts.slice(1).map((t) => `${t}/${threadCounts[0]}`.padStart(8)).join('')}  same weights`;
}

export function formatTrainRow(row: TrainThreadsRow, threadCounts: readonly number[]): string {
  return `${row.network.padEnd(16)}${String(row.batch).padStart(6)}${threadCounts.map((t) => String(row.samplesPerSec[t]).padStart(11)).join('')}` +
    `${threadCounts.slice(1).map((t) => `${row.speedup[t].toFixed(2)}x`.padStart(8)).join('')}  ${row.sameWeights ? 'yes' : 'NO'}`;
}
