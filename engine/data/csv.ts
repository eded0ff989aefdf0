/**
 * A parsed CSV table (header + string cells, from a CSV parser on the caller's side) turned into
 * features and labels. Numeric labels are regression targets unless the spec lists classes; text
 * labels become classes in order of first appearance (or the stored order). Features are normalised
 * with stored statistics when present, else with the table's own (which the caller then stores).
 */
import type { DatasetJson } from './spec';

export interface CsvTable {
  header: string[];
  rows: string[][];
}

export class CsvError extends Error {}

export function tableToDataset(table: CsvTable, spec: DatasetJson) {
  const { header, rows } = table;
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new CsvError(`column "${name}" is not in the CSV header (${header.join(', ')})`);
    return i;
  };
  const labelCol = col(spec.label!);
  const featureNames = spec.features ?? header.filter((h) => h !== spec.label);
  const featureCols = featureNames.map(col);
  const n = rows.length;
  if (n === 0) throw new CsvError('the CSV file has no data rows');
  const features = new Float32Array(n * featureCols.length);
  rows.forEach((row, r) => {
    featureCols.forEach((c, j) => {
      const cell = (row[c] ?? '').trim();
      const v = Number(cell);
      // Row numbers count the header as row 1, as a spreadsheet shows them.
      if (cell === '' || !Number.isFinite(v)) throw new CsvError(`row ${r + 2}, column "${header[c]}": ${cell === '' ? 'empty cell' : `"${cell.slice(0, 40)}" is not a number`}`);
      features[r * featureCols.length + j] = v;
    });
  });
  const rawLabels = rows.map((row, r) => {
    const cell = (row[labelCol] ?? '').trim();
    if (cell === '') throw new CsvError(`row ${r + 2}, column "${header[labelCol]}": empty label`);
    return cell;
  });
  const numeric = rawLabels.every((l) => Number.isFinite(Number(l)));
  let classes = spec.classes;
  const labels = new Float32Array(n);
  if (!classes && numeric) {
    rawLabels.forEach((l, i) => (labels[i] = Number(l)));
  } else {
    classes = classes ? [...classes] : [...new Set(rawLabels)];
    rawLabels.forEach((l, i) => {
      const k = classes!.indexOf(l);
      if (k < 0) throw new CsvError(`row ${i + 2}, column "${header[labelCol]}": label "${l.slice(0, 40)}" is not one of the model's classes (${classes!.join(', ')})`);
      labels[i] = k;
    });
  }
  const d = featureCols.length;
  const stats = spec.normalization ?? columnStats(features, n, d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) features[i * d + j] = (features[i * d + j] - stats.mean[j]) / (stats.std[j] || 1);
  return { n, features, labels, classes, featureNames, normalization: stats };
}

function columnStats(x: Float32Array, n: number, d: number) {
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (x[i * d + j] - mean[j]) ** 2 / n;
  return { mean, std: std.map(Math.sqrt) };
}
