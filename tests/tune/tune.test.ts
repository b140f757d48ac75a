/**
 * tune(): grid and random search on toy data (blobs, a few hundred points, one or two epochs per
 * trial): the grid is exactly the product, random search is reproducible per seed and stays in its
 * bounds, the ranking follows the metric, a hopeless learning rate ranks below a good one, retrain()
 * does as well as the best trial, nothing leaks, and every bad option is a clear error.
 */
import { describe, expect, test } from 'vitest';
import {
  blobs, choice, dense, formatTrials, intRange, logUniform, sequential, trainValTestSplit, tune, uniform,
  type Trial, type TuneOptions, type TuneResult,
} from '../../src/index.js';
import { backends } from '../support/helpers.js';

const { wasm, js } = await backends();

// Five blobs: a random model is near chance (0.2), a trained one near 1.
const data = blobs({ n: 300, classes: 5, spread: 0.6, seed: 3 });
const { train, val } = trainValTestSplit(data, { val: 0.25, test: 0, seed: 1 });
const base = { train, validation: val, backend: wasm, epochs: 2 } satisfies Partial<TuneOptions>;

/** A trial's identity for comparing two runs. */
const summary = (t: Trial) => ({ index: t.index, params: t.params, valLoss: t.valLoss, valAccuracy: t.valAccuracy, epochs: t.epochs });

function expectRanked(result: TuneResult): void {
  const ts = result.trials;
  for (let i = 1; i < ts.length; i++) {
    const [a, b] = [ts[i - 1], ts[i]];
    if (result.metric === 'valAccuracy') {
      expect(a.valAccuracy, `rank ${i} vs ${i + 1}`).toBeGreaterThanOrEqual(b.valAccuracy);
      if (a.valAccuracy === b.valAccuracy) expect(a.valLoss).toBeLessThanOrEqual(b.valLoss);
    } else {
      expect(a.valLoss, `rank ${i} vs ${i + 1}`).toBeLessThanOrEqual(b.valLoss);
    }
  }
  expect(result.best).toBe(ts[0]);
}

describe('grid search', () => {
  test('runs exactly the Cartesian product, last dimension fastest, ranked by valAccuracy', async () => {
    const space = { lr: [0.01, 0.05], hidden: [[8], [16, 8]], dropout: choice([0, 0.1]) };
    const seen: number[] = [];
    const result = await tune({ ...base, epochs: 1, space, onTrial: (t, p) => void seen.push(t.index, p.done, p.total) });
    expect(result.search).toBe('grid');
    expect(result.trials).toHaveLength(8);
    const byIndex = [...result.trials].sort((a, b) => a.index - b.index).map((t) => t.params);
    const expected = [];
    for (const lr of space.lr) for (const hidden of space.hidden) for (const dropout of [0, 0.1]) expected.push({ lr, hidden, dropout });
    expect(byIndex).toEqual(expected);
    expect(seen).toEqual([0, 1, 8, 1, 2, 8, 2, 3, 8, 3, 4, 8, 4, 5, 8, 5, 6, 8, 6, 7, 8, 7, 8, 8]);
    expectRanked(result);
    for (const t of result.trials) {
      expect(t.error).toBeNull();
      expect(t.epochsRun).toBe(1);
      expect(t.history.valAccuracy).toHaveLength(1);
      expect(t.seconds).toBeGreaterThan(0);
    }
    // Each trial has its own seed.
    expect(new Set(result.trials.map((t) => t.seed)).size).toBe(8);
  });

  test('a hopeless learning rate (1e-6 for 2 epochs) ranks below a good one, under either metric', async () => {
    for (const metric of ['valAccuracy', 'valLoss'] as const) {
      const result = await tune({ ...base, metric, space: { lr: [1e-6, 0.05], hidden: [[16]] } });
      expect(result.best.params.lr).toBe(0.05);
      const [good, bad] = result.trials;
      expect(bad.params.lr).toBe(1e-6);
      expect(good.valAccuracy).toBeGreaterThan(0.9);
      expect(good.valAccuracy - bad.valAccuracy).toBeGreaterThan(0.3);
      expect(good.valLoss).toBeLessThan(bad.valLoss);
      expectRanked(result);
    }
  });

  test('grid is the default without trials; a rerun gives the same trials and ranking', async () => {
    const options = { ...base, epochs: 1, seed: 5, space: { lr: [0.003, 0.03], batchSize: [16, 'full' as const] } };
    const a = await tune(options);
    const b = await tune({ ...options, grid: true });
    expect(b.trials.map(summary)).toEqual(a.trials.map(summary));
  });
});

describe('random search', () => {
  const space = { lr: logUniform(1e-3, 1e-1), hidden: intRange(4, 12), dropout: uniform(0, 0.3), activation: ['relu', 'tanh'] };

  test('is reproducible per seed, draws within the bounds, and a new seed draws new points', async () => {
    const a = await tune({ ...base, epochs: 1, space, trials: 4, seed: 7, metric: 'valLoss' });
    const b = await tune({ ...base, epochs: 1, space, trials: 4, seed: 7, metric: 'valLoss' });
    const c = await tune({ ...base, epochs: 1, space, trials: 4, seed: 8, metric: 'valLoss' });
    expect(a.search).toBe('random');
    expect(b.trials.map(summary)).toEqual(a.trials.map(summary));
    expect(c.trials.map((t) => t.params.lr)).not.toEqual(a.trials.map((t) => t.params.lr));
    expectRanked(a);
    for (const { params: p } of [...a.trials, ...c.trials]) {
      expect(p.lr).toBeGreaterThanOrEqual(1e-3);
      expect(p.lr).toBeLessThan(1e-1);
      expect(p.hidden).toHaveLength(1); // intRange draws one width, meaning one hidden layer
      expect(Number.isInteger(p.hidden![0]) && p.hidden![0] >= 4 && p.hidden![0] <= 12).toBe(true);
      expect(p.dropout).toBeGreaterThanOrEqual(0);
      expect(p.dropout).toBeLessThan(0.3);
      expect(['relu', 'tanh']).toContain(p.activation);
      expect(Object.keys(p)).toEqual(['lr', 'hidden', 'dropout', 'activation']);
    }
  });

  test('over lists only, draws distinct points, and more trials extend the same sequence', async () => {
    const lists = { lr: [0.01, 0.02, 0.03], batchSize: [16, 32] };
    const six = await tune({ ...base, epochs: 1, space: lists, trials: 6, seed: 2 });
    const two = await tune({ ...base, epochs: 1, space: lists, trials: 2, seed: 2 });
    const keys = six.trials.map((t) => JSON.stringify(t.params));
    expect(new Set(keys).size).toBe(6);
    const inOrder = (r: TuneResult) => [...r.trials].sort((a, b) => a.index - b.index).map((t) => t.params);
    expect(inOrder(two)).toEqual(inOrder(six).slice(0, 2));
  });
});

describe('training settings', () => {
  test('schedule and optimizer dimensions reach the optimizer (lr per epoch in the history)', async () => {
    const result = await tune({
      ...base, epochs: 3,
      space: { optimizer: ['sgd'], lr: [0.1], schedule: [null, { name: 'exponentialDecay', rate: 0.5 }, { name: 'cosineDecay' }] },
    });
    const lrOf = (name: string | null) => result.trials.find((t) => (t.params.schedule?.name ?? null) === name)!.history.lr;
    expect(lrOf(null)).toEqual([0.1, 0.1, 0.1]);
    expect(lrOf('exponentialDecay')).toEqual([0.1, 0.05, 0.025].map((v) => expect.closeTo(v, 7)));
    // cosineDecay's steps default to the trial's epochs: 0.1·½(1 + cos(π·e/3)).
    expect(lrOf('cosineDecay')).toEqual([0, 1, 2].map((e) => expect.closeTo(0.05 * (1 + Math.cos((Math.PI * e) / 3)), 7)));
  });

  test('patience stops a trial early and keeps its best epoch; retrain trains that many epochs', async () => {
    const result = await tune({ ...base, epochs: 30, patience: 2, metric: 'valLoss', space: { lr: [0.3], optimizer: ['sgd'], hidden: [[16]] } });
    const t = result.best;
    expect(t.stopReason).toBe('earlyStopping');
    expect(t.epochsRun).toBeLessThan(30);
    expect(t.history.valDataLoss).toHaveLength(t.epochsRun);
    // The kept epoch is the one with the least validation data loss, and the trial reports its value.
    const losses = t.history.valDataLoss;
    expect(t.epochs).toBe(losses.indexOf(Math.min(...losses)) + 1);
    expect(t.valLoss).toBeCloseTo(Math.min(...losses), 5);
    const model = await result.retrain();
    expect(model.epochsTrained).toBe(t.epochs);
    model.dispose();
  });

  test('a diverging trial is kept as failed and ranked last; the others still run', async () => {
    const result = await tune({ ...base, epochs: 2, space: { optimizer: ['sgd'], lr: [1e6, 0.05], hidden: [[32, 32]] } });
    const last = result.trials[result.trials.length - 1];
    expect(last.params.lr).toBe(1e6);
    expect(last.stopReason).toBe('failed');
    expect(last.error).toMatch(/diverged/);
    expect(last.valAccuracy).toBeNaN();
    expect(result.best.params.lr).toBe(0.05);
    expect(formatTrials(result)).toMatch(/rank 2 \(trial 0\) failed: .*diverged/);
  });
});

describe('retrain', () => {
  test('builds the best trial afresh, trains it on train + validation, and does at least as well', async () => {
    const result = await tune({ ...base, epochs: 3, space: { lr: [1e-4, 0.03], hidden: [[16]] } });
    const before = wasm.liveBuffers;
    const model = await result.retrain();
    try {
      expect(model.epochsTrained).toBe(result.best.epochs);
      // Same architecture as the best trial's, and it saw the validation rows too (one epoch = more steps).
      expect(model.parameterCount).toBe(2 * 16 + 16 + 16 * 5 + 5);
      expect(model.batchesTrained).toBe(3 * Math.ceil((train.n + val.n) / 32));
      const acc = model.evaluate(val.x, val.y).accuracy;
      expect(acc).toBeGreaterThanOrEqual(result.best.valAccuracy - 0.03);
    } finally {
      model.dispose();
    }
    expect(wasm.liveBuffers).toBe(before);
    const longer = await result.retrain({ epochs: 1 });
    expect(longer.epochsTrained).toBe(1);
    longer.dispose();
  });

  test('with validation: { split }, holds out that share of the rows (seeded) and retrains on all of them', async () => {
    const options = { train: data, validation: { split: 0.2 }, backend: js, epochs: 1, space: { lr: [0.05] } };
    const a = await tune(options);
    const b = await tune(options);
    expect(a.best.valLoss).toBe(b.best.valLoss);
    const c = await tune({ ...options, seed: 1 });
    expect(c.best.valLoss).not.toBe(a.best.valLoss); // another held-out set
    const model = await a.retrain();
    expect(model.batchesTrained).toBe(Math.ceil(300 / 32));
    model.dispose();
  });
});

describe('custom build and plain { x, y } data', () => {
  test('build() gets the params (unknown names included) and ctx; the data may be rows with explicit sizes', async () => {
    const calls: unknown[] = [];
    const rows = Array.from({ length: train.n }, (_, i) => [train.x[2 * i], train.x[2 * i + 1]]);
    const result = await tune({
      train: { x: rows, y: Array.from(train.y) }, validation: { x: val.x, y: val.y }, inputSize: 2, outputs: 5, backend: js, epochs: 1,
      space: { width: [4, 8], lr: [0.05] },
      build: (params, ctx) => {
        calls.push({ width: params.width, inputSize: ctx.inputSize, outputs: ctx.outputs, seedIsInt: Number.isInteger(ctx.seed) });
        return sequential([dense({ units: params.width as number, activation: 'tanh' }), dense({ units: ctx.outputs })], { inputSize: ctx.inputSize, backend: ctx.backend, seed: ctx.seed });
      },
    });
    expect(calls).toEqual([4, 8].map((width) => ({ width, inputSize: 2, outputs: 5, seedIsInt: true })));
    expect(result.trials).toHaveLength(2);
    const model = await result.retrain();
    expect(model.parameterCount).toBe(result.best.params.width === 4 ? 2 * 4 + 4 + 4 * 5 + 5 : 2 * 8 + 8 + 8 * 5 + 5);
    model.dispose();
  });

  test('a build() that makes the wrong shape is an error naming the trial', async () => {
    await expect(tune({
      ...base, space: { lr: [0.01] },
      build: (_p, ctx) => sequential([dense({ units: 3 })], { inputSize: ctx.inputSize, backend: ctx.backend }),
    })).rejects.toThrow(/trial 0 \(lr 0\.01\): build made a model of 2 inputs and 3 outputs; the data needs 2 and 5/);
  });
});

describe('memory, abort and the table', () => {
  test('every trial model is disposed: no buffer is left on either backend', async () => {
    for (const backend of [wasm, js]) {
      const before = backend.liveBuffers;
      const r = await tune({ ...base, backend, epochs: 2, patience: 1, space: { lr: [0.01, 1e6], optimizer: ['sgd'], hidden: [[8]], dropout: [0.2] } });
      expect(r.trials.map((t) => t.stopReason)).toContain('failed'); // a failed trial frees its model too
      await tune({ ...base, backend, epochs: 1, space: { hidden: [[4]] }, validation: { split: 0.3 } });
      expect(backend.liveBuffers, backend.name).toBe(before);
    }
  });

  test('an abort keeps the finished trials; aborted before any, tune() rejects', async () => {
    const controller = new AbortController();
    const result = await tune({
      ...base, epochs: 1, space: { lr: [0.01, 0.02, 0.03, 0.04] }, signal: controller.signal,
      onTrial: (_t, p) => {
        if (p.done === 2) controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.trials.map((t) => t.index).sort()).toEqual([0, 1]);
    await expect(tune({ ...base, space: { lr: [0.01] }, signal: controller.signal })).rejects.toThrow(/aborted before the first trial/);
  });

  test('formatTrials prints one row per trial, best first, with a column per dimension', async () => {
    const result = await tune({ ...base, epochs: 1, space: { lr: [1e-6, 0.05], hidden: [[16, 8]], schedule: [{ name: 'exponentialDecay', rate: 0.9 }] } });
    const lines = formatTrials(result).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0].split(/\s+/)).toEqual(['rank', 'lr', 'hidden', 'schedule', 'valAccuracy', 'valLoss', 'epochs', 'seconds']);
    expect(lines[1]).toMatch(new RegExp(`^1 +0\\.05 +\\[16, 8\\] +exponentialDecay\\(rate=0\\.9\\) +${result.best.valAccuracy.toFixed(4)} `));
    expect(lines[2]).toMatch(/^2 +1e-6 +/);
    expect(lines[1]).toMatch(/ \d+\.\d\d$/); // seconds
    const byLoss = formatTrials({ ...result, metric: 'valLoss' }).split('\n')[0];
    expect(byLoss.indexOf('valLoss')).toBeLessThan(byLoss.indexOf('valAccuracy'));
  });
});

describe('bad options', () => {
  const space = { lr: [0.01] };
  test.each([
    ['an empty space', { space: {} }, /space is empty/],
    ['an unknown dimension', { space: { learningRate: [0.1] } }, /space\.learningRate is not a known dimension; known: lr, hidden, activation, dropout, l2, optimizer, schedule, batchSize, epochs/],
    ['an empty list', { space: { lr: [] } }, /space\.lr must be a non-empty list of choices or a distribution/],
    ['a bad value', { space: { dropout: [0, 1.5] } }, /space\.dropout\[1\] must be a rate in \[0, 1\), got 1\.5/],
    ['a bad distribution bound', { space: { lr: uniform(0, 0.1) }, trials: 2 }, /space\.lr uniform lo must be a number > 0, got 0/],
    ['a bad schedule option', { space: { schedule: [{ name: 'exponentialDecay', rat: 0.9 }] } }, /space\.schedule\[0\]: simdnet exponentialDecay: unknown option 'rat'/],
    ['an unknown schedule', { space: { schedule: [{ name: 'linear' }] } }, /space\.schedule\[0\]: simdnet: unknown schedule 'linear'; known schedules: constant, /],
    ['a distribution in a grid', { space: { lr: logUniform(1e-3, 1e-1) } }, /grid search needs a list of values for every dimension, but space\.lr is logUniform\(0\.001, 0\.1\)/],
    ['trials < 1', { space, trials: 0 }, /tune: trials must be a finite integer ≥ 1, got 0/],
    ['both grid and trials', { space, grid: true, trials: 3 }, /tune: grid must be left out when trials is given/],
    ['more trials than points', { space: { lr: [0.1, 0.2] }, trials: 3 }, /trials 3 exceeds the 2 distinct points of the space/],
    ['a split of 0', { space, validation: { split: 0 } }, /tune validation: split must be a finite number > 0 and < 1, got 0/],
    ['a split of 1', { space, validation: { split: 1 } }, /tune validation: split must be a finite number > 0 and < 1, got 1/],
    ['an unknown metric', { space, metric: 'accuracy' }, /tune: metric must be one of 'valAccuracy', 'valLoss', got 'accuracy'/],
    ['an unknown option', { space, epoch: 3 }, /tune: unknown option 'epoch'/],
    ['no backend', { space, backend: undefined }, /tune: backend must be the ReadyBackend/],
    ['patience 0', { space, patience: 0 }, /tune: patience must be a finite integer ≥ 1, got 0/],
    ['a bad validation set', { space, validation: { x: val.x, y: new Int32Array(3) } }, /tune validation: y has 3 values but x has 75 rows/],
    ['no inputSize for plain data', { space, train: { x: train.x, y: train.y } }, /tune: inputSize must be given/],
  ] as [string, Record<string, unknown>, RegExp][])('%s', async (_what, bad, message) => {
    const before = wasm.liveBuffers;
    await expect(tune({ ...base, ...bad } as unknown as TuneOptions)).rejects.toThrow(message);
    expect(wasm.liveBuffers).toBe(before);
  });
});
