/**
 * Undisposed models are freed when collected (src/model/reclaim.ts): a child `node --expose-gc`
 * creates and drops 100 trained models per backend, calls gc(), and reports the live buffer count and
 * the wasm memory size. Runs the built library (build/src, built by `npm test`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const CHILD = fileURLToPath(new URL('./reclaim-child.mjs', import.meta.url));

interface Report { baseline: number; dropped: number; collected: number; final: number; memoryAfterFirst: number; memoryAfterSecond: number }

function run(backend: 'wasm' | 'js'): Report {
  const out = execFileSync(process.execPath, ['--expose-gc', CHILD, backend], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').pop()!) as Report;
}

describe('models dropped without dispose() are freed when collected', () => {
  for (const backend of ['wasm', 'js'] as const) {
    test(`${backend}: 100 dropped models give all their buffers back after gc()`, () => {
      const r = run(backend);
      // Each trained model holds six buffers (parameters, gradients, arena floats and classes, Adam's m
      // and v); the engine may collect some of the 100 on its own before gc() is called.
      expect(r.dropped, 'buffers held by the dropped models before gc()').toBeGreaterThan(r.baseline);
      expect(r.collected, 'buffers left after gc').toBe(r.baseline);
      expect(r.final).toBe(r.baseline);
      // A second 100, collected as they go, ran in the memory the first round gave back.
      expect(r.memoryAfterSecond).toBe(r.memoryAfterFirst);
    });
  }
});
