/**
 * Threads in Chromium: a page served with COOP same-origin + COEP require-corp is cross-origin
 * isolated, so init() uses navigator.hardwareConcurrency threads (helpers from a Blob URL on shared
 * memory) and trains to the same bits as Node; the same page served without those headers runs on one
 * thread and says why, once.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as simdnet from '../../dist/simdnet.js';
import { launchChromium, openPage, serveStatic, type StaticServer } from './chromium.js';
import { runScenario, type ScenarioResult } from './scenario.js';

declare global {
  interface Window {
    runScenario(where: 'main' | 'worker', backend?: 'wasm' | 'js'): Promise<ScenarioResult>;
    simdnet: typeof simdnet;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = '/tests/browser/pages/identical.html';
let isolated: StaticServer;
let plain: StaticServer;
let browser: Browser;

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

describe('threads in Chromium', () => {
  it('an isolated page uses the cores, in the page and in trainInWorker, with the same bits as Node on 1 and 2 threads', async () => {
    const { page, errors } = await openPage(browser, `${isolated.origin}${PAGE}`);
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    await page.waitForFunction(() => document.title === 'ready' || document.title === 'failed', undefined, { timeout: 30_000 });
    const seen = await page.evaluate(async () => {
      const b = await window.simdnet.init();
      const one = await window.simdnet.init({ threads: 1 });
      const threads = b.threads;
      b.dispose();
      return { isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, threads, one: one.threads };
    });
    expect(seen.isolated).toBe(true);
    expect(seen.threads).toBe(Math.min(8, seen.cores));
    expect(seen.threads).toBeGreaterThan(1);
    expect(seen.one).toBe(1);
    const inPage = await page.evaluate(() => window.runScenario('main'));
    const inWorker = await page.evaluate(() => window.runScenario('worker'));
    const nodeThreaded = await runScenario(simdnet, 'main');
    const nodeOne = await runScenario({ ...simdnet, init: (o?: simdnet.InitOptions) => simdnet.init({ ...o, threads: 1 }) } as typeof simdnet, 'main');
    expect(nodeThreaded.weights).toEqual(nodeOne.weights);
    expect(inPage).toEqual(nodeOne);
    expect(inWorker).toEqual(nodeOne);
    expect(warnings).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a page that is not isolated runs on one thread and says why, once', async () => {
    const { page, errors } = await openPage(browser, `${plain.origin}${PAGE}`);
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    await page.waitForFunction(() => document.title === 'ready' || document.title === 'failed', undefined, { timeout: 30_000 });
    const seen = await page.evaluate(async () => {
      const a = await window.simdnet.init();
      const b = await window.simdnet.init({ threads: 4 });
      return { isolated: crossOriginIsolated, threads: [a.threads, b.threads] };
    });
    expect(seen).toEqual({ isolated: false, threads: [1, 1] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^simdnet: using 1 thread: this page is not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp.*credentialless/);
    const inPage = await page.evaluate(() => window.runScenario('main'));
    expect(inPage).toEqual(await runScenario(simdnet, 'main'));
    expect(errors).toEqual([]);
    await page.close();
  });
});
