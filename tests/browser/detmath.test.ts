/**
 * src/math/detmath.ts's promise: the same bits in every engine. Node 20 and a Chromium page run
 * detmath-cases.js on the same build (build/src/math/detmath.js, dist/) and compare: detmath's exp, log,
 * sin, cos, pow on 10 000 seeded arguments each, and the float64 values training is made from
 * (Rng.normal, the schedules, logUniform samples, the toy sets). Beside them, the same comparison
 * of Math.* shows what detmath is for: Node 20's V8 and Chromium's differ in the last bit on a few
 * percent of these arguments (logged, not asserted, in case some Chromium agrees with Node).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as detmath from '../../build/src/math/detmath.js';
import * as simdnet from '../../dist/simdnet.js';
import { ulpDistance } from '../support/helpers.js';
import { launchChromium, openPage, serveStatic, type StaticServer } from './chromium.js';
import { COUNT, FUNCTIONS, evaluateFunctions, trainingValues, type FunctionBits, type TrainingValues } from './detmath-cases.js';

declare global {
  interface Window {
    runDetmathCases(): { functions: Record<string, FunctionBits>; training: TrainingValues };
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: StaticServer;
let browser: Browser;
let page: Page;
let errors: string[];
let chromium: { functions: Record<string, FunctionBits>; training: TrainingValues };

beforeAll(async () => {
  for (const file of ['../../dist/simdnet.js', '../../build/src/math/detmath.js']) {
    if (!existsSync(new URL(file, import.meta.url))) throw new Error(`${file.slice(6)} is missing: run \`npm run build\` first`);
  }
  server = await serveStatic(root);
  browser = await launchChromium();
  ({ page, errors } = await openPage(browser, `${server.origin}/tests/browser/pages/detmath.html`));
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 30_000 });
  chromium = await page.evaluate(() => window.runDetmathCases());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The doubles back from their words (little-endian pairs, as bits64 wrote them). */
function doubles(words: number[]): Float64Array {
  return new Float64Array(Uint32Array.from(words).buffer);
}

/** How many of the doubles differ in their bits. */
function countDiffering(a: number[], b: number[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 2) if (a[i] !== b[i] || a[i + 1] !== b[i + 1]) n++;
  return n;
}

/** Asserts equal bits, naming the first double that differs. */
function expectSameBits(actual: number[], expected: number[], label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const first = actual.findIndex((w, i) => w !== expected[i]);
  if (first >= 0) {
    const k = first >> 1;
    expect.fail(`${label}: value ${k} is ${doubles(actual)[k]} in Chromium, ${doubles(expected)[k]} in Node`);
  }
}

describe('detmath in Node 20 and in Chromium', () => {
  const node = evaluateFunctions(detmath, simdnet);

  for (const { name } of FUNCTIONS) {
    it(`${name}: the same bits on ${COUNT} arguments, where Math.${name} differs`, () => {
      expectSameBits(chromium.functions[name].detmath, node[name].detmath, `detmath ${name}`);
      // Node's detmath against Chromium's own Math: another implementation (LLVM libc's correctly
      // rounded functions in recent V8), so this bounds detmath's error independently of Node.
      const mine = doubles(node[name].detmath);
      const theirs = doubles(chromium.functions[name].math);
      let worst = 0;
      for (let i = 0; i < COUNT; i++) worst = Math.max(worst, ulpDistance(mine[i], theirs[i]));
      expect(worst, `detmath ${name} vs Chromium's Math.${name}`).toBeLessThanOrEqual(1);
      const differ = countDiffering(chromium.functions[name].math, node[name].math);
      // (On Node 20 detmath is Node's Math bit for bit: both are fdlibm.)
      const fromNodeMath = countDiffering(node[name].detmath, node[name].math);
      console.log(`Math.${name}: Node and Chromium differ on ${differ} of ${COUNT} arguments (${((100 * differ) / COUNT).toFixed(2)}%); detmath on 0 (and differs from Node's Math on ${fromNodeMath})`);
    });
  }

  it('the float64 values training is made from are the same bits', () => {
    const mine = trainingValues(simdnet);
    const theirs = chromium.training;
    expectSameBits(theirs.normals, mine.normals, 'Rng.normal');
    expectSameBits(theirs.schedules, mine.schedules, 'schedules (cosineDecay, exponentialDecay twice, stepDecay)');
    expectSameBits(theirs.logUniform, mine.logUniform, 'logUniform samples');
    theirs.toy.forEach((x, k) => expectSameBits(x, mine.toy[k], `toy set ${k} (spirals, moons, circles, blobs)`));
    // What Rng.normal was: Box–Muller with Math.log/sin/cos (the same bits as detmath's on Node 20).
    const differ = countDiffering(theirs.mathNormals, mine.mathNormals);
    const fromRng = countDiffering(mine.mathNormals, mine.normals);
    console.log(`Box–Muller with Math.log/sin/cos: Node and Chromium differ on ${differ} of ${COUNT} normals; Rng.normal on 0 (Math's differ from Rng.normal's in Node on ${fromRng})`);
    expect(errors).toEqual([]);
  });
});
