/**
 * A CNN trained on a few hundred MNIST digits (tests/browser/cnn-scenario.js: convolutions, pooling,
 * dropout, shifts from fit's augment, Adam) gives the same weights, bit for bit, on the wasm backend in
 * the Node main thread, a Chromium page and a Chromium module Worker. (Node main vs Node worker:
 * tests/worker/cnn.test.ts.) The digits are read in Node and handed to the page.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as simdnet from '../../dist/simdnet.js';
import { loadMnist } from '../../dist/node.js';
import { launchChromium, openPage, serveStatic, type StaticServer } from './chromium.js';
import { CNN_ROWS, runCnnScenario, type CnnScenarioResult } from './cnn-scenario.js';

declare global {
  interface Window {
    runCnnScenario(where: 'main' | 'worker', x: number[], y: number[]): Promise<CnnScenarioResult>;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];
let x: number[];
let y: number[];

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/worker.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first');
  const { train } = await loadMnist();
  x = Array.from(train.x.subarray(0, CNN_ROWS * 784));
  y = Array.from(train.y.subarray(0, CNN_ROWS));
  server = await serveStatic(root);
  browser = await launchChromium();
  ({ page, errors } = await openPage(browser, `${server.origin}/tests/browser/pages/cnn.html`));
  await page.waitForFunction(() => document.title === 'ready' || document.title === 'failed', undefined, { timeout: 30_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function expectSameRun(actual: CnnScenarioResult, expected: CnnScenarioResult, where: string): void {
  expect(actual.counters, `${where}: epochs, batches, dropout stream`).toEqual(expected.counters);
  expect(actual.loss, `${where}: the loss history`).toEqual(expected.loss);
  expect(actual.weights, `${where}: the bits of the weights`).toEqual(expected.weights);
  expect(actual, where).toEqual(expected);
}

describe('a CNN gives the same bits everywhere', () => {
  it('Node main thread = Chromium page = Chromium module Worker (wasm backend)', async () => {
    const nodeMain = await runCnnScenario(simdnet, 'main', x, y);
    const chromiumPage = await page.evaluate(([xs, ys]) => window.runCnnScenario('main', xs, ys), [x, y] as const);
    const chromiumWorker = await page.evaluate(([xs, ys]) => window.runCnnScenario('worker', xs, ys), [x, y] as const);
    expect(nodeMain.stopReason).toBe('completed');
    // It learned: the digits are not a coin toss after two epochs of 288 rows.
    expect(nodeMain.valAccuracy.at(-1)).toBeGreaterThan(0.5);
    expectSameRun(chromiumPage, nodeMain, 'Chromium page vs Node main thread');
    expectSameRun(chromiumWorker, nodeMain, 'Chromium worker vs Node main thread');
    expect(server.requests).toContain('/dist/worker.js');
    expect(errors).toEqual([]);
  });
});
