// CSV text into the engine's table form, parsed by a maintained CSV library (papaparse). Shared by the
// command line and the extension host; the engine itself stays dependency-free and never parses CSV.
// What a cell must hold is checked by the engine (engine/data/csv.ts); here, only what makes the file
// unreadable as CSV text.
import Papa from 'papaparse';
import type { CsvTable } from '../engine';

export class CsvParseError extends Error {}

export function parseCsvText(text: string, where: string): CsvTable {
  // UTF-16 text (a spreadsheet's "Unicode text") or a binary file read as UTF-8: say so rather than
  // echo it back cell by cell.
  if (text.includes('\u0000')) throw new CsvParseError(`${where}: not a UTF-8 text file (it contains NUL bytes: binary, or UTF-16 text?)`);
  const r = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''));
  // Papaparse counts records from 0; a spreadsheet shows the first as row 1.
  const bad = r.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new CsvParseError(`${where}: CSV error at row ${(bad.row ?? 0) + 1}: ${bad.message}`);
  // Blank records (nothing but spaces and commas) are skipped, keeping each other row's own number.
  const kept: string[][] = [];
  const numbers: number[] = [];
  r.data.forEach((rec, i) => {
    if (rec.some((cell) => cell.trim() !== '')) {
      kept.push(rec);
      numbers.push(i + 1);
    }
  });
  const [header, ...rows] = kept;
  if (!header) throw new CsvParseError(`${where}: the CSV file is empty`);
  return { header: header.map((h) => h.trim()), rows, rowNumbers: numbers.slice(1) };
}
