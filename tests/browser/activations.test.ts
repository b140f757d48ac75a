/**
 * The same-bits promise for the activation kernels: every activation of the table (so each new one
 * too), forward and backward in wasm, on a grid that reaches the far ends, gives the same bits in
 * Node and in a Chromium page loading dist/ (tests/browser/activation-bits.js runs in both).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as simdnet from '../../dist/simdnet.js';
import { launchChromium, openPage, serveStatic, type StaticServer } from './chromium.js';
import { activationBits, type ActivationBits } from './activation-bits.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/simdnet.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first');
  server = await serveStatic(root);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('activation kernels: the same bits everywhere', () => {
  it('Node = Chromium page, for every activation, forward and backward', async () => {
    const { page, errors } = await openPage(browser, `${server.origin}/tests/browser/pages/identical.html`);
    await page.waitForFunction(() => document.title === 'ready' || document.title === 'failed', undefined, { timeout: 30_000 });
    // A string, so that vitest does not rewrite the page's dynamic import into its own loader.
    const inChromium = await page.evaluate<ActivationBits>(
      "import('/tests/browser/activation-bits.js').then((m) => m.activationBits(window.simdnet))",
    );
    const inNode = await activationBits(simdnet);
    expect(Object.keys(inNode)).toEqual([...simdnet.ACTIVATIONS]);
    for (const name of simdnet.ACTIVATIONS) {
      expect(inChromium[name].y, `${name} forward`).toEqual(inNode[name].y);
      expect(inChromium[name].dx, `${name} backward`).toEqual(inNode[name].dx);
    }
    expect(errors).toEqual([]);
  });
});
