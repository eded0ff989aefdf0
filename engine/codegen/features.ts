/**
 * Input features in exported code (training.dataset.inputFeatures, engine/data/features.ts): the module
 * takes raw points x1, x2 for the featured Input and computes the features itself, one readable line per
 * feature written from the vocabulary's own expressions, so the code computes what the dataset does.
 */
import { featureDef } from '../data/features';

/** The generated function's name (a node of this id gets another local name). */
export const FEATURES_FN = 'inputFeatures';

export interface FeaturedInput {
  id: string;
  features: readonly string[];
}

/** `x1, x2, sin(x1)`. */
export const featureNames = (f: FeaturedInput) => f.features.join(', ');

/** The comment after the Input's line: what the local holds and where it comes from. */
export function featureComment(f: FeaturedInput): string {
  return `float32 [N, ${f.features.length}]: ${featureNames(f)}, from the raw [N, 2]`;
}

/** The loop over rows, filling `out` from `xy`; `bang` adds non-null assertions for a typed array of unknown kind. */
function rowLoop(f: FeaturedInput, rows: string, bang: boolean): string[] {
  const k = f.features.length;
  const defs = f.features.map((name) => featureDef(name)!);
  const uses = new Set(defs.flatMap((d) => d.uses));
  const at = (j: number) => (k === 1 ? 'i' : j === 0 ? `${k} * i` : `${k} * i + ${j}`);
  return [
    `  for (let i = 0; i < ${rows}; i++) {`,
    ...(uses.has('x1') ? [`    const x1 = xy[2 * i]${bang ? '!' : ''};`] : []),
    ...(uses.has('x2') ? [`    const x2 = xy[2 * i + 1]${bang ? '!' : ''};`] : []),
    ...defs.map((d, j) => `    out[${at(j)}] = ${d.expr}; // ${d.name}`),
    '  }',
  ];
}

function doc(f: FeaturedInput): string {
  return [
    '/**',
    ` * The input features of Input "${f.id}" (training.dataset.inputFeatures), computed from raw points as the`,
    ` * model's dataset computes them: [N, 2] (x1, x2) → [N, ${f.features.length}] (${featureNames(f)}).`,
    ' */',
  ].join('\n');
}

/** The standalone target's function over Float32Arrays. */
export function standaloneFeaturesSource(f: FeaturedInput): string {
  const k = f.features.length;
  return [
    doc(f),
    `function ${FEATURES_FN}(xy: Float32Array, batch: number): Float32Array {`,
    `  const out = new Float32Array(batch${k === 1 ? '' : ` * ${k}`});`,
    ...rowLoop(f, 'batch', false),
    '  return out;',
    '}',
  ].join('\n');
}

/** The engine target's function over tensors. */
export function engineFeaturesSource(f: FeaturedInput): string {
  const k = f.features.length;
  return [
    doc(f),
    `function ${FEATURES_FN}(raw: bp.Tensor): bp.Tensor {`,
    '  const batch = raw.shape[0]!;',
    '  const xy = raw.dataSync();',
    `  const out = new Float32Array(batch${k === 1 ? '' : ` * ${k}`});`,
    ...rowLoop(f, 'batch', true),
    `  return bp.Tensor.fromData(out, [batch, ${k}]);`,
    '}',
  ].join('\n');
}
