/**
 * `backprop-studio train MODEL.nn.json` (no --feed): trains on the model's own dataset
 * (training.dataset), with a progress line on a terminal, and writes the weights beside the model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  buildDataset,
  encodeSafetensors,
  readDatasetSpec,
  readTrainingSettings,
  splitDataset,
  Trainer,
  TrainingNonFiniteError,
  DatasetError,
  CsvError,
  type DatasetJson,
  type ExternalData,
  type GraphModel,
} from '../engine';
import { DATASET_FILE, resolveContainedPath } from '../common/containment';
import { checkWritable, writeOrRescue } from './files';
import { InputError, NODE_LINKS, sidecarPath } from './load';
import { NonFiniteError } from './commands';
import { readCsvTable } from './csv';

export interface DatasetTrainOptions {
  epochs?: number;
  batchSize?: number;
  /** Where progress goes (stderr); a TTY gets a line rewritten in place. */
  progress: NodeJS.WriteStream;
}

/** What a dataset source needs from disk: the shipped digits, or the model's CSV file (inside its folder tree). */
export function external(modelPath: string, source: string, path: string | undefined): ExternalData {
  if (source === 'digits') {
    const p = join(__dirname, 'digits.bin');
    if (!existsSync(p)) throw new InputError(`the digits dataset is missing (${p}); run npm run build`);
    return { digits: readFileSync(p) };
  }
  if (source === 'csv') return { table: readCsvTable(datasetPath(modelPath, path!)) };
  return {};
}

/** The model's CSV file: `path` resolved inside the model's folder tree, as for its weights (common/containment.ts). */
export function datasetPath(modelPath: string, path: string): string {
  const model = resolve(modelPath);
  const where = resolveContainedPath(model, path, dirname(model), DATASET_FILE, NODE_LINKS);
  if ('error' in where) throw new InputError(`${modelPath}: ${where.error}`);
  return where.path;
}

/** The model's own dataset (training.dataset), whole; a bad dataset or CSV is an InputError naming the model file. */
export function modelDataset(modelPath: string, model: GraphModel, spec: DatasetJson) {
  try {
    return buildDataset(model, spec, external(modelPath, spec.source, spec.path));
  } catch (e) {
    if (e instanceof DatasetError || e instanceof CsvError) throw new InputError(`${modelPath}: ${(e as Error).message}`);
    throw e;
  }
}

export async function trainOnDataset(modelPath: string, model: GraphModel, opts: DatasetTrainOptions) {
  const { spec, problems } = readDatasetSpec(model.json.training);
  if (problems.length) throw new InputError(`${modelPath}: ${problems[0]}`);
  if (!spec) throw new InputError(`${modelPath}: the model has no training.dataset; pass --feed FEED.json, or add a dataset (docs/training.md)`);
  const settings = readTrainingSettings(model.json.training);
  // The weights' destination is checked before the run, not after it.
  const out = sidecarPath(modelPath, model.json);
  checkWritable(out, 'the weights file');
  const epochs = opts.epochs ?? settings.epochs;
  const batchSize = opts.batchSize ?? settings.batchSize;
  const data = modelDataset(modelPath, model, spec);
  const { train, validation } = splitDataset(data, settings.validationSplit, settings.seed);
  const trainer = new Trainer(model, train, validation, { batchSize, epochs, seed: settings.seed });
  const tty = opts.progress.isTTY;
  const started = performance.now();
  let samples = 0;
  let lastDraw = 0;
  const rate = () => samples / Math.max(1e-3, (performance.now() - started) / 1000);
  try {
    while (!trainer.done) {
      const r = await trainer.trainStep();
      samples += r.samples;
      const now = performance.now();
      if (tty && (now - lastDraw > 100 || r.epochEnd)) {
        lastDraw = now;
        const inEpoch = ((r.step - 1) % trainer.stepsPerEpoch) + 1;
        opts.progress.write(
          `\r\x1b[Kepoch ${r.epoch + 1}/${epochs}  step ${inEpoch}/${trainer.stepsPerEpoch}  loss ${r.loss.toFixed(4)}${r.accuracy !== undefined ? `  acc ${(r.accuracy * 100).toFixed(1)}%` : ''}  ${Math.round(rate())} samples/s`,
        );
      }
      if (r.epochEnd) {
        const m = trainer.history.at(-1)!;
        const line = `epoch ${m.epoch + 1}/${epochs}  loss ${m.trainLoss.toFixed(4)}${m.trainAccuracy !== undefined ? `  acc ${(m.trainAccuracy * 100).toFixed(1)}%` : ''}${m.valLoss !== undefined ? `  val_loss ${m.valLoss.toFixed(4)}` : ''}${m.valAccuracy !== undefined ? `  val_acc ${(m.valAccuracy * 100).toFixed(1)}%` : ''}  ${Math.round(rate())} samples/s`;
        opts.progress.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
      }
    }
  } catch (e) {
    if (tty) opts.progress.write('\n');
    if (e instanceof TrainingNonFiniteError) throw new NonFiniteError(`${e.message}; first node in forward order: "${e.nodeId}" (weights not written)`);
    throw e;
  }
  const bytes = encodeSafetensors(await model.stateDict(), { format: 'pt', generator: 'backprop-studio train', epochs: String(epochs) });
  // A write that fails now keeps the trained weights in the temporary folder and says where.
  writeOrRescue(out, bytes, 'the weights file');
  opts.progress.write(`weights written to ${out}\n`);
  return { history: trainer.history, weights: out };
}
