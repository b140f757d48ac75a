import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBatch, parseSchedule, parseNumber, parseInteger } from '../../src/cli/values.js';
import { parseLayers } from '../../src/cli/layer-spec.js';
import { runCli } from '../support/cli.js';
import { cifarDir, mnistIdxDir } from '../support/image-files.js';

const run = runCli;

afterEach(() => vi.restoreAllMocks());

describe('CLI option values', () => {
  it('parses layers, batch and schedules', () => {
    expect(parseLayers('--layers', '128,64')).toEqual([128, 64]);
    expect(parseLayers('--layers', 'none')).toEqual([]);
    expect(parseBatch('--batch', 'full')).toBe('full');
    expect(parseBatch('--batch', '64')).toBe(64);
    expect(parseSchedule('--schedule', 'exp:0.95')).toEqual({ kind: 'exponential', rate: 0.95 });
    expect(parseSchedule('--schedule', 'inv:0.01')).toEqual({ kind: 'inverseTime', rate: 0.01 });
    expect(parseSchedule('--schedule', 'step:0.5/5')).toEqual({ kind: 'step', factor: 0.5, every: 5 });
    expect(parseSchedule('--schedule', 'cosine')).toEqual({ kind: 'cosine' });
  });

  it('names the flag and what was expected', () => {
    expect(() => parseLayers('--layers', '128,x')).toThrow(/--layers "128,x": token 2 of 2, "x", is not a layer: expected one of conv<filters>x<k>/);
    expect(() => parseLayers('--layers', '128,conv8x3')).toThrow(/--layers "128,conv8x3": token 2, conv8x3, is not a dense width: this command searches MLPs/);
    expect(() => parseBatch('--batch', '0')).toThrow(/--batch "0": expected an integer ≥ 1/);
    expect(() => parseSchedule('--schedule', 'exp:2')).toThrow(/--schedule "exp:2": expected exp:RATE with RATE in \(0, 1\]/);
    expect(() => parseSchedule('--schedule', 'step:0.5/x')).toThrow(/--schedule "step:0.5\/x": expected step:FACTOR\/EVERY/);
    expect(() => parseSchedule('--schedule', 'linear')).toThrow(/expected none, exp:RATE/);
    expect(() => parseNumber('--lr', 'abc', 0)).toThrow(/--lr "abc"/);
    expect(() => parseInteger('--epochs', '2.5', 1)).toThrow(/--epochs "2.5": expected an integer/);
  });
});

describe('simdnet train', () => {
  it('trains a toy set and prints one JSON object on the last line with --json', async () => {
    const r = await run('train', '--toy', 'blobs', '--samples', '300', '--layers', '8', '--epochs', '5', '--lr', '0.05',
      '--schedule', 'none', '--batch', '16', '--json', '--backend', 'js');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    expect(result.testF1).toBeGreaterThan(0.9);
    expect(result.testF1).toBeLessThanOrEqual(1);
    expect(result.epochs).toBe(5);
    expect(result.history.loss).toHaveLength(5);
    expect(result.seconds).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/epoch 5\/5/);
  });

  it('saves a model that evaluate and predict read back, and writes plots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
    const model = join(dir, 'm.simdnet');
    const r = await run('train', '--toy', 'circles', '--samples', '400', '--layers', '16,16', '--epochs', '30', '--lr', '0.02',
      '--batch', '32', '--save', model, '--plot', join(dir, 'plots'), '--backend', 'wasm');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test accuracy \d+\.\d+% {2}macro F1 [01]\.\d{4} {2}test loss /);
    expect(readdirSync(join(dir, 'plots')).sort()).toEqual(['accuracy.svg', 'decision-boundary.svg', 'learning-rate.svg', 'loss.svg']);
    expect(readFileSync(join(dir, 'plots', 'decision-boundary.svg'), 'utf8')).toMatch(/^<svg|<\?xml/);

    const e = await run('evaluate', model, '--toy', 'circles', '--samples', '400', '--json');
    expect(e.code, e.stderr).toBe(0);
    const ev = JSON.parse(e.stdout.trim());
    expect(ev.accuracy).toBeGreaterThan(0.8);

    const csv = join(dir, 'points.csv');
    writeFileSync(csv, 'x1,x2,label\n0,0,0\n3,3,1\n');
    const p = await run('predict', model, '--csv', csv);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('exits 2 with the usage hint on unknown flags and bad values', async () => {
    const unknown = await run('train', '--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--bogus'/);
    const bad = await run('train', '--toy', 'xor', '--batch', 'zero');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--batch "zero": expected an integer/);
    const toy = await run('train', '--toy', 'squares');
    expect(toy.code).toBe(2);
    expect(toy.stderr).toMatch(/--toy "squares": expected one of xor, blobs, circles, spirals, moons/);
    const two = await run('train', '--toy', 'xor', '--csv', 'a.csv');
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/give one data source/);
  });

  it('exits 1 with a clear message on a missing file', async () => {
    const r = await run('evaluate', '/nonexistent/model.simdnet', '--toy', 'xor');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/simdnet: .*\/nonexistent\/model\.simdnet/);
    const d = await run('train', '--idx', '/nonexistent/dir', '--epochs', '1');
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/\/nonexistent\/dir/);
  });
});

describe('simdnet guides', () => {
  it('prints its version, and help with examples and every default', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const version = await run('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}simdnet train /);
    const train = await run('train', '--help');
    expect(train.code).toBe(0);
    const flat = train.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain('(default: 256,128 for images, 64,64 for toy sets, 64 for CSV)');
    expect(flat).toContain('(default: 0.05 for images, 0 for toy sets, 0.1 for CSV)');
    // Every train flag that takes a value says its default (or that it has none, like a file to save to).
    const flags = [...train.stdout.matchAll(/^ {2}(--[a-z0-9-]+) <[^>]+>(.*(?:\n {6,}.*)*)/gm)];
    expect(flags.length).toBeGreaterThan(20);
    const noDefault = ['--data', '--idx', '--cifar', '--csv', '--toy', '--classes', '--slope', '--save', '--plot'];
    for (const [, flag, text] of flags) {
      if (!noDefault.includes(flag)) expect(text.replace(/\s+/g, ' '), flag).toMatch(/default/);
    }
  });

  it('uses defaults for the kind of data: a toy set gets a 2-64-64-k net, 300 epochs and no validation split', async () => {
    const r = await run('train', '--toy', 'moons', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(result.network).toBe('2-64-64-2');
    expect(result.epochs).toBe(300);
    expect(result.history.valLoss).toBeUndefined();
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.95);
    // Flags still win over the defaults.
    const flagged = await run('train', '--toy', 'moons', '--layers', '8', '--epochs', '2', '--json');
    expect(JSON.parse(flagged.stdout.trim().split('\n').pop()!)).toMatchObject({ network: '2-8-2', epochs: 2 });
  });

  it('warns when the validation split is too small to measure anything', async () => {
    const small = await run('train', '--toy', 'xor', '--val', '0.05', '--epochs', '1', '--json');
    expect(small.code).toBe(0);
    expect(small.stderr).toMatch(/warning: --val 0\.05 holds out 7 of 140 training rows for validation, fewer than 50/);
    const enough = await run('train', '--toy', 'xor', '--samples', '2000', '--val', '0.05', '--epochs', '1', '--json');
    expect(enough.code).toBe(0);
    expect(enough.stderr).not.toMatch(/warning/);
  });
});

describe('simdnet tune', () => {
  it('runs a grid search, ranks the trials and retrains the best', async () => {
    const r = await run('tune', '--toy', 'circles', '--samples', '300', '--lr', '0.05,0.0001', '--layers', '8;16', '--epochs', '5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(result.trials).toHaveLength(4);
    const acc = result.trials.map((t: { valAccuracy: number }) => t.valAccuracy);
    expect([...acc].sort((a, b) => b - a)).toEqual(acc);
    expect(result.best.lr).toBe(0.05);
    expect(r.stderr).toMatch(/rank\s+lr\s+hidden/);
  });

  it('rejects a bad list value naming the flag', async () => {
    const r = await run('tune', '--toy', 'xor', '--lr', '0.1,abc');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lr "abc"/);
  });
});

describe('simdnet train on image files', () => {
  it('reads an MNIST-format IDX directory (gzipped) and draws the confusion matrix and misclassified digits', async () => {
    // The first 3000 training and 500 test digits, back to bytes, as a user's own gzipped IDX files.
    const dir = await mnistIdxDir(3000, 500);
    const plots = join(dir, 'plots');
    const r = await run('train', '--idx', dir, '--layers', '64', '--epochs', '3', '--val', '0', '--plot', plots, '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(result.testAccuracy).toBeGreaterThan(0.8);
    expect(readdirSync(plots).sort()).toEqual(['accuracy.svg', 'confusion-matrix.svg', 'learning-rate.svg', 'loss.svg', 'misclassified.svg']);
    const grid = readFileSync(join(plots, 'misclassified.svg'), 'utf8');
    expect(grid).toMatch(/data:image\/png;base64,/);
    // The title counts the errors over the whole test split, from the reported accuracy.
    const errors = Math.round((1 - result.testAccuracy) * 500);
    expect(grid).toContain(`Misclassified (true \u2192 predicted): first ${Math.min(50, errors)} of ${errors} errors in 500 images`);
  });

  it('reads a CIFAR-10 binary directory', async () => {
    // A learnable stand-in in the real record format: noise everywhere, and class k's images bright in
    // the k-th tenth of the bytes.
    let seed = 1;
    const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) % 9;
    const dir = cifarDir(40, 50, (_r, label, plane, i) => (Math.floor((plane * 1024 + i) / 308) === label ? 200 : 0) + noise());
    const r = await run('train', '--cifar', dir, '--layers', '16', '--epochs', '30', '--lr', '0.01', '--val', '0', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(result.data).toMatch(/CIFAR-10/);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
  });
});

describe('simdnet refuses bad input before it costs a run', () => {
  it('exits 2 on numeric flags out of range: seed past uint32, patience without a validation split, absurd sizes', async () => {
    const cases: [string[], RegExp][] = [
      [['--seed', '5000000000'], /--seed "5000000000": expected an integer from 0 to 4294967295/],
      [['--patience', '2', '--val', '0'], /--patience 2 needs a validation split to watch: give --val > 0/],
      [['--samples', '1000000000000'], /--samples "1000000000000": expected an integer from 4 to/],
      [['--layers', '99999999999'], /--layers "99999999999": token 1 of 1, "99999999999", is not a layer: its width must be from 1 to 1048576/],
      [['--classes', '1'], /--classes "1": expected an integer from 2 to/],
      [['--noise', '1e300'], /--noise "1e300": expected a number in \[0, 1000\]/],
    ];
    for (const [flags, message] of cases) {
      const r = await run('train', '--toy', 'xor', '--epochs', '1', '--backend', 'js', ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('takes --classes for a CSV whose integer labels go past the default limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
    const csv = join(dir, 'wide.csv');
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 === 0 ? 0 : 1200}`);
    writeFileSync(csv, rows.join('\n') + '\n');
    const refused = await run('train', '--csv', csv, '--epochs', '1', '--layers', 'none', '--val', '0', '--backend', 'js');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/wide\.csv: line 2, column 3: label 1200 is not below 1000/);
    const ok = await run('train', '--csv', csv, '--classes', '1201', '--epochs', '1', '--layers', 'none', '--val', '0', '--backend', 'js', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split('\n').pop()!).network).toBe('2-1201');
  });

  it('predict and evaluate exit 2 when the data is not as wide as the model input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
    const model = join(dir, 'four.simdnet');
    const csv4 = join(dir, 'four.csv');
    writeFileSync(csv4, Array.from({ length: 30 }, (_, i) => `${i % 3},${i % 5},${i % 7},${i % 2},${i % 2}`).join('\n') + '\n');
    const t = await run('train', '--csv', csv4, '--epochs', '1', '--layers', '4', '--val', '0', '--save', model, '--backend', 'js');
    expect(t.code, t.stderr).toBe(0);
    const csv2 = join(dir, 'two.csv');
    writeFileSync(csv2, '0,1,0\n1,0,1\n');
    // predict ignores labels: a label past the CSV default limit does not matter there.
    const csv4big = join(dir, 'four-big-labels.csv');
    writeFileSync(csv4big, '1,2,3,4,5000\n');
    const ok = await run('predict', model, '--csv', csv4big, '--backend', 'js');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^\d+$/);
    const p = await run('predict', model, '--csv', csv2, '--backend', 'js');
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/four\.simdnet takes 4 features per row, but .*two\.csv has 2/);
    expect(p.stdout).toBe('');
    const e = await run('evaluate', model, '--csv', csv2, '--backend', 'js');
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/four\.simdnet takes 4 features per row, but CSV .*two\.csv has 2/);
  });
});
