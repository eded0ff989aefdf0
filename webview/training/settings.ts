// The training panel's settings: what the model's `training` section says, each field's check as the person
// types, and the one setTraining edit a valid change makes. A value the file lacks shows its default as the
// field's placeholder; clearing a field removes the key so the default applies. No DOM here, so Node tests
// use it.
import { CLASSIFICATION_SETS, REGRESSION_SETS } from '../../engine/data/playground';
import { DEFAULT_INPUT_FEATURES, INPUT_FEATURES } from '../../engine/data/features';
import { defaultValidationSplit } from '../../engine/data/inline';
import type { GraphEdit, TrainingValue } from '../../protocol/messages';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const OPTIMIZERS = ['SGD', 'Adam', 'AdamW'] as const;
export const DEFAULT_LR = 0.001;
/** optimizer.weightDecay when the file has none: PyTorch's defaults. */
export const DEFAULT_WEIGHT_DECAY: Readonly<Record<string, number>> = { SGD: 0, Adam: 0, AdamW: 0.01 };

const GENERATED: readonly string[] = [...CLASSIFICATION_SETS, ...REGRESSION_SETS];

export const SOURCE_LABELS: Record<string, string> = {
  circle: 'Circle',
  xor: 'XOR',
  gaussians: 'Two gaussians',
  spiral: 'Spiral',
  'regress-plane': 'Regression: plane',
  'regress-gaussians': 'Regression: gaussians',
  digits: 'Digits (28×28)',
  csv: 'CSV file',
  inline: 'Inline rows',
};
export const SOURCES = Object.keys(SOURCE_LABELS);

/** The rows of an inline dataset the file holds (kept when another source is chosen, so the choice can go back). */
const inlineRows = (t: TrainingRead): number | undefined => (Array.isArray(t.dataset?.rows) ? t.dataset.rows.length : undefined);

/**
 * The sources the dataset dropdown offers: every one, except "Inline rows" unless the file has rows to train on
 * (the panel does not edit rows: the text editor does; an inline dataset without them would not train).
 */
export function sourceChoices(t: TrainingRead): string[] {
  return SOURCES.filter((s) => s !== 'inline' || t.source === 'inline' || inlineRows(t) !== undefined);
}

/** A source's name in the dropdown: inline rows say how many there are. */
export function sourceLabel(t: TrainingRead, source: string): string {
  const rows = source === 'inline' ? inlineRows(t) : undefined;
  return rows === undefined ? (SOURCE_LABELS[source] ?? source) : `${SOURCE_LABELS.inline} (${group(rows)})`;
}

export const isGenerated = (source: unknown): boolean => typeof source === 'string' && GENERATED.includes(source);

/** The `training` section, read leniently (a malformed value reads as absent; the engine reports it). */
export interface TrainingRead {
  raw: Obj | undefined;
  dataset: Obj | undefined;
  optimizer: Obj | undefined;
  source: string | undefined;
  optimizerType: string;
}

export function readTraining(training: unknown): TrainingRead {
  const raw = isObj(training) ? training : undefined;
  const dataset = raw && isObj(raw.dataset) ? raw.dataset : undefined;
  const optimizer = raw && isObj(raw.optimizer) ? raw.optimizer : undefined;
  return {
    raw,
    dataset,
    optimizer,
    source: typeof dataset?.source === 'string' ? dataset.source : undefined,
    optimizerType: typeof optimizer?.type === 'string' ? optimizer.type : 'Adam',
  };
}

/** A checked field value: a value to write, null to remove the key (empty field), or why not. */
export type Parsed = { ok: true; value: TrainingValue | null } | { ok: false; error: string };

export interface FieldSpec {
  key: string;
  label: string;
  /** Where the value lives under `training`. */
  path: readonly string[];
  /** Shown as the empty field's placeholder. */
  placeholder: (t: TrainingRead) => string;
  parse: (text: string, t: TrainingRead) => Parsed;
  /** Whether the field applies to this model (size and noise for generated sets...). */
  shown: (t: TrainingRead) => boolean;
  /** Why the field cannot be edited yet, or null. */
  blocked?: (t: TrainingRead) => string | null;
  doc: string;
  /** A note shown under the field, or null. */
  hint?: (t: TrainingRead) => string | null;
}

const group = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function integer(label: string, min: number, max: number, optional = true) {
  return (text: string): Parsed => {
    const s = text.trim().replace(/[\s_]/g, '');
    if (s === '') return optional ? { ok: true, value: null } : { ok: false, error: `${label} is required.` };
    const v = Number(s);
    if (!NUMBER.test(s) || !Number.isSafeInteger(v)) return { ok: false, error: `${label} must be a whole number, found "${text.trim()}".` };
    if (v < min || v > max) return { ok: false, error: `${label} must be from ${group(min)} to ${group(max)}, found ${v}.` };
    return { ok: true, value: v };
  };
}

function decimal(label: string, ok: (v: number) => boolean, range: string, optional = true) {
  return (text: string): Parsed => {
    const s = text.trim();
    if (s === '') return optional ? { ok: true, value: null } : { ok: false, error: `${label} is required.` };
    const v = Number(s);
    if (!NUMBER.test(s) || !Number.isFinite(v)) return { ok: false, error: `${label} must be a number, found "${s}".` };
    if (!ok(v)) return { ok: false, error: `${label} must be ${range}, found ${v}.` };
    return { ok: true, value: v };
  };
}

function text(label: string, max: number) {
  return (t: string): Parsed => {
    const s = t.trim();
    if (s === '') return { ok: false, error: `${label} is required for a CSV dataset.` };
    if (s.length > max) return { ok: false, error: `${label} is longer than ${max} characters.` };
    return { ok: true, value: s };
  };
}

const needsDataset = (t: TrainingRead) => (t.dataset ? null : 'Choose a dataset first.');

export const FIELDS: readonly FieldSpec[] = [
  {
    key: 'size',
    label: 'Points',
    path: ['dataset', 'size'],
    placeholder: () => '500',
    parse: integer('Points', 2, 1_000_000),
    shown: (t) => t.source === undefined || isGenerated(t.source),
    blocked: needsDataset,
    doc: 'Number of generated points.',
  },
  {
    key: 'noise',
    label: 'Noise',
    path: ['dataset', 'noise'],
    placeholder: () => '0',
    parse: decimal('Noise', (v) => v >= 0 && v <= 1, 'from 0 to 1'),
    shown: (t) => t.source === undefined || isGenerated(t.source),
    blocked: needsDataset,
    doc: '0 to 1 (Playground’s noise ÷ 100).',
  },
  {
    key: 'limit',
    label: 'Digits used',
    path: ['dataset', 'limit'],
    placeholder: () => 'all',
    parse: integer('Digits used', 1, 1_000_000),
    shown: (t) => t.source === 'digits',
    blocked: needsDataset,
    doc: 'The first N digits (balanced).',
  },
  {
    key: 'path',
    label: 'CSV file',
    path: ['dataset', 'path'],
    placeholder: () => 'data.csv',
    parse: text('The CSV file', 1024),
    shown: (t) => t.source === 'csv',
    blocked: needsDataset,
    doc: 'Relative to the model file.',
  },
  {
    key: 'label',
    label: 'Label column',
    path: ['dataset', 'label'],
    placeholder: () => 'label',
    parse: text('The label column', 256),
    shown: (t) => t.source === 'csv',
    blocked: needsDataset,
    doc: 'The column to predict.',
  },
  {
    key: 'lr',
    label: 'Learning rate',
    path: ['optimizer', 'lr'],
    placeholder: (t) => (t.optimizerType === 'SGD' ? 'required' : String(DEFAULT_LR)),
    parse: (s, t) => decimal('Learning rate', (v) => v > 0, 'greater than 0', t.optimizerType !== 'SGD')(s),
    shown: () => true,
    doc: 'Step size of the optimizer.',
  },
  {
    key: 'weightDecay',
    label: 'Weight decay (L2)',
    path: ['optimizer', 'weightDecay'],
    placeholder: (t) => String(DEFAULT_WEIGHT_DECAY[t.optimizerType] ?? 0),
    parse: decimal('Weight decay', (v) => v >= 0, '0 or more'),
    shown: () => true,
    doc: 'L2 regularisation: SGD and Adam add weightDecay·w to each gradient; AdamW shrinks the weights directly (decoupled).',
    hint: (t) => (t.optimizerType === 'AdamW' ? 'Decoupled: applied to the weights, not added to the gradient.' : null),
  },
  {
    key: 'l1',
    label: 'L1 (λ)',
    path: ['l1'],
    placeholder: () => '0',
    parse: decimal('L1', (v) => v >= 0, '0 or more'),
    shown: () => true,
    doc: 'L1 regularisation: adds λ·Σ|w| over the weights of Linear, Conv2d and Embedding layers (not biases or norm layers) to the training loss.',
  },
  {
    key: 'batchSize',
    label: 'Batch size',
    path: ['batchSize'],
    placeholder: () => '32',
    parse: integer('Batch size', 1, 65_536),
    shown: () => true,
    doc: 'Samples per step.',
  },
  {
    key: 'epochs',
    label: 'Epochs',
    path: ['epochs'],
    placeholder: () => '10',
    parse: integer('Epochs', 1, 100_000),
    shown: () => true,
    doc: 'Passes over the training set.',
  },
  {
    key: 'seed',
    label: 'Seed',
    path: ['seed'],
    placeholder: () => '0',
    parse: integer('Seed', 0, Number.MAX_SAFE_INTEGER),
    shown: () => true,
    doc: 'Weights, data, split, shuffling.',
  },
  {
    key: 'validationSplit',
    label: 'Validation',
    path: ['validationSplit'],
    placeholder: (t) => String(defaultValidationSplit(t.source)),
    parse: decimal('Validation', (v) => v >= 0 && v <= 0.9, 'from 0 to 0.9'),
    shown: () => true,
    doc: 'Fraction held out.',
  },
];

/** The value the file has at a field's path (undefined when absent or not a scalar). */
export function fileValue(t: TrainingRead, path: readonly string[]): unknown {
  let v: unknown = t.raw;
  for (const k of path) v = isObj(v) ? v[k] : undefined;
  return v;
}

/** The text a field starts with: the file's value, or empty (the placeholder shows the default). */
export function fieldText(v: unknown): string {
  return typeof v === 'number' || typeof v === 'string' ? String(v) : '';
}

const setTraining = (path: readonly string[], value: TrainingValue | null): GraphEdit => ({ kind: 'setTraining', path: [...path], value });

/**
 * The one edit a committed field value makes, or null when it changes nothing. The learning rate of a model
 * without an `optimizer` object writes the whole object (Adam, the rate), so the file stays valid.
 */
export function fieldEdit(spec: FieldSpec, t: TrainingRead, value: TrainingValue | null): GraphEdit | null {
  if (JSON.stringify(fileValue(t, spec.path) ?? null) === JSON.stringify(value)) return null;
  if (spec.path[0] === 'optimizer' && !t.optimizer) return value === null ? null : setTraining(['optimizer'], { type: 'Adam', [spec.path[1]]: value });
  if (spec.path[0] === 'dataset' && !t.dataset) return null;
  return setTraining(spec.path, value);
}

/** Choosing a dataset: the source key, or a new `dataset` object when the model has none. */
export function sourceEdit(t: TrainingRead, source: string): GraphEdit | null {
  if (!sourceChoices(t).includes(source) || source === t.source) return null;
  return t.dataset ? setTraining(['dataset', 'source'], source) : setTraining(['dataset'], { source });
}

/** Choosing an optimizer: its type, or the whole object when there is none or SGD would lack its rate. */
export function optimizerEdit(t: TrainingRead, type: string): GraphEdit | null {
  if (!(OPTIMIZERS as readonly string[]).includes(type)) return null;
  if (t.optimizer && t.optimizer.type === type) return null;
  if (!t.optimizer) return setTraining(['optimizer'], type === 'Adam' ? { type } : { type, lr: DEFAULT_LR });
  if (type === 'SGD' && typeof t.optimizer.lr !== 'number') {
    const rest = Object.fromEntries(Object.entries(t.optimizer).filter(([k]) => k !== 'type' && k !== 'lr')) as Record<string, TrainingValue>;
    return setTraining(['optimizer'], { type, lr: DEFAULT_LR, ...rest });
  }
  return setTraining(['optimizer', 'type'], type);
}

/**
 * The input features the 2-D sets feed the model: the file's list, or the raw point's x1, x2 (the key's
 * absence). A malformed list reads as what it names that the vocabulary knows (the engine reports the rest).
 */
export function chosenFeatures(t: TrainingRead): string[] {
  const list = t.dataset?.inputFeatures;
  if (!Array.isArray(list)) return [...DEFAULT_INPUT_FEATURES];
  return list.filter((f): f is string => typeof f === 'string' && INPUT_FEATURES.includes(f));
}

/**
 * Turning one feature on or off: the one edit that sets the list (in the vocabulary's order) and the
 * Input's size together, null for none (the last feature cannot be turned off). The raw x1, x2 are written
 * as the key's absence.
 */
export function featureToggleEdit(t: TrainingRead, name: string, on: boolean): GraphEdit | null {
  if (!INPUT_FEATURES.includes(name)) return null;
  const now = chosenFeatures(t);
  const next = INPUT_FEATURES.filter((f) => (f === name ? on : now.includes(f)));
  if (next.length === 0) return null;
  const raw = next.length === DEFAULT_INPUT_FEATURES.length && next.every((f, i) => f === DEFAULT_INPUT_FEATURES[i]);
  const features = raw ? null : next;
  if (JSON.stringify(t.dataset?.inputFeatures ?? null) === JSON.stringify(features)) return null;
  return { kind: 'setInputFeatures', features };
}

/**
 * The settings in one line, for the folded settings section: `Circle · 400 points · Adam, lr 0.01 · batch 16 ·
 * 30 epochs`. Values the file leaves out read as their defaults, as the fields' placeholders show them.
 */
export function settingsSummary(training: unknown): string {
  const t = readTraining(training);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const parts: string[] = [t.source ? (SOURCE_LABELS[t.source] ?? t.source) : 'no dataset'];
  const size = num(t.dataset?.size);
  if (isGenerated(t.source)) parts.push(`${size ?? 500} points`);
  const rows = inlineRows(t);
  if (t.source === 'inline' && rows !== undefined) parts.push(`${group(rows)} row${rows === 1 ? '' : 's'}`);
  const lr = num(t.optimizer?.lr) ?? (t.optimizerType === 'SGD' ? undefined : DEFAULT_LR);
  parts.push(lr === undefined ? t.optimizerType : `${t.optimizerType}, lr ${lr}`);
  parts.push(`batch ${num(t.raw?.batchSize) ?? 32}`);
  const epochs = num(t.raw?.epochs) ?? 10;
  parts.push(`${epochs} epoch${epochs === 1 ? '' : 's'}`);
  return parts.join(' · ');
}
