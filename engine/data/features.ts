/**
 * Input features of the 2-D sets, as TensorFlow Playground offers them: the model sees, for each point
 * (x1, x2), the features `training.dataset.inputFeatures` names, in that order, instead of the raw pair.
 * The choice is part of the model: the bound Input's size is the number of features, and everything that
 * feeds that Input (the dataset, the command line's feeds, the exported code, the decision-boundary grid)
 * takes the raw x1, x2 and computes the features here, or with the expressions written here.
 */
import { CLASSIFICATION_SETS, REGRESSION_SETS } from './playground';

export interface FeatureDef {
  /** The name in the model file. */
  name: string;
  /** How the panel shows it. */
  label: string;
  /** The value from the raw point. */
  compute: (x1: number, x2: number) => number;
  /** The same value as a TypeScript expression over `x1` and `x2`, for exported code. */
  expr: string;
  /** The raw coordinates `expr` reads. */
  uses: readonly ('x1' | 'x2')[];
}

/** The vocabulary, in Playground's order (the order the panel writes). */
export const FEATURE_DEFS: readonly FeatureDef[] = [
  { name: 'x1', label: 'x₁', compute: (x1) => x1, expr: 'x1', uses: ['x1'] },
  { name: 'x2', label: 'x₂', compute: (_x1, x2) => x2, expr: 'x2', uses: ['x2'] },
  { name: 'x1^2', label: 'x₁²', compute: (x1) => x1 * x1, expr: 'x1 * x1', uses: ['x1'] },
  { name: 'x2^2', label: 'x₂²', compute: (_x1, x2) => x2 * x2, expr: 'x2 * x2', uses: ['x2'] },
  { name: 'x1*x2', label: 'x₁x₂', compute: (x1, x2) => x1 * x2, expr: 'x1 * x2', uses: ['x1', 'x2'] },
  { name: 'sin(x1)', label: 'sin x₁', compute: (x1) => Math.sin(x1), expr: 'Math.sin(x1)', uses: ['x1'] },
  { name: 'sin(x2)', label: 'sin x₂', compute: (_x1, x2) => Math.sin(x2), expr: 'Math.sin(x2)', uses: ['x2'] },
];

export const INPUT_FEATURES: readonly string[] = FEATURE_DEFS.map((f) => f.name);
/** What a model without the key sees: the raw point. */
export const DEFAULT_INPUT_FEATURES: readonly string[] = ['x1', 'x2'];
export const INPUT_FEATURES_KEY = 'training.dataset.inputFeatures';
/** The sets whose samples are 2-D points, the only ones features apply to. */
export const POINT_SETS: readonly string[] = [...CLASSIFICATION_SETS, ...REGRESSION_SETS];

const DEFS = new Map(FEATURE_DEFS.map((f) => [f.name, f]));
export const featureDef = (name: string): FeatureDef | undefined => DEFS.get(name);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/**
 * What is wrong with `training.dataset.inputFeatures` on its own (its names, and the dataset it is used
 * with); empty when it is absent or sound. Whether the Input's size fits is checked where the graph is
 * known (analyze.ts, buildDataset).
 */
export function inputFeaturesProblems(dataset: unknown): string[] {
  if (!isObj(dataset) || dataset.inputFeatures === undefined) return [];
  const list = dataset.inputFeatures;
  const key = INPUT_FEATURES_KEY;
  const problems: string[] = [];
  if (!Array.isArray(list) || list.length === 0) {
    return [`${key} must be a non-empty list of feature names (${INPUT_FEATURES.join(', ')}), found ${show(list)}`];
  }
  const at = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const name = list[i];
    if (typeof name !== 'string' || !DEFS.has(name)) {
      problems.push(`${key}[${i}] ${show(name)} is not an input feature: use ${INPUT_FEATURES.join(', ')}`);
      break;
    }
    if (at.has(name)) {
      problems.push(`${key}[${i}] repeats "${name}" (already at [${at.get(name)}])`);
      break;
    }
    at.set(name, i);
  }
  if (typeof dataset.source === 'string' && !POINT_SETS.includes(dataset.source)) {
    problems.push(`${key} applies only to the generated 2-D sets (${POINT_SETS.join(', ')}), not to the ${show(dataset.source)} dataset: remove it`);
  }
  return problems;
}

/** The features a model's Input receives, or null when it takes the raw points (the key absent or unsound). */
export function readInputFeatures(training: unknown): string[] | null {
  const dataset = isObj(training) ? training.dataset : undefined;
  if (!isObj(dataset) || dataset.inputFeatures === undefined || inputFeaturesProblems(dataset).length) return null;
  return [...(dataset.inputFeatures as string[])];
}

/** The Input node the dataset feeds: `training.dataset.input`, else the model's only Input; undefined when unknown. */
export function boundInputId(training: unknown, inputIds: readonly string[]): string | undefined {
  const dataset = isObj(training) ? training.dataset : undefined;
  const named = isObj(dataset) ? dataset.input : undefined;
  if (typeof named === 'string') return named;
  return inputIds.length === 1 ? inputIds[0] : undefined;
}

/** Features of n raw points: xy is [n, 2] row-major (x1, x2 interleaved); the result is [n, features.length]. */
export function computeFeatures(xy: ArrayLike<number>, n: number, features: readonly string[]): Float32Array {
  const defs = features.map((name) => {
    const d = DEFS.get(name);
    if (!d) throw new Error(`unknown input feature "${name}"`);
    return d.compute;
  });
  const k = defs.length;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const x1 = xy[2 * i],
      x2 = xy[2 * i + 1];
    for (let j = 0; j < k; j++) out[i * k + j] = defs[j](x1, x2);
  }
  return out;
}

/**
 * The transform from raw points to what the model's Input takes, or null when the model takes the raw
 * points. For callers that run the model on points of their own (the decision-boundary grid).
 */
export function featureTransform(training: unknown): ((xy: Float32Array, n: number) => Float32Array) | null {
  const features = readInputFeatures(training);
  return features ? (xy, n) => computeFeatures(xy, n, features) : null;
}

/** `x1, x2, sin(x1)`: a feature list for messages. */
export const featureList = (features: readonly string[]) => features.join(', ');
