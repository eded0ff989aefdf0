/**
 * `backprop-studio export`: a model file to TypeScript, PyTorch or ONNX (docs/export.md). The code generation is
 * the engine's (engine/codegen, pure; the ONNX protobuf encoding is common/onnx's); this side reads the model,
 * its sidecar weights and the engine runtime from disk, and writes the files, atomically and never over an
 * existing file without --force.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { exportOnnx } from '../common/onnx/export';
import { GraphValidationError, type GraphError } from '../engine';
import { ExportError, defaultEmbedWeights, exportModel, type EngineRuntime, type ExportTarget } from '../engine/codegen';
import { UsageError } from './args';
import { checkWritable } from './files';
import { writeFileAtomic } from './fs';
import { InputError, readModelAnalysis, readSidecar } from './load';
import { readDatasetSpec, type ModelJson } from '../engine';
import { TrainingDataError, type DatasetFiles } from '../engine/codegen/pytorch/data';
import { readCsvFile } from './csv';
import { datasetPath, external } from './trainDataset';

/** The engine's targets (TypeScript, PyTorch), and `onnx`: one .onnx file. */
export type CliExportTarget = ExportTarget | 'onnx';

export interface ExportArgs {
  modelPath: string;
  target: CliExportTarget;
  out: string;
  force: boolean;
  /** Undefined: embed when the weights are small (defaultEmbedWeights). */
  embedWeights?: boolean;
  engineImport?: string;
  /** Recorded in the generated header. */
  generator: string;
  /** Backprop Studio's version (the ONNX model's producer_version). */
  version: string;
}

const TARGETS: readonly CliExportTarget[] = ['engine', 'standalone', 'pytorch', 'onnx'];

export function parseTarget(v: string | true | undefined): CliExportTarget {
  if (typeof v !== 'string') throw new UsageError('export needs --target engine|standalone|pytorch|onnx');
  if (!(TARGETS as readonly string[]).includes(v)) throw new UsageError(`--target must be engine, standalone, pytorch or onnx, found "${v}"`);
  return v as CliExportTarget;
}

const firstProblem = (errors: readonly GraphError[]) =>
  `${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}`;

/**
 * The engine runtime written beside engine-target exports: dist/engine.mjs and dist/engine.d.mts, found
 * beside the running bundle (dist/cli.js, dist/extension.js) or in ../dist (running from source).
 */
export function readEngineRuntime(from: string = __dirname): EngineRuntime {
  for (const dir of [from, join(from, '..', 'dist')]) {
    const js = join(dir, 'engine.mjs');
    const dts = join(dir, 'engine.d.mts');
    if (existsSync(js) && existsSync(dts)) return { module: readFileSync(js, 'utf8'), declarations: readFileSync(dts, 'utf8') };
  }
  throw new InputError(
    'the engine runtime (dist/engine.mjs and dist/engine.d.mts) is missing: run `npm run build`, or pass --engine-import to use an installed engine',
  );
}

function sameContents(path: string, contents: string | Uint8Array): boolean {
  try {
    const have = readFileSync(path);
    const want = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents;
    return have.length === want.length && Buffer.compare(have, want) === 0;
  } catch {
    return false;
  }
}

/**
 * Export a model. Returns the files written and those already holding exactly the exported contents
 * (left alone, so re-exporting beside an identical runtime needs no --force). Refuses (InputError,
 * exit 1) before writing anything.
 */
export function exportCommand(args: ExportArgs): { written: string[]; unchanged: string[] } {
  const folder = args.target === 'pytorch';
  if (args.target === 'onnx') {
    if (!/\.onnx$/.test(args.out)) throw new UsageError(`--out must name an ONNX file (.onnx), found "${args.out}"`);
  } else if (!folder && (!/\.m?ts$/.test(args.out) || /\.d\.m?ts$/.test(args.out)))
    throw new UsageError(`--out must name a TypeScript file (.ts or .mts), found "${args.out}"`);
  const analysis = readModelAnalysis(args.modelPath);
  // As the other commands: a missing sidecar means "not trained yet".
  const weights = readSidecar(args.modelPath, analysis.model!);
  const runtime = args.target === 'engine' && args.engineImport === undefined ? readEngineRuntime() : undefined;
  let files;
  try {
    if (args.target === 'onnx') {
      files = [{ path: basename(args.out), contents: exportOnnx(analysis, { weights, generator: args.generator, version: args.version }) }];
    } else {
      files = exportModel(analysis, {
        target: args.target,
        weights,
        embedWeights: args.embedWeights ?? defaultEmbedWeights(analysis),
        engineImport: args.engineImport,
        generator: args.generator,
        fileName: basename(args.out),
        runtime,
        ...(folder ? { modelFileName: basename(args.modelPath), dataset: datasetFiles(args.modelPath, analysis.model!) } : {}),
      }).files;
    }
  } catch (e) {
    if (e instanceof GraphValidationError) throw new InputError(`${args.modelPath}: ${firstProblem(e.errors)}`);
    if (e instanceof ExportError) throw new InputError(`${args.modelPath}: cannot export for the ${args.target} target: ${e.message}`);
    if (e instanceof TrainingDataError) throw new InputError(`${args.modelPath}: cannot export train.py's dataset: ${e.message}`);
    throw e;
  }

  const planned = files.map((f) => ({ path: join(folder ? args.out : dirname(args.out), f.path), contents: f.contents }));
  // Every check before the first write: a refusal leaves everything as it was.
  if (folder) prepareFolder(args.out, args.force);
  const changed = planned.filter((f) => !sameContents(f.path, f.contents));
  for (const f of changed) checkWritable(f.path, 'the export');
  if (!args.force) {
    const clash = changed.find((f) => existsSync(f.path));
    if (clash) throw new InputError(`${clash.path} already exists; pass --force to overwrite it`);
  }
  for (const f of changed) writeFileAtomic(f.path, f.contents);
  return { written: changed.map((f) => f.path), unchanged: planned.filter((f) => !changed.includes(f)).map((f) => f.path) };
}

/**
 * The pytorch target writes a folder: an existing one that holds anything is refused without --force (its files
 * could be a project's own); a missing one is created, parents included.
 */
function prepareFolder(dir: string, force: boolean): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new InputError(`cannot export into ${dir}: it is not a folder`);
  if (st && !force && readdirSync(dir).length > 0) throw new InputError(`${dir} already exists and is not empty; pass --force to write into it`);
  if (!st) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new InputError(`cannot create the folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}

/** What the model's dataset needs from disk for train.py: the shipped digits, or the model's CSV file (its bytes and table). */
function datasetFiles(modelPath: string, model: ModelJson): DatasetFiles {
  const { spec } = readDatasetSpec(model.training);
  if (spec?.source === 'digits') return { digits: external(modelPath, 'digits', undefined).digits };
  if (spec?.source === 'csv' && spec.path) return { csv: readCsvFile(datasetPath(modelPath, spec.path)) };
  return {};
}
