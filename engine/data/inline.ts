/**
 * The `inline` dataset: rows stored in the model file itself, `training.dataset.rows`, each row the values
 * the bound Input receives for one sample (row-major, as many as the Input holds) followed by its label:
 * `[[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]` is XOR's truth table for an Input [2]. Made for sets small
 * enough to read and check by hand (a truth table, micrograd's single example), so it is capped: larger
 * data belongs in a CSV file. Values are used as written: no normalisation, no shuffling of columns.
 *
 * The rows are checked on their own here (numbers within float32, one length), and against the model when
 * the dataset is built: the row length against the Input, the labels against the Target and its loss.
 */
import { quoteText } from './csv';

export const INLINE_ROWS_KEY = 'training.dataset.rows';
/** At most this many rows, and this many values in all: a model file stays readable and small. */
export const INLINE_MAX_ROWS = 1000;
export const INLINE_MAX_VALUES = 10_000;

/**
 * The fraction held out for validation when `training.validationSplit` is absent: none for inline rows (a
 * truth table of four rows, or micrograd's one example, is the whole task: a row held out would never be
 * learned), a fifth for every other source.
 */
export function defaultValidationSplit(source: unknown): number {
  return source === 'inline' ? 0 : 0.2;
}

const group = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const plural = (n: number, one: string, many = `${one}s`) => `${group(n)} ${n === 1 ? one : many}`;

function found(v: unknown): string {
  if (typeof v === 'string') return quoteText(v);
  if (typeof v === 'number') return String(v);
  const j = JSON.stringify(v);
  return j === undefined ? String(v) : j.length > 40 ? `${j.slice(0, 40)}…` : j;
}

/**
 * What is wrong with `training.dataset.rows` of an inline dataset on its own; empty when the rows are sound.
 * The first problem of each row's shape and the first bad value are reported, not every one of thousands.
 */
export function inlineRowsProblems(rows: unknown): string[] {
  const key = INLINE_ROWS_KEY;
  if (rows === undefined)
    return [`${key} is required for an inline dataset: a list of rows, each the Input's values then the label, e.g. [[0, 0, 0], [0, 1, 1]]`];
  if (!Array.isArray(rows)) return [`${key} must be a list of rows, each the Input's values then the label, found ${found(rows)}`];
  if (rows.length === 0) return [`${key} is empty: an inline dataset needs at least one row`];
  // The caps come first: nothing below walks a hostile file's millions of values.
  if (rows.length > INLINE_MAX_ROWS)
    return [`${key} has ${plural(rows.length, 'row')}; an inline dataset holds at most ${group(INLINE_MAX_ROWS)} (use a CSV file for more)`];
  let values = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!Array.isArray(row)) return [`${key}[${r}] must be a list of numbers (the Input's values, then the label), found ${found(row)}`];
    values += row.length;
    if (values > INLINE_MAX_VALUES)
      return [
        `${key} holds more than ${group(INLINE_MAX_VALUES)} values; an inline dataset holds at most ${group(INLINE_MAX_VALUES)} (use a CSV file for more)`,
      ];
  }
  const width = (rows[0] as unknown[]).length;
  if (width < 2) return [`${key}[0] has ${plural(width, 'value')}: a row needs at least one input value and then the label`];
  for (let r = 1; r < rows.length; r++) {
    const len = (rows[r] as unknown[]).length;
    if (len !== width)
      return [`${key}[${r}] has ${plural(len, 'value')} but ${key}[0] has ${group(width)}: every row holds the Input's values, then the label`];
  }
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as unknown[];
    for (let c = 0; c < width; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) return [`${key}[${r}][${c}] must be a finite number, found ${found(v)}`];
      // Rounded to float32 as the dataset stores it: what would become ±Infinity is refused.
      if (!Number.isFinite(Math.fround(v))) return [`${key}[${r}][${c}] is beyond the float32 range (magnitudes up to about 3.4e38), found ${found(v)}`];
    }
  }
  return [];
}

/** What the labels must be, from the bound Target and the loss it feeds. */
export type LabelRule =
  /** An int32 Target: class indices 0 … classes − 1 (classes unknown when no CrossEntropyLoss reads it). */
  | { kind: 'class'; target: string; classes?: number; loss?: string }
  /** A float32 Target feeding BCEWithLogitsLoss: probabilities in [0, 1]. */
  | { kind: 'probability'; target: string; loss: string }
  /** Any other float32 Target: any value (regression). */
  | { kind: 'value'; target: string };

export class InlineDataError extends Error {}

/**
 * Sound rows (inlineRowsProblems found nothing) as features and labels, checked against the Input's size
 * per sample and the label rule. Throws InlineDataError naming the key, the row and the node.
 */
export function inlineToDataset(rows: number[][], perInput: number, inputId: string, inputShape: readonly number[], rule: LabelRule) {
  const key = INLINE_ROWS_KEY;
  const width = rows[0].length;
  if (width - 1 !== perInput) {
    throw new InlineDataError(
      `${key} have ${plural(width, 'value')} a row (${plural(width - 1, 'input value')} and the label) but Input "${inputId}" has shape [${inputShape.join(', ')}] (${plural(perInput, 'value')}): each row holds the Input's ${group(perInput)}, then the label`,
    );
  }
  const n = rows.length;
  const features = new Float32Array(n * perInput);
  const labels = new Float32Array(n);
  rows.forEach((row, r) => {
    for (let c = 0; c < perInput; c++) features[r * perInput + c] = row[c];
    const y = row[perInput];
    const at = `${key}[${r}][${perInput}]`;
    if (rule.kind === 'class') {
      if (!Number.isInteger(y) || y < 0)
        throw new InlineDataError(`${at}: the label must be a class index (0, 1, 2, …) for the int32 Target "${rule.target}", found ${y}`);
      if (rule.classes !== undefined && y >= rule.classes) {
        throw new InlineDataError(
          `${at}: class ${y} is not one of the ${rule.classes} classes (0 to ${rule.classes - 1}) that ${rule.loss ? `"${rule.loss}" (CrossEntropyLoss)` : 'the model'} scores`,
        );
      }
    } else if (rule.kind === 'probability' && !(y >= 0 && y <= 1)) {
      throw new InlineDataError(`${at}: the label must be from 0 to 1 for "${rule.loss}" (BCEWithLogitsLoss), found ${y}`);
    }
    labels[r] = y;
  });
  let classes: string[] | undefined;
  if (rule.kind === 'class') {
    let count = rule.classes ?? 0;
    for (const y of labels) count = Math.max(count, y + 1);
    classes = Array.from({ length: count }, (_, i) => String(i));
  } else if (rule.kind === 'probability') {
    classes = ['0', '1'];
  }
  return { n, features, labels, classes };
}
