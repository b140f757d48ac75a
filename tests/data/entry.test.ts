/** The browser entry of the data module must not reach Node built-ins; the Node loaders stay in node.ts. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as main from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module reachable from `file` through static or dynamic imports, with its import specifiers. */
function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  seen.set(file, specs);
  for (const s of specs) if (s.startsWith('.')) importGraph(resolve(dirname(file), s.replace(/\.js$/, '.ts')), seen);
  return seen;
}

describe('data entry points', () => {
  it('src/data/index.ts reaches no node: module and not node.ts', () => {
    const graph = importGraph(join(here, '../../src/data/index.ts'));
    expect(graph.size).toBeGreaterThan(5);
    for (const [file, specs] of graph) {
      expect(file.endsWith('node.ts'), file).toBe(false);
      for (const s of specs) expect(s.startsWith('node:') || ['fs', 'zlib', 'path', 'module'].includes(s), `${file} imports ${s}`).toBe(false);
    }
  });

  it('the main entry exports the parsers but not the file loaders', () => {
    for (const name of ['parseIdx', 'parseMnist', 'parseCifarBatch', 'parseCsv', 'moons', 'standardize', 'trainValTestSplit', 'maybeGunzip']) {
      expect(typeof (main as Record<string, unknown>)[name], name).toBe('function');
    }
    for (const name of ['loadMnist', 'loadMnistDir', 'loadCifar10', 'loadCsv']) expect(name in main, name).toBe(false);
  });
});
