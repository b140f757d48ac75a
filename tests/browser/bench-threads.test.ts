/**
 * Runs the threads bench page (bench/threads.html) in Chromium on a cross-origin isolated page and
 * prints its table: the kernel bench's threads axis in a browser. Its figures are reported, never
 * asserted (the machine is shared); the test checks only that the table was made at more than one
 * thread count and has a row per case.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, serveStatic, type StaticServer } from './chromium.js';

declare global {
  interface Window {
    runThreadsBench(shapes?: [number, number, number][], msPerCase?: number): Promise<string[]>;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(new URL('../../build/bench/threads-table.js', import.meta.url))) throw new Error('build/ is missing: run `npm run build` first');
  server = await serveStatic(root, { isolated: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the threads bench in Chromium', () => {
  it('prints the kernel table at 1 up to the cores', async () => {
    const { page, errors } = await openPage(browser, `${server.origin}/bench/threads.html`);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 30_000 });
    // Short: CI time is precious; the lead's quiet-machine run can call runThreadsBench() with the defaults.
    const lines = await page.evaluate(() => window.runThreadsBench([[256, 256, 256], [512, 512, 512]], 700));
    console.log(`threads bench in Chromium:\n${lines.join('\n')}`);
    expect(lines[0]).toMatch(/^crossOriginIsolated true/);
    expect(lines[1]).toMatch(/1 thr\s+2 thr/);
    // 2 shapes × 3 layouts + 3 elementwise kernels
    expect(lines.slice(2)).toHaveLength(9);
    expect(errors).toEqual([]);
  });
});
