/**
 * scripts/build-wasm-if-changed.mjs (`npm run test:unit`): runs build:wasm exactly when an input of
 * the wasm build changed or an output is missing. Run in a scratch project whose build:wasm is a
 * stand-in that writes the outputs and counts its runs, so no asc compile is needed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/build-wasm-if-changed.mjs', import.meta.url));

/** The stand-in build: writes the outputs (both builds' wasm and embedded bytes) and appends a line to runs.txt. */
const FAKE_BUILD = `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('build/wasm', { recursive: true });
mkdirSync('bindings', { recursive: true });
for (const f of [
  'build/wasm/simdnet.wasm', 'build/wasm/simdnet.debug.wasm', 'bindings/wasm-bytes.generated.ts',
  'build/wasm/simdnet-shared.wasm', 'bindings/wasm-bytes-shared.generated.ts',
]) writeFileSync(f, 'x');
appendFileSync('runs.txt', 'run\\n');
`;

let dir: string;

function write(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** Runs the script in the scratch project; returns how many times build:wasm has run so far. */
function runScript(): number {
  execFileSync(process.execPath, [SCRIPT], { cwd: dir, stdio: 'pipe' });
  return readFileSync(join(dir, 'runs.txt'), 'utf8').split('\n').filter(Boolean).length;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'simdnet-wasm-stamp-'));
  write('package.json', JSON.stringify({ name: 'scratch', private: true, type: 'module', scripts: { 'build:wasm': 'node scripts/fake-build.mjs' } }));
  write('scripts/fake-build.mjs', FAKE_BUILD);
  write('node_modules/assemblyscript/package.json', JSON.stringify({ name: 'assemblyscript', version: '0.28.14' }));
  write('asconfig.json', '{}');
  write('assembly/index.ts', 'export { matmul } from "./matmul";\n');
  write('assembly/matmul.ts', 'export function matmul(): void {}\n');
  write('assembly/__tests__/matmul.spec.ts', 'describe("matmul", () => {});\n');
  write('src/backend/activations.ts', "export const ACTIVATIONS = ['relu'] as const;\n");
  writeFileSync(join(dir, 'runs.txt'), '');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('build-wasm-if-changed', () => {
  it('builds when there is no stamp, then skips while nothing changed', () => {
    expect(runScript()).toBe(1);
    expect(runScript()).toBe(1);
  });

  it('rebuilds when an assembly source changes, and not for an as-pect spec', () => {
    write('assembly/matmul.ts', 'export function matmul(): void { /* tiled */ }\n');
    expect(runScript()).toBe(2);
    write('assembly/__tests__/matmul.spec.ts', 'describe("matmul, again", () => {});\n');
    expect(runScript()).toBe(2);
  });

  it('rebuilds for a new assembly file, asconfig.json, the generator input and the build script it names', () => {
    write('assembly/reduce.ts', 'export function sum(): void {}\n');
    expect(runScript()).toBe(3);
    write('asconfig.json', '{ "options": { "enable": ["simd"] } }');
    expect(runScript()).toBe(4);
    write('src/backend/activations.ts', "export const ACTIVATIONS = ['relu', 'gelu'] as const;\n");
    expect(runScript()).toBe(5);
    write('scripts/fake-build.mjs', `${FAKE_BUILD}// changed\n`);
    expect(runScript()).toBe(6);
  });

  it('rebuilds for another asc version and when an output is missing', () => {
    write('node_modules/assemblyscript/package.json', JSON.stringify({ name: 'assemblyscript', version: '0.28.15' }));
    expect(runScript()).toBe(7);
    rmSync(join(dir, 'bindings/wasm-bytes.generated.ts'));
    expect(runScript()).toBe(8);
    expect(runScript()).toBe(8);
  });
});
