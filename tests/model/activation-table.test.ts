/**
 * Every row of the activation table (src/backend/activations.ts) is usable wherever an activation is
 * named: dense({ activation }), the activation layer, mlp() (with the initializer its row names), the
 * CLI's --activation, the playground's menu. The loops run over the table, so a new row is covered
 * without touching this file.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACTIVATIONS, activation, dense, mlp, sequential, type DenseConfig } from '../../src/index.js';
import { ACTIVATION_TABLE, activationSpec, defaultKernelInitializer } from '../../src/backend/activations.js';
import { buildProgram, main } from '../../src/cli/main.js';
import { ACTIVATION_CHOICES } from '../../examples/playground/src/settings.js';
import { backends, expectClose, randomArray } from '../support/helpers.js';

const { wasm, js } = await backends();

afterEach(() => vi.restoreAllMocks());

/** Inputs [4, 3], weights [3, 2] and bias [2] of a fixed affine map, and z = x·W + b in float64. */
const X = randomArray(12, 91, 2);
const W = randomArray(6, 92, 1);
const B = randomArray(2, 93, 0.5);
const Z = Array.from({ length: 8 }, (_, k) => {
  const i = Math.floor(k / 2), j = k % 2;
  let s = B[j];
  for (let p = 0; p < 3; p++) s += X[i * 3 + p] * W[p * 2 + j];
  return s;
});

/** f of the table, in float64, on the f32 values the kernels see. */
function want(name: string, zs: readonly number[]): number[] {
  const spec = activationSpec(name);
  const f = spec.f64 ?? spec.f;
  return zs.map((z) => f(Math.fround(z), Math.fround(spec.alpha)));
}

describe('every activation of the table', () => {
  for (const name of ACTIVATIONS) {
    it(`${name}: dense({ activation }) and activation() compute the table's f`, () => {
      for (const backend of [wasm, js]) {
        const fused = sequential([dense({ units: 2, activation: name })], { inputSize: 3, backend });
        const split = sequential([dense({ units: 2 }), activation(name)], { inputSize: 3, backend });
        try {
          for (const m of [fused, split]) {
            m.setWeights([{ values: W }, { values: B }]);
            // f32 sums of three products against the float64 z: a few ulp of |z| ≤ ~6, times |f′| ≤ ~1.1.
            expectClose(m.predict(X), want(name, Z), 1e-5, 1e-5, `${name} ${backend.name}`);
          }
        } finally {
          fused.dispose();
          split.dispose();
        }
      }
    });
  }

  it('mlp() gives hidden layers He initialisation where the row says so, Glorot elsewhere', () => {
    const seen = new Set<string>();
    for (const row of ACTIVATION_TABLE) {
      const m = mlp({ inputSize: 3, hidden: [4], outputs: 2, activation: row.name, backend: js });
      try {
        const hidden = m.toConfig().layers[0] as DenseConfig;
        expect(hidden.activation).toBe(row.name);
        const init = (hidden.kernelInitializer as { name: string }).name;
        expect(init, row.name).toBe(row.init === 'he' ? 'heNormal' : 'glorotUniform');
        expect(init).toBe(defaultKernelInitializer(row.name));
        seen.add(init);
      } finally {
        m.dispose();
      }
    }
    expect(seen).toEqual(new Set(['heNormal', 'glorotUniform']));
  });

  it('the CLI trains with each --activation and lists them all when the name is unknown', async () => {
    let stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    for (const name of ACTIVATIONS) {
      const code = await main(['train', '--toy', 'xor', '--samples', '40', '--layers', '4', '--epochs', '1', '--activation', name,
        '--json', '--backend', 'js']);
      expect(code, `--activation ${name}: ${stderr}`).toBe(0);
    }
    stderr = '';
    expect(await main(['train', '--toy', 'xor', '--activation', 'swish'])).not.toBe(0);
    for (const name of ACTIVATIONS) expect(stderr).toContain(name);
  });

  it('the CLI\'s --slope help says what alpha is for each activation that has one', () => {
    const train = buildProgram().commands.find((c) => c.name() === 'train');
    const help = (train?.helpInformation() ?? '').replace(/\s+/g, ' ');
    const withParam = ACTIVATION_TABLE.filter((row) => row.param !== undefined);
    expect(withParam.length).toBeGreaterThan(0);
    for (const row of withParam) expect(help).toContain(`${row.name}: ${row.param}`);
  });

  it('the playground offers each once, relu first, each with its own label', () => {
    expect([...ACTIVATION_CHOICES].sort()).toEqual([...ACTIVATIONS].sort());
    expect(ACTIVATION_CHOICES[0]).toBe('relu');
    const labels = ACTIVATION_TABLE.map((row) => row.label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const label of labels) expect(label.trim()).not.toBe('');
  });
});
