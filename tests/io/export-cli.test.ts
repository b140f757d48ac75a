/**
 * `simdnet export`: each format written from a saved model, read back by its consumer (ONNX Runtime,
 * importSafetensors, Python's parser), and the usage errors.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { adam, dense, importSafetensors, sequential } from '../../src/index.js';
import { backends, expectClose, expectSameBits, randomArray } from '../support/helpers.js';
import { runCli } from '../support/cli.js';

ort.env.wasm.numThreads = 1;
const { wasm } = await backends();
const work = mkdtempSync(join(tmpdir(), 'simdnet-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const build = () => sequential([dense({ units: 6, activation: 'elu', activationAlpha: 0.5 }), dense({ units: 3 })], { inputSize: 4, backend: wasm, seed: 2 });
const model = build();
model.compile({ loss: 'softmaxCrossEntropy', optimizer: adam() });
// The same seed, not compiled: the same weights, and predict() gives the logits.
const logitsModel = build();
const saved = join(work, 'model.simdnet');
await model.save(saved);
afterAll(() => {
  model.dispose();
  logitsModel.dispose();
});

const run = runCli;

describe('simdnet export', () => {
  const x = randomArray(100 * 4, 3, 2);

  it('--format onnx: the probabilities by default, the logits with --outputs logits', async () => {
    for (const [outputs, expected] of [[[], model.predict(x)], [['--outputs', 'logits'], logitsModel.predict(x)]] as const) {
      const out = join(work, `model${outputs.length}.onnx`);
      const r = await run('export', saved, '--format', 'onnx', '--out', out, ...outputs);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`wrote ${out}`);
      const session = await ort.InferenceSession.create(readFileSync(out));
      const y = (await session.run({ input: new ort.Tensor('float32', x, [100, 4]) })).output.data as Float32Array;
      await session.release();
      expectClose(y, expected, 1e-5, 0, `onnx ${outputs.join(' ') || 'default'}`);
    }
    // Nothing but the file itself is left in the directory (the write is atomic: no temp file).
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--format safetensors and --format pytorch', async () => {
    const weights = join(work, 'model.safetensors');
    expect((await run('export', saved, '--format', 'safetensors', '--out', weights)).code).toBe(0);
    const again = importSafetensors(readFileSync(weights), { backend: wasm });
    try {
      expectSameBits(again.getFlatWeights(), model.getFlatWeights(), 'the exported weights');
    } finally {
      again.dispose();
    }
    const source = join(work, 'model.py');
    expect((await run('export', saved, '--format', 'pytorch', '--out', source)).code).toBe(0);
    const parsed = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', source], { encoding: 'utf8' });
    expect(parsed.status, parsed.stderr).toBe(0);
    expect(readFileSync(source, 'utf8')).toContain('nn.ELU(alpha=0.5)');
  });

  it('--format tfjs writes model.json and weights.bin; a layer tfjs cannot load is refused by name', async () => {
    const relu = sequential([dense({ units: 6, activation: 'relu' }), dense({ units: 3 })], { inputSize: 4, backend: wasm, seed: 2 });
    const reluFile = join(work, 'relu.simdnet');
    await relu.save(reluFile);
    relu.dispose();
    const dir = join(work, 'tfjs');
    const r = await run('export', reluFile, '--format', 'tfjs', '--out', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const refused = await run('export', saved, '--format', 'tfjs', '--out', join(work, 'tfjs-elu'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/activation 'elu' cannot be exported: TensorFlow.js supports ELU only with α = 1/);
    expect(existsSync(join(work, 'tfjs-elu', 'model.json'))).toBe(false);
  });

  it('usage errors and a bad model file', async () => {
    const missing = await run('export', saved, '--out', join(work, 'x.onnx'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--format <name>' not specified/);
    expect((await run('export', saved, '--format', 'keras', '--out', join(work, 'x'))).code).toBe(2);
    const outputs = await run('export', saved, '--format', 'safetensors', '--outputs', 'logits', '--out', join(work, 'x'));
    expect(outputs.code).toBe(2);
    expect(outputs.stderr).toMatch(/--outputs is for --format onnx, not safetensors/);
    const bad = join(work, 'bad.simdnet');
    await (await import('node:fs/promises')).writeFile(bad, new Uint8Array(10));
    const r = await run('export', bad, '--format', 'onnx', '--out', join(work, 'bad.onnx'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/simdnet: simdnet loadModel: /);
    expect(existsSync(join(work, 'bad.onnx'))).toBe(false);
  });
});
