// Reading a CSV dataset file for the command line: a regular file of at most READ_LIMITS.csv bytes.
import type { CsvTable } from '../engine';
import { CsvParseError, parseCsvText } from '../common/csv';
import { InputError, readInput } from './files';

export function readCsvTable(path: string): CsvTable {
  return readCsvFile(path).table;
}

/** The file's bytes and its table (the PyTorch export copies the bytes beside train.py). */
export function readCsvFile(path: string): { bytes: Uint8Array; table: CsvTable } {
  const bytes = readInput(path, 'csv');
  try {
    return { bytes, table: parseCsvText(new TextDecoder().decode(bytes), path) };
  } catch (e) {
    if (e instanceof CsvParseError) throw new InputError(e.message);
    throw e;
  }
}
