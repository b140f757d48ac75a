/**
 * Browser storage in Chromium, through dist/ as a page loads it: model.save() to 'indexeddb://' and
 * 'localstorage://', a page reload, then loadModel() of each predicts exactly as before; a model too
 * big for localStorage is refused with its size; 'downloads://' hands Chromium a download (caught by
 * Playwright's download event) whose bytes load in Node; loadModel('http://…') and of a Response
 * fetch a file from the test's server. On wasm the same seed gives the same bits in Node and Chromium,
 * so predictions are compared exactly.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as simdnet from '../../dist/simdnet.js';
import { launchChromium, openPage, serveStatic, type StaticServer } from './chromium.js';

declare global {
  interface Window {
    simdnet: typeof simdnet;
    backend: simdnet.ReadyBackend;
    rows(n: number, width: number): Float32Array;
    makeModel(seed: number): simdnet.Sequential;
    loadAndPredict(source: string, asResponse?: boolean): Promise<number[]>;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Served by the static server (build/ is not in git). */
const servedDir = new URL('../../build/storage-test/', import.meta.url);
let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];

async function ready(p: Page): Promise<void> {
  await p.waitForFunction(() => document.title === 'ready' || document.title === 'failed', undefined, { timeout: 30_000 });
}

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/simdnet.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first');
  server = await serveStatic(root);
  browser = await launchChromium();
  ({ page, errors } = await openPage(browser, `${server.origin}/tests/browser/pages/storage.html`));
  await ready(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(servedDir, { recursive: true, force: true });
});

/** The predictions of makeModel(seed) on the page's rows, computed in Node (the same bits as in Chromium). */
async function nodePredictions(seed: number): Promise<{ bytes: Uint8Array; predictions: number[] }> {
  const backend = await simdnet.init();
  const model = simdnet.sequential([
    simdnet.dense({ units: 6, activation: 'gelu' }), simdnet.dropout({ rate: 0.2 }), simdnet.dense({ units: 3 }),
  ], { inputSize: 4, backend, seed });
  try {
    const x = Float32Array.from({ length: 80 }, (_, i) => ((i * 37) % 101) / 25 - 2);
    return { bytes: model.toBytes(), predictions: Array.from(model.predict(x)) };
  } finally {
    model.dispose();
  }
}

describe('indexeddb:// and localstorage:// survive a page reload', () => {
  it('saves, reloads the page, loads and predicts exactly the same', async () => {
    const before = await page.evaluate(async () => {
      const idb = window.makeModel(1);
      const ls = window.makeModel(2);
      try {
        await idb.save('indexeddb://first');
        await ls.save('localstorage://second');
        const x = window.rows(20, 4);
        return { idb: Array.from(idb.predict(x)), ls: Array.from(ls.predict(x)), stored: localStorage.getItem('simdnet/models/second')?.length ?? 0, bytes: ls.toBytes().length };
      } finally {
        idb.dispose();
        ls.dispose();
      }
    });
    // base64: 4 characters per 3 bytes, padded.
    expect(before.stored).toBe(4 * Math.ceil(before.bytes / 3));
    await page.reload();
    await ready(page);
    expect(await page.evaluate(() => window.loadAndPredict('indexeddb://first'))).toEqual(before.idb);
    expect(await page.evaluate(() => window.loadAndPredict('localstorage://second'))).toEqual(before.ls);
    // And they are the predictions Node computes for those seeds.
    expect(before.idb).toEqual((await nodePredictions(1)).predictions);
    expect(errors).toEqual([]);
  });

  it('a missing name lists what is stored', async () => {
    const messages = await page.evaluate(async () => {
      const err = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => e.message);
      return [await err(window.loadAndPredict('indexeddb://nope')), await err(window.loadAndPredict('localstorage://nope'))];
    });
    expect(messages[0]).toBe("simdnet loadModel: no model named 'nope' in IndexedDB; stored: 'first'");
    expect(messages[1]).toBe("simdnet loadModel: no model named 'nope' in localStorage; stored: 'second'");
  });

  it('a model too big for localStorage is refused with its size, and nothing is half-stored', async () => {
    const result = await page.evaluate(async () => {
      const s = window.simdnet;
      // 1000·1000 weights: 4 MB of float32, 5.3 million characters of base64, over Chromium's 5 MiB of UTF-16.
      const big = s.sequential([s.dense({ units: 1000 })], { inputSize: 1000, backend: window.backend, seed: 3 });
      try {
        const bytes = big.toBytes().length;
        const message = await big.save('localstorage://big').then(() => 'resolved', (e: Error) => e.message);
        return { bytes, message, stored: localStorage.getItem('simdnet/models/big') };
      } finally {
        big.dispose();
      }
    });
    expect(result.message).toContain(`'localstorage://big' does not fit: the model is ${result.bytes} bytes (${(result.bytes / 1e6).toFixed(2)} MB), ${4 * Math.ceil(result.bytes / 3)} characters as base64`);
    expect(result.message).toContain("save to 'indexeddb://big' instead");
    expect(result.stored).toBeNull();
  });
});

describe('downloads:// and http(s)://', () => {
  it('downloads://name starts a download of name.simdnet whose bytes load in Node', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.evaluate(async () => {
        const model = window.makeModel(4);
        try {
          await model.save('downloads://trained');
        } finally {
          model.dispose();
        }
      }),
    ]);
    expect(download.suggestedFilename()).toBe('trained.simdnet');
    const path = await download.path();
    const bytes = new Uint8Array(await readFile(path));
    const expected = await nodePredictions(4);
    expect(bytes).toEqual(expected.bytes);
  });

  it('loadModel of an http:// URL and of a fetch Response', async () => {
    const { bytes, predictions } = await nodePredictions(5);
    await mkdir(servedDir, { recursive: true });
    await writeFile(new URL('model.simdnet', servedDir), bytes);
    const url = `${server.origin}/build/storage-test/model.simdnet`;
    expect(await page.evaluate((u) => window.loadAndPredict(u), url)).toEqual(predictions);
    expect(await page.evaluate((u) => window.loadAndPredict(u, true), url)).toEqual(predictions);
    const missing = await page.evaluate((u) => window.loadAndPredict(u).then(() => 'resolved', (e: Error) => e.message), `${server.origin}/build/storage-test/missing.simdnet`);
    expect(missing).toBe(`simdnet loadModel: fetching '${server.origin}/build/storage-test/missing.simdnet' failed: HTTP 404 Not Found`);
  });
});
