// Reading a CSV dataset file for the command line.
import { readFileSync } from 'node:fs';
import type { CsvTable } from '../engine';
import { CsvParseError, parseCsvText } from '../common/csv';
import { InputError } from './load';

export function readCsvTable(path: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read CSV file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseCsvText(text, path);
  } catch (e) {
    if (e instanceof CsvParseError) throw new InputError(e.message);
    throw e;
  }
}
