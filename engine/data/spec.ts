/**
 * The `training.dataset` key of a model: which data trains it and how it binds to the Input and Target
 * nodes. Generated sets and `inline` rows (stored in the model) need nothing else; `digits` needs the
 * shipped digits file and `csv` the parsed table, both handed in as data by the caller (the engine never
 * reads files).
 */
import type { GraphModel } from '../graph/model';
import { CLASSIFICATION_SETS, REGRESSION_SETS, isClassificationSet, playgroundPoints } from './playground';
import type { Dataset } from './dataset';
import { decodeDigits } from './digits';
import { quoteText, tableToDataset, type CsvTable } from './csv';
import { computeFeatures, featureList, inputFeaturesProblems, INPUT_FEATURES_KEY } from './features';
import { defaultValidationSplit, inlineRowsProblems, inlineToDataset, InlineDataError, type LabelRule } from './inline';

export const DATASET_SOURCES = [...CLASSIFICATION_SETS, ...REGRESSION_SETS, 'digits', 'csv', 'inline'] as const;
export type DatasetSource = (typeof DATASET_SOURCES)[number];

export interface DatasetJson {
  source: DatasetSource;
  /** Generated sets: number of points (default 500) and noise in [0, 1] (default 0). */
  size?: number;
  noise?: number;
  /** Generated sets: what the Input receives for each point (features.ts); absent = the raw [x1, x2]. */
  inputFeatures?: string[];
  /** digits: how many of the shipped digits to use (default all). */
  limit?: number;
  /** csv: path relative to the model file, feature columns and the label column. */
  path?: string;
  features?: string[];
  label?: string;
  /** inline: one row a sample, the Input's values then the label (inline.ts). */
  rows?: number[][];
  /** Input and Target node ids to bind (default: the model's only Input / Target). */
  input?: string;
  target?: string;
  /** Learned by the pipeline and stored so inference and export see data the same way. */
  classes?: string[];
  normalization?: { mean: number[]; std: number[] };
}

export interface TrainingSettings {
  batchSize: number;
  epochs: number;
  validationSplit: number;
  seed: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The dataset key checked; a list of messages naming the key at fault, or the spec. */
export function readDatasetSpec(training: unknown): { spec: DatasetJson | null; problems: string[] } {
  const problems: string[] = [];
  if (!isObj(training) || training.dataset === undefined) return { spec: null, problems };
  const d = training.dataset;
  if (!isObj(d)) return { spec: null, problems: ['training.dataset must be an object'] };
  if (!DATASET_SOURCES.includes(d.source as DatasetSource))
    problems.push(`training.dataset.source must be one of ${DATASET_SOURCES.join(', ')}, found ${JSON.stringify(d.source)}`);
  const int = (k: string, min: number, max: number) => {
    if (d[k] !== undefined && !(Number.isSafeInteger(d[k]) && (d[k] as number) >= min && (d[k] as number) <= max))
      problems.push(`training.dataset.${k} must be an integer from ${min} to ${max}, found ${JSON.stringify(d[k])}`);
  };
  int('size', 2, 1_000_000);
  int('limit', 1, 1_000_000);
  if (d.noise !== undefined && !(typeof d.noise === 'number' && d.noise >= 0 && d.noise <= 1))
    problems.push(`training.dataset.noise must be a number from 0 to 1, found ${JSON.stringify(d.noise)}`);
  for (const k of ['input', 'target', 'path', 'label'])
    if (d[k] !== undefined && typeof d[k] !== 'string') problems.push(`training.dataset.${k} must be a string`);
  if (d.features !== undefined && !(Array.isArray(d.features) && d.features.length > 0 && d.features.every((f) => typeof f === 'string')))
    problems.push('training.dataset.features must be a non-empty list of column names');
  checkLearned(d, problems);
  problems.push(...inputFeaturesProblems(d));
  if (d.source === 'csv') {
    if (typeof d.path !== 'string') problems.push('training.dataset.path is required for a csv dataset (relative to the model file)');
    if (typeof d.label !== 'string') problems.push('training.dataset.label is required for a csv dataset (the label column)');
  }
  if (d.source === 'inline') problems.push(...inlineRowsProblems(d.rows));
  return { spec: problems.length ? null : (d as unknown as DatasetJson), problems };
}

/** A value from the model for a message: strings quoted and cut short, numbers as written (1e999: Infinity). */
function found(v: unknown): string {
  if (typeof v === 'string') return quoteText(v);
  if (typeof v === 'number') return String(v);
  const j = JSON.stringify(v);
  return j === undefined ? String(v) : j.length > 40 ? `${j.slice(0, 40)}…` : j;
}

/**
 * The stored `classes` and `normalization` (learned from a CSV file, then editable): their shape here,
 * the length of normalization against the feature count when the table is read (csv.ts).
 */
function checkLearned(d: Record<string, unknown>, problems: string[]) {
  const c = d.classes;
  if (c !== undefined) {
    if (!Array.isArray(c) || c.length === 0) problems.push(`training.dataset.classes must be a non-empty list of class names, found ${found(c)}`);
    else {
      const at = new Map<string, number>();
      for (let i = 0; i < c.length; i++) {
        const name = c[i];
        if (typeof name !== 'string') {
          problems.push(`training.dataset.classes[${i}] must be a string, found ${found(name)}`);
          break;
        }
        if (at.has(name)) {
          problems.push(`training.dataset.classes[${i}] repeats ${quoteText(name)} (already at [${at.get(name)}])`);
          break;
        }
        at.set(name, i);
      }
    }
  }
  const nm = d.normalization;
  if (nm === undefined) return;
  const key = 'training.dataset.normalization';
  if (!isObj(nm)) return void problems.push(`${key} must be an object { "mean": [...], "std": [...] }, found ${found(nm)}`);
  let ok = true;
  for (const k of ['mean', 'std'] as const) {
    const a = nm[k];
    const what = k === 'mean' ? 'finite number' : 'positive finite number';
    if (a === undefined) {
      problems.push(`${key}.${k} is missing: it must be a list of ${what}s, one per feature`);
      ok = false;
    } else if (!Array.isArray(a)) {
      problems.push(`${key}.${k} must be a list of ${what}s, one per feature, found ${found(a)}`);
      ok = false;
    } else {
      const i = a.findIndex((v) => !(typeof v === 'number' && Number.isFinite(v) && (k === 'mean' || v > 0)));
      if (i >= 0) {
        problems.push(`${key}.${k}[${i}] must be a ${what}, found ${found(a[i])}`);
        ok = false;
      }
    }
  }
  const { mean, std } = nm as { mean: unknown[]; std: unknown[] };
  if (ok && mean.length !== std.length) problems.push(`${key}.mean and .std must have the same length, found ${mean.length} and ${std.length}`);
}

export function readTrainingSettings(training: unknown): TrainingSettings {
  const t = (isObj(training) ? training : {}) as Record<string, unknown>;
  const num = (k: string, def: number) => (typeof t[k] === 'number' && Number.isFinite(t[k]) ? (t[k] as number) : def);
  const source = isObj(t.dataset) ? t.dataset.source : undefined;
  return {
    batchSize: Math.max(1, Math.floor(num('batchSize', 32))),
    epochs: Math.max(1, Math.floor(num('epochs', 10))),
    validationSplit: Math.min(0.9, Math.max(0, num('validationSplit', defaultValidationSplit(source)))),
    seed: Math.floor(num('seed', 0)),
  };
}

export interface ExternalData {
  /** The digits file's bytes (see digits.ts), for source "digits". */
  digits?: Uint8Array;
  /** The parsed CSV, for source "csv". */
  table?: CsvTable;
}

export class DatasetError extends Error {}

/** What an inline row's label must be, from the Target's dtype and the loss that reads it. */
function labelRule(model: GraphModel, targetId: string): LabelRule {
  const loss = [...model.nodes.values()].find((n) => n.spec?.isLoss && n.inputs[1] === targetId);
  if (model.nodes.get(targetId)!.type!.dtype === 'int32') {
    if (loss?.spec?.op !== 'CrossEntropyLoss') return { kind: 'class', target: targetId };
    const logits = model.nodes.get(loss.inputs[0] ?? '')?.type?.shape;
    const classes = logits?.at(-1);
    return { kind: 'class', target: targetId, loss: loss.id, ...(typeof classes === 'number' ? { classes } : {}) };
  }
  return loss?.spec?.op === 'BCEWithLogitsLoss' ? { kind: 'probability', target: targetId, loss: loss.id } : { kind: 'value', target: targetId };
}

/** Build the dataset and check it fits the bound Input and Target nodes. */
export function buildDataset(model: GraphModel, spec: DatasetJson, external: ExternalData = {}): Dataset {
  const inputId = spec.input ?? single(model.inputIds, 'Input', 'input');
  const targetId = spec.target ?? single(model.targetIds, 'Target', 'target');
  const inType = model.nodes.get(inputId)?.type;
  const tgtType = model.nodes.get(targetId)?.type;
  if (!inType || model.nodes.get(inputId)!.spec!.op !== 'Input') throw new DatasetError(`training.dataset.input "${inputId}" is not an Input node`);
  if (!tgtType || model.nodes.get(targetId)!.spec!.op !== 'Target') throw new DatasetError(`training.dataset.target "${targetId}" is not a Target node`);
  const inputShape = inType.shape.slice(1) as number[];
  const targetShape = tgtType.shape.slice(1) as number[];
  const seed = readTrainingSettings(model.json.training).seed;

  let features: Float32Array, labels: Float32Array, n: number, nFeatures: number, classification: boolean, classes: string[] | undefined;
  let normalization: { mean: number[]; std: number[] } | undefined;
  let raw: Float32Array | undefined;
  if (spec.source === 'digits') {
    if (!external.digits) throw new DatasetError('the digits dataset file was not provided');
    const d = decodeDigits(external.digits, spec.limit);
    ({ n } = d);
    features = d.pixels;
    labels = d.labels;
    nFeatures = 784;
    classification = true;
    classes = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  } else if (spec.source === 'inline') {
    const problem = inlineRowsProblems(spec.rows)[0];
    if (problem) throw new DatasetError(problem);
    // The Input's dtype and the Target's one value per sample are checked below, as for every source.
    const perInput = inputShape.reduce((a, b) => a * b, 1);
    try {
      ({ n, features, labels, classes } = inlineToDataset(spec.rows!, perInput, inputId, inputShape, labelRule(model, targetId)));
    } catch (e) {
      if (e instanceof InlineDataError) throw new DatasetError(e.message);
      throw e;
    }
    nFeatures = perInput;
    classification = tgtType.dtype === 'int32' || classes !== undefined;
  } else if (spec.source === 'csv') {
    if (!external.table) throw new DatasetError(`the CSV file ${spec.path} was not provided`);
    const t = tableToDataset(external.table, spec);
    ({ n, features, labels, classes, normalization } = t);
    nFeatures = t.featureNames.length;
    classification = !!classes;
  } else {
    const p = playgroundPoints(spec.source, spec.size ?? 500, spec.noise ?? 0, seed);
    ({ n } = p);
    raw = p.x;
    features = spec.inputFeatures ? computeFeatures(p.x, n, spec.inputFeatures) : p.x;
    labels = p.y;
    nFeatures = spec.inputFeatures?.length ?? 2;
    classification = isClassificationSet(spec.source);
    classes = classification ? ['0', '1'] : undefined;
  }

  const perInput = inputShape.reduce((a, b) => a * b, 1);
  if (inType.dtype !== 'float32') throw new DatasetError(`Input "${inputId}" must be float32 for the ${spec.source} dataset`);
  if (perInput !== nFeatures) {
    const chosen = spec.inputFeatures ? ` (${INPUT_FEATURES_KEY}: ${featureList(spec.inputFeatures)})` : '';
    throw new DatasetError(
      `the ${spec.source} dataset has ${nFeatures} features per sample${chosen} but Input "${inputId}" has shape [${inputShape.join(', ')}] (${perInput} values)`,
    );
  }
  const perTarget = targetShape.reduce((a, b) => a * b, 1);
  if (perTarget !== 1)
    throw new DatasetError(
      `Target "${targetId}" must hold one value per sample (shape [] or [1]) for the ${spec.source} dataset, found [${targetShape.join(', ')}]`,
    );
  let targets: Float32Array | Int32Array;
  if (tgtType.dtype === 'int32') {
    if (!classification) throw new DatasetError(`the ${spec.source} dataset is a regression set: Target "${targetId}" must be float32`);
    targets = Int32Array.from(labels);
  } else {
    targets = labels;
  }
  return { n, inputs: features, inputShape, targets, targetShape, targetDtype: tgtType.dtype, classes, normalization, ...(raw ? { raw } : {}) };
}

function single(ids: string[], op: string, key: string): string {
  if (ids.length === 1) return ids[0];
  throw new DatasetError(
    ids.length === 0
      ? `the model has no ${op} node to bind the dataset to`
      : `the model has ${ids.length} ${op} nodes (${ids.join(', ')}): name one in training.dataset.${key}`,
  );
}
