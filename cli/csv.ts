// CSV files for the csv dataset, parsed by a maintained CSV library (papaparse), into the engine's table form.
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { CsvTable } from '../engine';
import { InputError } from './load';

export function parseCsvText(text: string, where: string): CsvTable {
  const r = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const bad = r.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new InputError(`${where}: CSV error at row ${(bad.row ?? 0) + 1}: ${bad.message}`);
  const [header, ...rows] = r.data;
  if (!header) throw new InputError(`${where}: the CSV file is empty`);
  return { header: header.map((h) => h.trim()), rows };
}

export function readCsvTable(path: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read CSV file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseCsvText(text, path);
}
