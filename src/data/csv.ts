/**
 * CSV of numbers with one label column: every other column is a feature and must hold a finite
 * number. Labels may be non-negative integers (used as class ids directly) or any other strings
 * (mapped to class ids in sorted order, the names kept as labelNames). Works on text, so it runs in
 * browsers too; src/data/node.ts has loadCsv for files.
 */
import { createDataset, formatError, type Dataset } from './dataset.js';

/** Options of parseCsv. */
export interface CsvOptions {
  /**
   * The label column: a header name, or an index (0-based; negative counts from the end, −1 = last).
   * A name implies a header row. @default -1 (the last column)
   */
  labelColumn?: string | number;
  /**
   * Whether the first non-blank line is a header. 'auto': it is when any of its feature cells is not a
   * number (or when labelColumn is a name). @default 'auto'
   */
  header?: 'auto' | boolean;
  /** The cell separator. @default ',' */
  delimiter?: string;
  /**
   * Fixed class names: label strings map to their index here, and a label not in the list is an
   * error. Pass a training set's labelNames when parsing its test file so both share class ids.
   * @default the sorted distinct labels (unless all labels are non-negative integers)
   */
  labelNames?: readonly string[];
  /**
   * The number of classes when the labels are integer class ids: every label must then be below it.
   * Without it, integer labels must be below CSV_LABEL_LIMIT, so that one stray label (1000000) does
   * not silently build a million-class model. Ignored when labels are names (labelNames).
   * @default the largest label + 1, at most CSV_LABEL_LIMIT
   */
  classes?: number;
  /** The file name used in error messages. @default 'CSV' */
  name?: string;
}

/** Integer labels at or above this need an explicit `classes` (CLI: --classes N). */
export const CSV_LABEL_LIMIT = 1000;
/** The most classes `classes` may ask for (2^24: class ids must stay exact in a float32 too). */
export const CSV_MAX_CLASSES = 2 ** 24;
/** The largest finite float32: a cell past it would become ±Infinity in the Float32Array. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Splits one line on `delim`, honouring double quotes ("a,b" is one cell, "" inside is a quote). */
function splitQuoted(line: string, delim: string, fail: (what: string) => never): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch !== '"') cur += ch;
      else if (line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (line.startsWith(delim, i)) {
      cells.push(cur);
      cur = '';
      i += delim.length - 1;
    } else cur += ch;
  }
  if (quoted) fail('has an unterminated quote (cells spanning several lines are not supported)');
  cells.push(cur);
  return cells;
}

/** A cell as a number, or NaN when it is blank or not a finite number. */
function toNumber(cell: string): number {
  const v = cell.trim() === '' ? NaN : Number(cell);
  return Number.isFinite(v) ? v : NaN;
}

/** Why a cell cannot be a feature (float32) value, or null when it can. */
function cellProblem(cell: string, v: number): string | null {
  const shown = JSON.stringify(cell.trim().slice(0, 40));
  if (Number.isNaN(v)) return `${shown} is not a number`;
  if (Math.abs(v) > FLOAT32_MAX) return `${shown} is outside the float32 range (±3.4e38)`;
  return null;
}

/**
 * Parses CSV text into a Dataset (features = all columns but the label column). Blank lines are
 * skipped; cells are trimmed. Errors name the file (options.name), the line and the column: empty
 * file, no data rows, a row with a different number of cells than the first, a feature cell that is
 * not a number or past the float32 range, an unknown label column, an integer label past the class
 * limit (see CsvOptions.classes).
 */
export function parseCsv(text: string, options: CsvOptions = {}): Dataset {
  const { labelColumn = -1, header = 'auto', delimiter = ',', name = 'CSV', classes: givenClasses } = options;
  if (givenClasses !== undefined && !(Number.isInteger(givenClasses) && givenClasses >= 1 && givenClasses <= CSV_MAX_CLASSES)) {
    throw new RangeError(`simdnet parseCsv: classes must be an integer from 1 to ${CSV_MAX_CLASSES}, got ${String(givenClasses)}`);
  }
  if (typeof delimiter !== 'string' || delimiter.length === 0 || /["\r\n]/.test(delimiter)) {
    throw new RangeError(`simdnet parseCsv: delimiter must be a non-empty string without quotes or newlines, got ${JSON.stringify(delimiter)}`);
  }
  const fail = (what: string): never => formatError('parseCsv', name, what);
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n|\r/);
  // Non-blank lines as [1-based line number, cells].
  const rows: { line: number; cells: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const cells = line.includes('"') ? splitQuoted(line, delimiter, (what) => fail(`line ${i + 1} ${what}`)) : line.split(delimiter);
    rows.push({ line: i + 1, cells });
  }
  if (rows.length === 0) fail('is empty: no rows');
  const first = rows[0];
  const cols = first.cells.length;
  if (cols < 2) fail(`line ${first.line} has ${cols} cell; a label column and at least one feature column are needed (is the delimiter ${JSON.stringify(delimiter)} right?)`);

  const firstCells = first.cells.map((c) => c.trim());
  let labelIndex: number;
  let hasHeader: boolean;
  if (typeof labelColumn === 'string') {
    if (header === false) throw new RangeError(`simdnet parseCsv: labelColumn ${JSON.stringify(labelColumn)} is a name, but header is false`);
    labelIndex = firstCells.indexOf(labelColumn);
    if (labelIndex < 0) fail(`has no column named ${JSON.stringify(labelColumn)}; the header is ${firstCells.map((c) => JSON.stringify(c)).join(', ')}`);
    hasHeader = true;
  } else {
    if (!Number.isInteger(labelColumn) || labelColumn < -cols || labelColumn >= cols) {
      throw new RangeError(`simdnet parseCsv: labelColumn ${labelColumn} is outside the ${cols} columns (0..${cols - 1}, or −${cols}..−1 from the end)`);
    }
    labelIndex = labelColumn < 0 ? cols + labelColumn : labelColumn;
    hasHeader = header === 'auto' ? firstCells.some((c, j) => j !== labelIndex && Number.isNaN(toNumber(c))) : header;
  }
  const columnNames = hasHeader ? firstCells : null;
  const describe = (j: number): string => `column ${j + 1}${columnNames ? ` (${JSON.stringify(columnNames[j])})` : ''}`;
  const data = hasHeader ? rows.slice(1) : rows;
  if (data.length === 0) fail('has a header but no data rows');

  const n = data.length;
  const features = cols - 1;
  const x = new Float32Array(n * features);
  const rawLabels: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const { line, cells } = data[i];
    if (cells.length !== cols) fail(`line ${line} has ${cells.length} cells, expected ${cols} like line ${first.line}`);
    let f = i * features;
    for (let j = 0; j < cols; j++) {
      if (j === labelIndex) continue;
      const v = toNumber(cells[j]);
      const problem = cellProblem(cells[j], v);
      if (problem !== null) fail(`line ${line}, ${describe(j)}: ${problem}`);
      x[f++] = v;
    }
    const label = cells[labelIndex].trim();
    if (label === '') fail(`line ${line}, ${describe(labelIndex)}: the label is empty`);
    rawLabels[i] = label;
  }

  const y = new Int32Array(n);
  let labelNames: readonly string[] | undefined = options.labelNames;
  let classes: number;
  if (labelNames === undefined && rawLabels.every((l) => /^\d+$/.test(l))) {
    // Integer labels are class ids already (classes = largest + 1, or the given count).
    const limit = givenClasses ?? CSV_LABEL_LIMIT;
    classes = givenClasses ?? 0;
    for (let i = 0; i < n; i++) {
      // Compared as a number before the Int32Array store, which would wrap 4294967297 to 1.
      const c = Number(rawLabels[i]);
      if (c >= limit) {
        const label = rawLabels[i].length > 20 ? `${rawLabels[i].slice(0, 20)}…` : rawLabels[i];
        fail(`line ${data[i].line}, ${describe(labelIndex)}: label ${label} ` + (givenClasses === undefined
          ? `is not below ${CSV_LABEL_LIMIT}, the most classes read without being told: pass classes (CLI: --classes N) if there really are that many`
          : `is not below the given classes = ${givenClasses}`));
      }
      y[i] = c;
      classes = Math.max(classes, c + 1);
    }
  } else {
    labelNames ??= [...new Set(rawLabels)].sort();
    const ids = new Map(labelNames.map((l, c) => [l, c]));
    for (let i = 0; i < n; i++) {
      y[i] = ids.get(rawLabels[i]) ?? fail(`line ${data[i].line}, ${describe(labelIndex)}: label ${JSON.stringify(rawLabels[i])} is not one of the given labelNames`);
    }
    classes = labelNames.length;
  }
  return createDataset({ x, y, features, classes, labelNames });
}
