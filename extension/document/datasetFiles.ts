/**
 * What a model's dataset needs from disk, read through workspace.fs: the shipped digits, or the model's CSV file
 * (found by the one rule of modelFiles.ts: inside the workspace folder, or the model's folder). Training and the
 * gradient check read it the same way.
 */
import * as vscode from 'vscode';
import { readDatasetSpec, type CsvTable, type ExternalData } from '../../engine';
import { parseCsvText } from '../../common/csv';
import { modelFileUri, readIfExists } from './modelFiles';
import { messageOf } from '../log';

/** What the dataset needs from disk: the digits' bytes, or the CSV file's bytes and table. Throws a one-line Error. */
export async function readDatasetFiles(
  doc: vscode.TextDocument,
  training: unknown,
  digitsFile: string,
): Promise<{ digits?: Uint8Array; csv?: { bytes: Uint8Array; table: CsvTable } }> {
  const { spec, problems } = readDatasetSpec(training);
  if (problems.length) throw new Error(problems[0]);
  if (spec?.source === 'digits') {
    const bytes = await readIfExists(vscode.Uri.file(digitsFile));
    if (!bytes) throw new Error('the digits dataset is missing from the extension');
    return { digits: bytes };
  }
  if (spec?.source === 'csv' && spec.path) {
    const where = modelFileUri(doc.uri, spec.path, 'dataset');
    if ('error' in where) throw new Error(where.error);
    let bytes: Uint8Array | null;
    try {
      bytes = await readIfExists(where.uri);
    } catch (e) {
      throw new Error(`cannot read the CSV file ${spec.path} (${messageOf(e)})`);
    }
    if (!bytes) throw new Error(`cannot read the CSV file ${spec.path}: there is no such file`);
    return { csv: { bytes, table: parseCsvText(new TextDecoder().decode(bytes), spec.path) } };
  }
  return {};
}

/** `training` is the model's training section; `digitsFile` the extension's dist/digits.bin. Throws a one-line Error. */
export async function readExternalData(doc: vscode.TextDocument, training: unknown, digitsFile: string): Promise<ExternalData> {
  const files = await readDatasetFiles(doc, training, digitsFile);
  return files.csv ? { table: files.csv.table } : files.digits ? { digits: files.digits } : {};
}
