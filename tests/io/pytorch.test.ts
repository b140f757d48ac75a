/**
 * toPyTorchSource: the generated nn.Sequential source parses as Python, names the right nn modules
 * (with their parameters), and, run as a PyTorch user would (`exec(source)`, then
 * `net.load_state_dict(load_file(path))` on the file of exportSafetensors()), computes what simdnet
 * computes within 1e-5 on 100 rows, for every activation. torch is not installed here: the run uses
 * a numpy stand-in of the modules involved (tests/io/fake-torch/), whose load_state_dict is strict
 * as torch's is, so wrong names, indices or layouts fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, activation, dense, dropout, exportSafetensors, flatten, initializers, sequential, toPyTorchSource, type ActivationName, type Sequential,
} from '../../src/index.js';
import { backends, expectClose, randomArray } from '../support/helpers.js';

const { wasm } = await backends();
const work = mkdtempSync(join(tmpdir(), 'simdnet-pytorch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const fakeTorch = fileURLToPath(new URL('./fake-torch/', import.meta.url));

function python(args: string[], input?: string): string {
  const r = spawnSync('python3', args, { input, encoding: 'utf8', env: { ...process.env, PYTHONPATH: fakeTorch, PYTHONDONTWRITEBYTECODE: '1' } });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Runs the model's generated source on its exported weights (see run_sequential.py); its outputs for x. */
function runInPython(model: Sequential, x: Float32Array, name: string): Float32Array {
  const source = join(work, `${name}.py`);
  const weights = join(work, `${name}.safetensors`);
  const input = join(work, `${name}.in`);
  const output = join(work, `${name}.out`);
  writeFileSync(source, toPyTorchSource(model));
  writeFileSync(weights, exportSafetensors(model));
  writeFileSync(input, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  python([join(fakeTorch, 'run_sequential.py'), source, weights, input, output, ...model.inputShape.map(String)]);
  const bytes = readFileSync(output);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

const ALPHAS: Partial<Record<ActivationName, number>> = { sigmoid: 2.5, leakyRelu: 0.3, elu: 0.4, hardSigmoid: 0.2 };

describe('toPyTorchSource', () => {
  it('parses as Python and names the nn module of each layer', () => {
    const model = sequential([
      dense({ units: 6, activation: 'leakyRelu', activationAlpha: 0.3 }),
      dropout({ rate: 0.25 }),
      dense({ units: 5, activation: 'sigmoid', activationAlpha: 2.5, useBias: false }),
      activation('hardSigmoid'),
      activation({ name: 'hardSigmoid', alpha: 0.2 }),
      activation('step'),
      activation('identity'),
      dense({ units: 2, activation: 'gelu' }),
    ], { inputShape: [2, 2], backend: wasm });
    try {
      const source = toPyTorchSource(model);
      python(['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], source);
      const modules = source.slice(source.indexOf('net = nn.Sequential(')).split('\n').slice(1, -2).map((l) => l.trim());
      expect(modules).toEqual([
        'nn.Flatten(),  # 0: dense_1',
        'nn.Linear(4, 6),  # 1: dense_1',
        'nn.LeakyReLU(negative_slope=0.3),  # 2: dense_1',
        'nn.Dropout(p=0.25),  # 3: dropout_1',
        'nn.Linear(6, 5, bias=False),  # 4: dense_2',
        'SlopedSigmoid(2.5),  # 5: dense_2',
        'nn.Hardsigmoid(),  # 6: activation_1',
        'SlopedHardSigmoid(0.2),  # 7: activation_2',
        'Step(),  # 8: activation_3',
        'nn.Identity(),  # 9: activation_4',
        'nn.Linear(5, 2),  # 10: dense_3',
        'nn.GELU(),  # 11: dense_3',
      ]);
      for (const helper of ['SlopedSigmoid', 'SlopedHardSigmoid', 'Step']) expect(source).toContain(`class ${helper}(nn.Module):`);
    } finally {
      model.dispose();
    }
  });

  it('a layer name cannot break out of its comment', () => {
    const model = sequential([dense({ units: 2, name: "x\nimport os\nos.system('true') #" })], { inputSize: 2, backend: wasm });
    try {
      const source = toPyTorchSource(model);
      expect(source).toContain("nn.Linear(2, 2),  # 0: x?import os?os.system??true?? ?");
      expect(source).not.toMatch(/^import os/m);
    } finally {
      model.dispose();
    }
  });

  it('defines only the helper modules it uses', () => {
    const model = sequential([dense({ units: 3, activation: 'relu' }), dense({ units: 2, activation: 'elu', activationAlpha: 0.01 })], { inputSize: 2, backend: wasm });
    try {
      const source = toPyTorchSource(model);
      python(['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], source);
      expect(source).not.toContain('class ');
      // An f32 parameter as the shortest decimal that is the same f32.
      expect(source).toContain('nn.ELU(alpha=0.01)');
    } finally {
      model.dispose();
    }
  });
});

describe('the generated nn.Sequential on the exported weights computes what simdnet computes', () => {
  it.each(ACTIVATIONS.map((act) => ({ act })))('$act', ({ act }) => {
    const model = sequential([
      dense({ units: 7, activation: act, activationAlpha: ALPHAS[act], biasInitializer: initializers.randomUniform({ min: -1, max: 1 }) }),
      dense({ units: 3 }),
    ], { inputSize: 4, backend: wasm, seed: 20 + ACTIVATIONS.indexOf(act) });
    try {
      const x = randomArray(100 * 4, 21, 4);
      expectClose(runInPython(model, x, act), model.predict(x), 1e-5, 0, `${act} in the nn.Sequential`);
    } finally {
      model.dispose();
    }
  });

  it('flatten, dropout, activation layers and a multi-axis input', () => {
    const model = sequential([
      dense({ units: 6, activation: 'tanh' }),
      dropout({ rate: 0.5 }),
      activation({ name: 'sigmoid', alpha: 0.5 }),
      flatten(),
      dense({ units: 4, activation: 'mish', useBias: false }),
      dense({ units: 2 }),
    ], { inputShape: [3, 2], backend: wasm, seed: 40 });
    try {
      const x = randomArray(100 * 6, 22, 3);
      expectClose(runInPython(model, x, 'stack'), model.predict(x), 1e-5, 0, 'stack in the nn.Sequential');
    } finally {
      model.dispose();
    }
  });
});
