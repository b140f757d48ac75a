/** CSV parsing: headers, label columns, integer and string labels, quoting, and the error messages. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_LABEL_LIMIT, DataFormatError, parseCsv } from '../../src/data/index.js';
import { loadCsv } from '../../src/data/node.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('parseCsv', () => {
  it('reads a header, string labels (sorted into class ids) and numbers', () => {
    const text = 'sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n\n6.3,6.0,virginica\r\n4.9,-1.5e-1,setosa\n';
    const ds = parseCsv(text);
    expect([ds.n, ds.features, ds.classes]).toEqual([4, 2, 3]);
    expect(ds.labelNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect([...ds.y]).toEqual([0, 1, 2, 0]);
    expect([...ds.x]).toEqual([5.1, 1.4, 7.0, 4.7, 6.3, 6.0, 4.9, -0.15].map(Math.fround));
  });

  it('detects no header and uses integer labels as class ids', () => {
    const ds = parseCsv('0.5,1,3\n0.25,2,0\n1,3,1\n');
    expect([ds.n, ds.features, ds.classes]).toEqual([3, 2, 4]);
    expect([...ds.y]).toEqual([3, 0, 1]);
    expect(ds.labelNames).toBeUndefined();
    expect([...ds.x]).toEqual([0.5, 1, 0.25, 2, 1, 3]);
  });

  it('takes the label column by name or index, with another delimiter', () => {
    const text = 'label;a;b\n1;10;20\n0;30;40\n';
    for (const labelColumn of ['label', 0, -3]) {
      const ds = parseCsv(text, { labelColumn, delimiter: ';' });
      expect([...ds.y]).toEqual([1, 0]);
      expect([...ds.x]).toEqual([10, 20, 30, 40]);
    }
  });

  it('header: true reads a numeric-looking header; header: false keeps the first row', () => {
    expect(parseCsv('1,2,3\n4,5,1\n', { header: true }).n).toBe(1);
    expect(parseCsv('1,2,3\n4,5,1\n', { header: false }).n).toBe(2);
  });

  it('strips quotes, keeps quoted delimiters, and maps labels through given labelNames', () => {
    const ds = parseCsv('"x, cm",y,"kind"\n1,2,"b"\n3,4,"a ""quoted"""\n', { labelNames: ['a "quoted"', 'b', 'c'] });
    expect([...ds.y]).toEqual([1, 0]);
    expect(ds.classes).toBe(3);
    expect(() => parseCsv('x,y\n1,d\n', { labelNames: ['a', 'b'], name: 'f.csv' })).toThrow('f.csv: line 2, column 2 ("y"): label "d" is not one of the given labelNames');
  });

  const cases: [string, string, string][] = [
    ['an empty file', ' \n\n', 'simdnet parseCsv: f.csv: is empty: no rows'],
    ['a header only', 'a,b,label\n', 'f.csv: has a header but no data rows'],
    ['a ragged row', 'a,b,label\n1,2,0\n3,0\n', 'f.csv: line 3 has 2 cells, expected 3 like line 1'],
    ['a non-numeric cell', 'a,b,label\n1,2,0\n3,x4,1\n', 'f.csv: line 3, column 2 ("b"): "x4" is not a number'],
    ['a non-numeric cell without header', '1,2,0\n3,,1\n', 'f.csv: line 2, column 2: "" is not a number'],
    ['an empty label', '1,2,0\n3,4, \n', 'f.csv: line 2, column 3: the label is empty'],
    ['an unknown label column', 'a,b\n1,2\n', 'f.csv: has no column named "c"; the header is "a", "b"'],
    ['one column', '1\n2\n', 'f.csv: line 1 has 1 cell; a label column and at least one feature column are needed'],
    ['an unterminated quote', 'a,b\n"1,2\n', 'f.csv: line 2 has an unterminated quote'],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}`, () => {
      const labelColumn = what === 'an unknown label column' ? 'c' : undefined;
      expect(() => parseCsv(text, { name: 'f.csv', labelColumn })).toThrow(message);
      expect(() => parseCsv(text, { name: 'f.csv', labelColumn })).toThrow(DataFormatError);
    });
  }

  it('rejects bad options, naming them', () => {
    expect(() => parseCsv('1,2\n', { labelColumn: 2 })).toThrow('simdnet parseCsv: labelColumn 2 is outside the 2 columns');
    expect(() => parseCsv('a,b\n1,2\n', { labelColumn: 'b', header: false })).toThrow('labelColumn "b" is a name, but header is false');
    expect(() => parseCsv('1,2\n', { delimiter: '' })).toThrow('delimiter must be a non-empty string');
  });
});

describe('loadCsv', () => {
  it('reads a gzip CSV file and names it in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-csv-'));
    dirs.push(dir);
    const good = join(dir, 'good.csv.gz');
    writeFileSync(good, gzipSync('a,b,c\n1,2,x\n3,4,y\n'));
    const ds = await loadCsv(good);
    expect(ds.labelNames).toEqual(['x', 'y']);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b,c\n1,2,x\n3,y\n');
    await expect(loadCsv(bad)).rejects.toThrow(`simdnet parseCsv: ${bad}: line 3 has 2 cells, expected 3 like line 1`);
  });
});

describe('parseCsv refuses labels and cells that would not survive as class ids or float32', () => {
  it('refuses integer labels past the limit, naming file, line and column, unless classes is given', () => {
    for (const label of ['4294967297', '2147483648', '1000000', String(CSV_LABEL_LIMIT)]) {
      const text = `a,b,label\n1,2,0\n3,4,${label}\n`;
      expect(() => parseCsv(text, { name: 'big.csv' })).toThrow(
        new RegExp(`^simdnet parseCsv: big\\.csv: line 3, column 3 \\("label"\\): label ${label} is not below ${CSV_LABEL_LIMIT}.*--classes N`),
      );
    }
    const ds = parseCsv('1,2,0\n3,4,1500\n', { classes: 2000 });
    expect([ds.classes, ...ds.y]).toEqual([2000, 0, 1500]);
    expect(() => parseCsv('1,2,0\n3,4,7\n', { classes: 5, name: 'c.csv' })).toThrow(/c\.csv: line 2, column 3: label 7 is not below the given classes = 5/);
    expect(parseCsv('1,2,0\n3,4,1\n', { classes: 4 }).classes).toBe(4);
    expect(() => parseCsv('1,2,0\n', { classes: 0 })).toThrow(/classes must be an integer from 1 to/);
  });

  it('refuses cells past the float32 range instead of letting them turn into Infinity', () => {
    expect(() => parseCsv('a,b,label\n1,2,0\n1e39,4,1\n', { name: 'f.csv' })).toThrow(/^simdnet parseCsv: f\.csv: line 3, column 1 \("a"\): "1e39" is outside the float32 range/);
    expect(() => parseCsv('1,-4e38,0\n', { name: 'g.csv' })).toThrow(/g\.csv: line 1, column 2: "-4e38" is outside the float32 range/);
    expect([...parseCsv('3.4e38,1,0\n').x]).toEqual([Math.fround(3.4e38), 1]);
  });
});
