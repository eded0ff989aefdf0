/**
 * The PyTorch export's dataset (docs/export.md, "PyTorch: training with torchrun"): what train.py trains on,
 * computed by the engine at export time so that PyTorch sees exactly the samples, features and train/validation
 * split the editor trains on.
 *
 * - Generated 2-D sets, digits and inline rows: `data.safetensors`, the split already made, keys
 *   `train/<Input id>`, `train/<Target id>`, `validation/<Input id>`, `validation/<Target id>`.
 * - A CSV dataset: the file itself, copied as `data.csv`, which train.py reads with the normalisation and class
 *   list stored in the model (so a larger CSV of the same columns can replace it), and `data.safetensors` holding
 *   only the split (`split/train`, `split/validation`: row indices, as the engine splits that file).
 */
import type { GraphModel } from '../../graph/model';
import { buildDataset, readDatasetSpec, readTrainingSettings, DatasetError, type DatasetJson } from '../../data/spec';
import { splitDataset, type Dataset } from '../../data/dataset';
import { CsvError, type CsvTable } from '../../data/csv';
import { encodeSafetensors, type TensorRecords } from '../../io/safetensors';
import type { ExportPlan } from '../plan';

export const DATA_FILE = 'data.safetensors';
export const CSV_FILE = 'data.csv';

/** What the export reads from disk for the model's dataset; the engine never reads files. */
export interface DatasetFiles {
  /** The shipped digits file's bytes (source "digits"). */
  digits?: Uint8Array;
  /** The CSV file (source "csv"): its bytes, copied beside train.py, and its parsed table. */
  csv?: { bytes: Uint8Array; table: CsvTable };
}

/** How train.py reads its data, and the files that carry it. */
export interface TrainingData {
  /** null: the model has no dataset; train.py then needs --data FILE. */
  spec: DatasetJson | null;
  inputId: string | null;
  targetId: string | null;
  /** Samples in the training and validation sets (for the header). */
  trainCount: number;
  validationCount: number;
  /** Accuracy is measured (the engine's rule: an int32 Target or a dataset with classes). */
  classifier: boolean;
  /** The Input's values are the raw points (x1, x2) and the features are computed in PyTorch. */
  rawPoints: boolean;
  /** CSV: the feature columns, label column, classes and normalisation train.py applies (null: learn them from the file). */
  csv: { features: string[] | null; label: string; classes: string[] | null; normalization: { mean: number[]; std: number[] } | null } | null;
  files: { path: string; contents: Uint8Array }[];
  /** Why the dataset's samples were not exported although the model has one (its file was not read), if so. */
  unread?: string;
}

/** A dataset cannot be built for the export (a missing file, a CSV the model cannot read). */
export class TrainingDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}

const rows = (d: Dataset) => d.n;

/**
 * What buildDataset reads of a model (its nodes' types, its Input and Target ids, its training key), from the plan:
 * a GraphModel would allocate every weight on an engine backend, which code generation neither has nor needs.
 */
function datasetView(plan: ExportPlan): GraphModel {
  const view: Pick<GraphModel, 'nodes' | 'inputIds' | 'targetIds' | 'json'> = {
    nodes: plan.nodes,
    inputIds: plan.inputs,
    targetIds: plan.targets,
    json: plan.model,
  };
  return view as GraphModel;
}

/**
 * The model's dataset as files. `rawPoints`: write the 2-D sets' raw points (x1, x2) for the featured Input instead
 * of its features, for a model.py that computes the features itself.
 */
export function trainingData(plan: ExportPlan, external: DatasetFiles, rawPoints: boolean): TrainingData {
  const { spec, problems } = readDatasetSpec(plan.model.training);
  if (problems.length) throw new TrainingDataError(problems[0]);
  if (!spec) return { spec: null, inputId: null, targetId: null, trainCount: 0, validationCount: 0, classifier: false, rawPoints: false, csv: null, files: [] };
  const settings = readTrainingSettings(plan.model.training);
  const model = datasetView(plan);
  const featured = rawPoints && plan.inputFeatures !== null;

  // A caller of the pure API that did not read the dataset's file (the command line and the editor always do) gets a
  // train.py that asks for --data, and says why.
  const unread =
    spec.source === 'csv' && !external.csv
      ? `the CSV file ${spec.path} was not given to the export`
      : spec.source === 'digits' && !external.digits
        ? 'the digits file was not given to the export'
        : null;
  if (unread)
    return {
      spec: null,
      inputId: spec.input ?? plan.inputs[0] ?? null,
      targetId: spec.target ?? plan.targets[0] ?? null,
      trainCount: 0,
      validationCount: 0,
      classifier: false,
      rawPoints: false,
      csv: null,
      files: [],
      unread,
    };

  if (spec.source === 'csv' && external.csv) {
    // Built once as the engine builds it: the same checks and messages, and the row count the split needs.
    let data: Dataset;
    try {
      data = buildDataset(model, spec, { table: external.csv.table });
    } catch (e) {
      if (e instanceof DatasetError || e instanceof CsvError) throw new TrainingDataError(e.message);
      throw e;
    }
    // The engine's split of the rows, taken by splitting the row numbers themselves.
    const index: Dataset = {
      n: data.n,
      inputs: Float32Array.from({ length: data.n }, (_, i) => i),
      inputShape: [1],
      targets: new Float32Array(data.n),
      targetShape: [],
      targetDtype: 'float32',
    };
    const split = splitDataset(index, settings.validationSplit, settings.seed);
    const tensors: TensorRecords = {
      'split/train': { dtype: 'I32', shape: [split.train.n], data: Int32Array.from(split.train.inputs) },
    };
    if (split.validation) tensors['split/validation'] = { dtype: 'I32', shape: [split.validation.n], data: Int32Array.from(split.validation.inputs) };
    return {
      spec,
      inputId: spec.input ?? model.inputIds[0],
      targetId: spec.target ?? model.targetIds[0],
      trainCount: split.train.n,
      validationCount: split.validation?.n ?? 0,
      classifier: data.targetDtype === 'int32' || !!data.classes,
      rawPoints: false,
      csv: { features: spec.features ?? null, label: spec.label!, classes: spec.classes ?? null, normalization: spec.normalization ?? null },
      files: [
        { path: CSV_FILE, contents: external.csv.bytes },
        { path: DATA_FILE, contents: encodeSafetensors(tensors) },
      ],
    };
  }

  let data: Dataset;
  try {
    data = buildDataset(model, spec, { digits: external.digits });
  } catch (e) {
    if (e instanceof DatasetError) throw new TrainingDataError(e.message);
    throw e;
  }
  const inputId = spec.input ?? model.inputIds[0];
  const targetId = spec.target ?? model.targetIds[0];
  const { train, validation } = splitDataset(data, settings.validationSplit, settings.seed);
  const tensors: TensorRecords = {};
  const put = (part: string, d: Dataset) => {
    tensors[`${part}/${inputId}`] = featured
      ? { dtype: 'F32', shape: [d.n, 2], data: d.raw! }
      : { dtype: 'F32', shape: [d.n, ...d.inputShape], data: d.inputs };
    tensors[`${part}/${targetId}`] =
      d.targetDtype === 'int32'
        ? { dtype: 'I32', shape: [d.n, ...d.targetShape], data: d.targets as Int32Array }
        : { dtype: 'F32', shape: [d.n, ...d.targetShape], data: d.targets as Float32Array };
  };
  put('train', train);
  if (validation) put('validation', validation);
  return {
    spec,
    inputId,
    targetId,
    trainCount: rows(train),
    validationCount: validation ? rows(validation) : 0,
    classifier: data.targetDtype === 'int32' || !!data.classes,
    rawPoints: featured,
    csv: null,
    files: [{ path: DATA_FILE, contents: encodeSafetensors(tensors) }],
  };
}
