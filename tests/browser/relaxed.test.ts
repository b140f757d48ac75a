/**
 * The relaxed-SIMD build in Chromium, which runs relaxed SIMD by default: init({ simd: 'relaxed' })
 * picks it on a plain page (one thread) and on a cross-origin isolated one (threads), and on this host
 * the page, its worker, 1 and 2 threads and Node (under --experimental-wasm-relaxed-simd, turned on
 * for this process) train to the same bits. The plain build's bits differ from it on an FMA host.
 */
import { setFlagsFromString } from 'node:v8';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
setFlagsFromString('--experimental-wasm-relaxed-simd');
import * as simdnet from '../../dist/simdnet.js';
import { launchChromium, openPage, serveStatic, type StaticServer } from './chromium.js';
import { runScenario, type ScenarioResult } from './scenario.js';

declare global {
  interface Window {
    runScenarioWith(initOptions: simdnet.InitOptions, where: 'main' | 'worker'): Promise<ScenarioResult>;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = '/tests/browser/pages/identical.html';
let isolated: StaticServer;
let plain: StaticServer;
let browser: Browser;

const withOptions = (extra: simdnet.InitOptions): typeof simdnet =>
  ({ ...simdnet, init: (o?: simdnet.InitOptions) => simdnet.init({ ...o, ...extra }) }) as typeof simdnet;

const cpuHasFma = (() => {
  try {
    return /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/worker.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first');
  isolated = await serveStatic(root, { isolated: true });
  plain = await serveStatic(root);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

describe("init({ simd: 'relaxed' }) in Chromium", () => {
  it('is picked, and trains to the same bits in the page, its worker, on 1 and 2 threads and in Node', async () => {
    const node = await runScenario(withOptions({ simd: 'relaxed', threads: 1 }), 'main');
    const nodePlain = await runScenario(withOptions({ threads: 1 }), 'main');
    if (cpuHasFma) expect(node.weights).not.toEqual(nodePlain.weights);
    for (const server of [plain, isolated]) {
      const { page, errors } = await openPage(browser, `${server.origin}${PAGE}`);
      const warnings: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'warning') warnings.push(m.text());
      });
      await page.waitForFunction(() => document.title === 'ready' || document.title === 'failed', undefined, { timeout: 30_000 });
      const seen = await page.evaluate(async () => {
        const b = await window.simdnet.init({ simd: 'relaxed' });
        const info = { simd: b.simd, threads: b.threads, isolated: crossOriginIsolated };
        b.dispose();
        return info;
      });
      expect(seen.simd).toBe('relaxed');
      expect(seen.isolated).toBe(server === isolated);
      if (server === isolated) expect(seen.threads).toBeGreaterThan(1);
      else expect(seen.threads).toBe(1);
      const one = await page.evaluate(() => window.runScenarioWith({ simd: 'relaxed', threads: 1 }, 'main'));
      expect(one, `${server === isolated ? 'isolated' : 'plain'} page, one thread vs Node`).toEqual(node);
      expect(await page.evaluate(() => window.runScenarioWith({ simd: 'relaxed', threads: 1 }, 'worker'))).toEqual(node);
      if (server === isolated) {
        expect(await page.evaluate(() => window.runScenarioWith({ simd: 'relaxed', threads: 2 }, 'main'))).toEqual(node);
      }
      // The plain page's only notice is the threads one (no isolation); relaxed SIMD needs none.
      expect(warnings.filter((w) => /relaxed|plain SIMD/.test(w))).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
