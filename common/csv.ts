// CSV text into the engine's table form, parsed by a maintained CSV library (papaparse). Shared by the
// command line and the extension host; the engine itself stays dependency-free and never parses CSV.
import Papa from 'papaparse';
import type { CsvTable } from '../engine';

export class CsvParseError extends Error {}

export function parseCsvText(text: string, where: string): CsvTable {
  const r = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  // Papaparse counts data rows from 0; a spreadsheet shows the first line as row 1.
  const bad = r.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new CsvParseError(`${where}: CSV error at row ${(bad.row ?? 0) + 1}: ${bad.message}`);
  const [header, ...rows] = r.data;
  if (!header) throw new CsvParseError(`${where}: the CSV file is empty`);
  return { header: header.map((h) => h.trim()), rows };
}
