/**
 * A parsed CSV table (header + string cells, from a CSV parser on the caller's side) turned into
 * features and labels. Numeric labels are regression targets unless the spec lists classes; text
 * labels become classes in order of first appearance (or the stored order). Features are normalised
 * with stored statistics when present, else with the table's own (which the caller then stores).
 *
 * The table must be rectangular with distinct header names, and a number is an ordinary decimal that
 * fits float32 (see docs/training.md, "CSV rules"). Errors name the row, counting the header as row 1
 * as a spreadsheet shows it, and the column; file text in messages goes through quoteText.
 */
import type { DatasetJson } from './spec';

export interface CsvTable {
  header: string[];
  rows: string[][];
  /**
   * The row number of each entry of rows as a spreadsheet shows it (header = 1), where blank lines
   * were skipped; absent: rows[i] is row i + 2.
   */
  rowNumbers?: number[];
}

export class CsvError extends Error {}

/** Text from a file or model quoted for a one-line message: JSON-style escapes, cut to `max` characters. */
export function quoteText(s: string, max = 40): string {
  const chars = Array.from(s);
  const cut = chars.length > max ? chars.slice(0, max).join('') : s;
  // JSON.stringify escapes C0 controls, quotes and lone surrogates; also escape DEL, C1 controls and the
  // invisible or reordering characters (line separators, bidi overrides, zero widths, BOM).
  const q = JSON.stringify(cut).replace(
    /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return chars.length > max ? `${q.slice(0, -1)}…"` : q;
}

/** Names quoted and joined, the first `max` of them, then "and N more". */
export function listNames(names: readonly string[], max = 10): string {
  const shown = names
    .slice(0, max)
    .map((n) => quoteText(n))
    .join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** A cell read as a float32 value, or why it is not one. */
function readNumber(cell: string): number | string {
  if (cell === '') return 'empty cell';
  if (DECIMAL.test(cell)) {
    const v = Number(cell);
    // Rounded to float32 as the dataset stores it: what would become ±Infinity is refused.
    if (!Number.isFinite(Math.fround(v))) return `${quoteText(cell)} is beyond the float32 range (magnitudes up to about 3.4e38)`;
    return v;
  }
  if (NON_FINITE.test(cell)) return `${quoteText(cell)} is not a finite number`;
  // What JavaScript would read (0x10, 0b101, 0o7) but a CSV reader should not.
  if (!Number.isNaN(Number(cell))) return `${quoteText(cell)} is not a decimal number`;
  return `${quoteText(cell)} is not a number`;
}

/** Could the cell be meant as a number (decimal or not, finite or not)? Decides regression labels. */
const numberLike = (cell: string) => NON_FINITE.test(cell) || !Number.isNaN(Number(cell));

export function tableToDataset(table: CsvTable, spec: DatasetJson) {
  const { header, rows } = table;
  // Problems in the file name it; problems in the model's stored values name the key instead.
  const inFile = (msg: string) => new CsvError(spec.path ? `${spec.path}: ${msg}` : msg);
  const rowNo = (r: number) => table.rowNumbers?.[r] ?? r + 2;
  const at = (r: number, c: number) => `row ${rowNo(r)}, column ${quoteText(header[c])}`;

  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    const first = seen.get(h);
    if (first !== undefined) throw inFile(`the header names column ${quoteText(h)} twice (columns ${first + 1} and ${i + 1})`);
    seen.set(h, i);
  });
  const col = (name: string) => {
    const i = seen.get(name);
    if (i === undefined) throw inFile(`column ${quoteText(name)} is not in the CSV header, which has ${listNames(header)}`);
    return i;
  };
  const labelCol = col(spec.label!);
  const featureNames = spec.features ?? header.filter((h) => h !== spec.label);
  const featureCols = featureNames.map(col);
  const n = rows.length;
  if (n === 0) throw inFile('the CSV file has no data rows');
  // The shape first: in a short or long row every later cell is in the wrong column.
  rows.forEach((row, r) => {
    if (row.length === header.length) return;
    const why =
      row.length < header.length
        ? `no value for column ${quoteText(header[row.length])}`
        : `extra field ${quoteText(row[header.length])} after column ${quoteText(header[header.length - 1])}`;
    throw inFile(`row ${rowNo(r)} has ${row.length} field${row.length === 1 ? '' : 's'}, expected ${header.length} (${why})`);
  });

  const d = featureCols.length;
  const norm = spec.normalization;
  if (norm) {
    for (const k of ['mean', 'std'] as const) {
      const len = norm[k].length;
      if (len !== d)
        throw new CsvError(
          `training.dataset.normalization.${k} has ${len} value${len === 1 ? '' : 's'} but the dataset has ${d} feature${d === 1 ? '' : 's'} (${listNames(featureNames)})`,
        );
    }
  }

  const features = new Float32Array(n * d);
  rows.forEach((row, r) => {
    featureCols.forEach((c, j) => {
      const v = readNumber(row[c].trim());
      if (typeof v === 'string') throw inFile(`${at(r, c)}: ${v}`);
      features[r * d + j] = v;
    });
  });
  const rawLabels = rows.map((row, r) => {
    const cell = row[labelCol].trim();
    if (cell === '') throw inFile(`${at(r, labelCol)}: empty label`);
    return cell;
  });
  let classes = spec.classes;
  const labels = new Float32Array(n);
  // A column of numbers is a regression target; one bad value in it (NaN, 0x10, 1e39) is an error,
  // not a reason to read every distinct value as a class name.
  if (!classes && rawLabels.every(numberLike) && rawLabels.some((l) => DECIMAL.test(l))) {
    rawLabels.forEach((l, i) => {
      const v = readNumber(l);
      if (typeof v === 'string') throw inFile(`${at(i, labelCol)}: ${v}`);
      labels[i] = v;
    });
  } else {
    classes = classes ? [...classes] : [...new Set(rawLabels)];
    const index = new Map(classes.map((c, k) => [c, k]));
    rawLabels.forEach((l, i) => {
      const k = index.get(l);
      if (k === undefined) throw inFile(`${at(i, labelCol)}: label ${quoteText(l)} is not one of the model's classes (${listNames(classes!)})`);
      labels[i] = k;
    });
  }
  const stats = norm ?? columnStats(features, n, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) features[i * d + j] = (features[i * d + j] - stats.mean[j]) / stats.std[j];
  return { n, features, labels, classes, featureNames, normalization: stats };
}

/**
 * Mean and standard deviation per column. A constant column gets std 1: stored std must be positive, and
 * the rounding residue of its mean would otherwise give a tiny std that blows up any other value later.
 */
function columnStats(x: Float32Array, n: number, d: number) {
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  const constant = new Array<boolean>(d).fill(true);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      mean[j] += x[i * d + j] / n;
      if (x[i * d + j] !== x[j]) constant[j] = false;
    }
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (x[i * d + j] - mean[j]) ** 2 / n;
  return { mean, std: std.map((v, j) => (constant[j] ? 1 : Math.sqrt(v) || 1)) };
}
