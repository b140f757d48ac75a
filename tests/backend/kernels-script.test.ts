/**
 * scripts/kernels.mjs, run by `npm run build`: it passes on the tree as committed, and on a copy of
 * the tree it names each kind of disagreement between the manifest, the generated files and the wasm
 * exports, and --write brings the generated files back in step.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = join(process.cwd(), 'scripts', 'kernels.mjs');
const FILES = ['src/backend/manifest.ts', 'src/backend/manifest-args.ts', 'src/backend/manifest-image.ts', 'src/backend/contract.ts', 'bindings/exports.ts', 'assembly'];

function run(root?: string, ...flags: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [SCRIPT, ...(root ? ['--root', root] : []), ...flags], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status: number; stderr: string; stdout: string };
    return { code: e.status, out: e.stdout + e.stderr };
  }
}

let copy = '';
function treeCopy(): string {
  copy = mkdtempSync(join(tmpdir(), 'simdnet-kernels-'));
  for (const f of FILES) cpSync(join(process.cwd(), f), join(copy, f), { recursive: true });
  return copy;
}
function edit(root: string, file: string, from: string | RegExp, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  expect(next, `the edit of ${file} applies`).not.toBe(text);
  writeFileSync(path, next);
}
afterEach(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = '';
});

describe('scripts/kernels.mjs', () => {
  it('passes on the tree as committed', () => {
    const r = run();
    expect(r.out).toMatch(/kernels: \d+ kernels; .* agree with the manifest/);
    expect(r.code).toBe(0);
  });

  it('names a generated file that is out of date, and --write fixes it', () => {
    const root = treeCopy();
    edit(root, 'src/backend/manifest.ts', "doc: 'x *= s (gradient clipping by norm).'", "doc: 'x *= s.'");
    edit(root, 'bindings/exports.ts', '  free(ptr: number): void;', '  free(ptr: number): void;\n  extra(): void;');
    const r = run(root);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the Kernels interface in src\/backend\/contract.ts is not what the manifest gives: run `node scripts\/kernels.mjs --write`/);
    expect(r.out).toMatch(/bindings\/exports.ts is not what the manifest gives/);
    expect(run(root, '--write').code).toBe(0);
    expect(readFileSync(join(root, 'src/backend/contract.ts'), 'utf8')).toContain('/** x *= s. */\n  scale(x: F32Buffer, len: number, s: number): void;');
    expect(readFileSync(join(root, 'bindings/exports.ts'), 'utf8')).not.toContain('extra');
    expect(run(root).code).toBe(0);
  });

  it('names a kernel missing from either side and a parameter that differs', () => {
    const root = treeCopy();
    edit(root, 'assembly/index.ts', "export { dropoutMask } from './dropout';", '');
    edit(root, 'assembly/index.ts', "export { alloc, free, threadScratchBytes, setThreadScratch } from './memory';",
      "export { alloc, free, threadScratchBytes, setThreadScratch } from './memory';\nexport { tailIn } from './tail';");
    // A split part (manifest split.part) must take its kernel's parameters, then start and count.
    edit(root, 'assembly/matmul.ts', 'accumulate: bool, finiteB: bool, start: i32, count: i32): void {', 'accumulate: bool, finiteB: bool, start: i32): void {');
    edit(root, 'assembly/reduce.ts', 'export function scale(x: usize, len: i32, s: f32)', 'export function scale(x: usize, len: i32)');
    edit(root, 'assembly/reduce.ts', 'export function axpy(y: usize, x: usize, len: i32, alpha: f32)', 'export function axpy(y: usize, x: usize, len: i32, alpha: f64)');
    edit(root, 'assembly/reduce.ts', /export function sumAbs\(x: usize, len: i32\): f64/, 'export function sumAbs(x: usize, n: i32): f64');
    const r = run(root);
    expect(r.code).toBe(1);
    expect(r.out).toContain("assembly/index.ts does not export the manifest's kernel 'dropoutMask'");
    expect(r.out).toContain("assembly/index.ts exports 'tailIn', which the manifest (src/backend/manifest.ts) does not list");
    expect(r.out).toContain('scale: assembly/reduce.ts takes 2 parameters (x, len), the manifest lists 3 (x, len, s)');
    expect(r.out).toContain("axpy: parameter 'alpha' is f64 in assembly/reduce.ts; a manifest 'scalar' argument is passed as f32");
    expect(r.out).toContain("sumAbs: parameter 2 is 'n' in assembly/reduce.ts, 'len' in the manifest");
    expect(r.out).toMatch(/matmulRows: assembly\/matmul.ts takes \(layout: i32, .*, start: i32\): void; a split part takes its kernel's parameters then start and count: \(.*, start: i32, count: i32\): void/);
  });
});
