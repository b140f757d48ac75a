/**
 * Files saved before the model/format split keep loading, and the same seeded model still saves to
 * the same bytes. The fixtures and expected.json were written by tests/fixtures/generate.ts with the
 * code of commit 9970456; here today's code loads them and rebuilds them from the same recipes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeModel, encodeModel, FORMAT_VERSION, loadModel } from '../../src/index.js';
import { backends } from '../support/helpers.js';
import { RECIPES, expectedOf, type Expected } from '../fixtures/recipes.js';

const { wasm } = await backends();
const fixtures = join(import.meta.dirname, '..', 'fixtures');
const expected = JSON.parse(await readFile(join(fixtures, 'expected.json'), 'utf8')) as Record<string, Expected>;
const saved = async (name: string): Promise<Uint8Array> => new Uint8Array(await readFile(join(fixtures, `${name}.simdnet`)));

describe('saved files of format version 1, written by the earlier code', () => {
  test('the fixtures are the current format version and cover every recipe', () => {
    expect(FORMAT_VERSION).toBe(1);
    expect(Object.keys(expected).sort()).toEqual(RECIPES.map((r) => r.name).sort());
  });

  for (const recipe of RECIPES) {
    test(`${recipe.name}: loads with the same predictions, counters and optimizer state, and resumes as before`, async () => {
      const bytes = await saved(recipe.name);
      const model = await loadModel(bytes, { backend: wasm });
      const again = await loadModel(bytes, { backend: wasm });
      try {
        expect(await expectedOf(model, again, recipe)).toEqual(expected[recipe.name]);
      } finally {
        model.dispose();
        again.dispose();
      }
    });

    test(`${recipe.name}: decode then encode gives the file's bytes back`, async () => {
      const bytes = await saved(recipe.name);
      expect(encodeModel(decodeModel(bytes))).toEqual(bytes);
    });
  }

  for (const recipe of RECIPES.filter((r) => r.name !== 'uncompiled-shape')) {
    test(`${recipe.name}: the same recipe run by today's code saves the same bytes`, async () => {
      const model = await recipe.make(wasm);
      try {
        expect(model.toBytes()).toEqual(await saved(recipe.name));
      } finally {
        model.dispose();
      }
    });
  }

  test('uncompiled-shape: today the [2, 2] input shape is saved too, and that is the only difference', async () => {
    const recipe = RECIPES.find((r) => r.name === 'uncompiled-shape')!;
    const model = await recipe.make(wasm);
    try {
      const now = decodeModel(model.toBytes());
      const before = decodeModel(await saved(recipe.name));
      expect(now.topology.inputShape).toEqual([2, 2]);
      expect(before.topology.inputShape).toBeUndefined();
      const { inputShape: _, ...topology } = now.topology;
      expect({ ...now, topology }).toEqual(before);
      // The old file, without a shape, loads as a flat [4] input.
      const old = await loadModel(await saved(recipe.name), { backend: wasm });
      expect(old.inputShape).toEqual([4]);
      old.dispose();
    } finally {
      model.dispose();
    }
  });
});
