// Reading a CSV dataset file for the command line: a regular file of at most READ_LIMITS.csv bytes.
import type { CsvTable } from '../engine';
import { CsvParseError, parseCsvText } from '../common/csv';
import { InputError, readInput } from './files';

export function readCsvTable(path: string): CsvTable {
  const text = new TextDecoder().decode(readInput(path, 'csv'));
  try {
    return parseCsvText(text, path);
  } catch (e) {
    if (e instanceof CsvParseError) throw new InputError(e.message);
    throw e;
  }
}
