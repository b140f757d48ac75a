/**
 * `simdnet train` with CNNs: --layers with convolutions on IDX digits and on CIFAR-10 binary files the
 * test writes (HWC 32×32×3, colour pictures), --augment, --model cnn, the pictures of --plot (the
 * filters of the first convolution among them), and the usage errors that name the bad token or layer.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { parseLayerSpec, tokenName } from '../../src/cli/layer-spec.js';
import { parseAugment } from '../../src/cli/values.js';
import { buildLayers, networkName } from '../../src/cli/build-model.js';
import { runCli } from '../support/cli.js';
import { cifarDir, mnistIdxDir } from '../support/image-files.js';

afterEach(() => vi.restoreAllMocks());

const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').pop()!);

/** The PNG embedded in an SVG (the first data URI). */
function embeddedPng(svg: string): PNG {
  const m = /data:image\/png;base64,([A-Za-z0-9+/=]+)/.exec(svg);
  expect(m, 'an embedded PNG').not.toBeNull();
  return PNG.sync.read(Buffer.from(m![1], 'base64'));
}

describe('--layers grammar', () => {
  it('reads every kind of token and spells each back the same way', () => {
    const spec = 'conv32x5,pool2,conv64x3s2same,avgpool3,bn,gap,dropout0.25,dense128,64,flatten';
    const tokens = parseLayerSpec('--layers', spec);
    expect(tokens).toEqual([
      { kind: 'conv', filters: 32, kernel: 5, stride: 1, padding: 'valid' },
      { kind: 'maxPool', size: 2 },
      { kind: 'conv', filters: 64, kernel: 3, stride: 2, padding: 'same' },
      { kind: 'avgPool', size: 3 },
      { kind: 'bn' }, { kind: 'gap' }, { kind: 'dropout', rate: 0.25 },
      { kind: 'dense', units: 128 }, { kind: 'dense', units: 64 }, { kind: 'flatten' },
    ]);
    expect(tokens.map(tokenName).join(',')).toBe('conv32x5,pool2,conv64x3s2same,avgpool3,bn,gap,dropout0.25,dense128,dense64,flatten');
    expect(parseLayerSpec('--layers', 'none')).toEqual([]);
  });

  it('names the bad token, its place and what a layer looks like', () => {
    expect(() => parseLayerSpec('--layers', 'conv32x5,pool,dense10')).toThrow(/--layers "conv32x5,pool,dense10": token 2 of 3, "pool", is not a layer: expected one of conv<filters>x<k>\[s<stride>\]\[same\], pool<k>, avgpool<k>, gap, bn, dropout<rate>, dense<units>/);
    expect(() => parseLayerSpec('--layers', 'conv0x5')).toThrow(/token 1 of 1, "conv0x5", is not a layer: its filter count must be from 1 to/);
    expect(() => parseLayerSpec('--layers', 'dropout1.5')).toThrow(/"dropout1.5", is not a layer: its rate must be in \[0, 1\)/);
    expect(() => parseLayerSpec('--layers', 'conv8x3,pool0')).toThrow(/token 2 of 2, "pool0", is not a layer: its window must be from 1/);
    expect(parseAugment('--augment', 'shift4,flip')).toEqual({ shift: 4, flip: true });
    expect(parseAugment('--augment', 'none')).toBeNull();
    expect(() => parseAugment('--augment', 'shift')).toThrow(/--augment "shift": expected comma-separated shift<pixels> and flip/);
  });

  it('builds conv → bn → activation, a flatten before the first dense layer on images, and dropout after each hidden dense', () => {
    const layers = buildLayers({ layers: parseLayerSpec('--layers', 'conv8x3,pool2,dense16'), activation: 'relu', dropout: 0.5, regularizer: null, seed: 1 }, [28, 28, 1], 10);
    const configs = layers.map((l) => l.toConfig() as unknown as Record<string, unknown>);
    expect(configs.map((c) => c.type)).toEqual(['conv2d', 'maxPool2d', 'flatten', 'dense', 'dropout', 'dense']);
    expect([configs[0].activation, configs[0].useBias, configs[3].activation, configs[5].activation]).toEqual(['relu', true, 'relu', 'identity']);
    // conv → bn → activation: the conv gives the batch norm its activation and its bias.
    const normed = buildLayers({ layers: parseLayerSpec('--layers', 'conv8x3,bn,pool2,gap'), activation: 'elu', dropout: 0, regularizer: null, seed: 1 }, [9, 9, 3], 4)
      .map((l) => l.toConfig() as unknown as Record<string, unknown>);
    expect(normed.map((c) => c.type)).toEqual(['conv2d', 'batchNormalization', 'activation', 'maxPool2d', 'globalAvgPool2d', 'dense']);
    expect([normed[0].activation, normed[0].useBias, normed[2].activation]).toEqual(['identity', false, 'elu']);
    expect(networkName(parseLayerSpec('--layers', 'conv8x3,pool2,16'), [28, 28, 1], 10)).toBe('28x28x1-conv8x3-pool2-dense16-10');
    // An MLP prints as it always has.
    expect(networkName(parseLayerSpec('--layers', '256,128'), [28, 28, 1], 10)).toBe('784-256-128-10');
  });
});

describe('simdnet train with convolutions', () => {
  it('trains a CNN on IDX digits with shifts and draws the confusion matrix, the misclassified digits and the filters', async () => {
    const dir = await mnistIdxDir(2000, 500);
    const plots = join(dir, 'plots');
    const r = await runCli('train', '--idx', dir, '--layers', 'conv8x5,pool2,dense32', '--augment', 'shift2', '--epochs', '4', '--lr', '0.003', '--val', '0',
      '--plot', plots, '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.network).toBe('28x28x1-conv8x5-pool2-dense32-10');
    expect(r.stderr).toMatch(/augment: shifts up to 2 pixels/);
    // 8·25 + 8 conv weights, 12·12·8·32 + 32 dense, 32·10 + 10 logits.
    expect(result.parameters).toBe(208 + 36896 + 330);
    expect(result.testAccuracy).toBeGreaterThan(0.85);
    expect(readdirSync(plots).sort()).toEqual(['accuracy.svg', 'confusion-matrix.svg', 'filters.svg', 'learning-rate.svg', 'loss.svg', 'misclassified.svg']);
    const filters = readFileSync(join(plots, 'filters.svg'), 'utf8');
    expect(filters).toContain('Filters of conv2d_1 (8 of 5\u00d75\u00d71)');
    const png = embeddedPng(filters);
    // Trained 5×5 filters, each scaled to its own range: every tile spans black to white.
    const greys = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) greys.add(png.data[i]);
    expect(greys.has(0) && greys.has(255) && greys.size > 20).toBe(true);
  });

  it('trains a CNN on CIFAR-10 binary files end to end: HWC colour rows, flips, colour filters', async () => {
    // Class k is a 12×12 square of colour COLOURS[k] somewhere on dark noise: only the colour tells the
    // classes apart, and after global average pooling only a model that reads the three planes as each
    // pixel's R, G, B (HWC rows) still sees it.
    const COLOURS = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [255, 0, 255], [0, 255, 255], [255, 255, 255], [255, 128, 0], [128, 0, 255], [0, 128, 128]];
    let seed = 7;
    const noise = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) % 50;
    const inSquare = (record: number, i: number): boolean => {
      const [row, col, top, left] = [Math.floor(i / 32), i % 32, (record * 7) % 20, (record * 13) % 20];
      return row >= top && row < top + 12 && col >= left && col < left + 12;
    };
    const dir = cifarDir(60, 100, (record, label, plane, i) => (inSquare(record, i) ? COLOURS[label][plane] : noise()));
    const plots = join(dir, 'plots');
    const r = await runCli('train', '--cifar', dir, '--layers', 'conv8x3same,pool2,conv8x3,gap', '--augment', 'shift1,flip', '--epochs', '20',
      '--batch', '16', '--lr', '0.01', '--val', '0', '--plot', plots, '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.data).toMatch(/CIFAR-10/);
    expect(result.network).toBe('32x32x3-conv8x3same-pool2-conv8x3-gap-10');
    expect(r.stderr).toMatch(/augment: shifts up to 1 pixels, mirror images/);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    const filters = readFileSync(join(plots, 'filters.svg'), 'utf8');
    expect(filters).toContain('Filters of conv2d_1 (8 of 3\u00d73\u00d73)');
    // The first layer reads 3 channels: its filters are drawn in colour, and trained on colours they are not grey.
    const tiles = embeddedPng(filters);
    let coloured = 0;
    for (let i = 0; i < tiles.data.length; i += 4) if (Math.max(tiles.data[i], tiles.data[i + 1], tiles.data[i + 2]) - Math.min(tiles.data[i], tiles.data[i + 1], tiles.data[i + 2]) > 100) coloured++;
    expect(coloured).toBeGreaterThan(20);
    expect(readdirSync(plots)).toContain('misclassified.svg');
    // The CIFAR recipe of --model cnn (batch norm after each convolution) builds and trains on the same files.
    const recipe = await runCli('train', '--cifar', dir, '--model', 'cnn', '--epochs', '1', '--limit', '64', '--json');
    expect(recipe.code, recipe.stderr).toBe(0);
    expect(lastJson(recipe.stdout).network).toBe('32x32x3-conv32x3same-bn-conv32x3same-bn-pool2-conv64x3same-bn-conv64x3same-bn-pool2-conv128x3same-bn-pool2-dense128-10');
    expect(recipe.stderr).toMatch(/augment: shifts up to 4 pixels, mirror images/);
  });

  it('refuses what cannot work before training, naming the token or the layer', async () => {
    const dir = await mnistIdxDir(100, 50);
    const cases: [string[], RegExp][] = [
      [['--idx', dir, '--layers', 'conv8x5,pool2,conv8x13'], /--layers conv8x5,pool2,conv8x13 on 28x28x1 images: layer 'conv2d_2' \(conv2d\) cannot take input shape \[12, 12, 8\]/],
      [['--toy', 'xor', '--layers', 'conv8x3,dense4'], /--layers conv8x3,dense4: convolution and pooling layers need image data/],
      [['--toy', 'xor', '--model', 'cnn'], /--model cnn trains on images/],
      [['--idx', dir, '--model', 'resnet'], /--model "resnet": expected one of mlp, cnn/],
      [['--idx', dir, '--layers', 'conv8x5,pool2x2'], /token 2 of 2, "pool2x2", is not a layer/],
      [['--idx', dir, '--augment', 'rotate10'], /--augment "rotate10": expected comma-separated shift<pixels> and flip/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli('train', '--epochs', '1', ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr, flags.join(' ')).toMatch(message);
    }
  });

  it('--model cnn trains the digit recipe (here on 640 digits for one epoch), a flag given still wins', async () => {
    const dir = await mnistIdxDir(640, 200);
    const r = await runCli('train', '--idx', dir, '--model', 'cnn', '--epochs', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.network).toBe('28x28x1-conv32x5-pool2-conv64x5-pool2-dense128-10');
    expect(r.stderr).toMatch(/augment: shifts up to 2 pixels/);
    expect(result.testAccuracy).toBeGreaterThan(0.5);
  });
});
