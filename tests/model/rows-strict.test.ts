/** x given as number[][] is checked cell by cell: no silent coercion of null, '', false, [] or '7'. */
import { describe, expect, it } from 'vitest';
import { dense, jsBackend, sequential } from '../../src/index.js';

describe('x as rows of numbers', () => {
  it('refuses a cell that is not a number, naming row, column and type but not the value', () => {
    const model = sequential([dense({ units: 2 })], { inputSize: 3, backend: jsBackend(), seed: 1 });
    try {
      const cases: [unknown, string][] = [
        [null, 'null'], ['', 'a string'], ['secret-7', 'a string'], [false, 'a boolean'], [[], 'an array'],
        [undefined, 'undefined'], [5n, 'a bigint'], [{}, 'an object'],
      ];
      for (const [bad, type] of cases) {
        const x = [[1, 2, 3], [4, bad, 6]] as unknown as number[][];
        let message = '';
        try {
          model.predict(x);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message, String(type)).toBe(`simdnet predict: x[1][1] is ${type}, expected a number`);
        expect(message).not.toContain('secret');
      }
      expect(Array.from(model.predict([[1, 2, 3]]))).toHaveLength(2);
    } finally {
      model.dispose();
    }
  });
});
