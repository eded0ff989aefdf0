/**
 * Input features in the ONNX graph (training.dataset.inputFeatures, engine/data/features.ts): the featured
 * Input takes raw points [N, 2] (x1, x2), as in the other targets, and the graph computes the features the
 * dataset computes, in the model's order, as [N, k].
 */
import { int, type OnnxAttr } from './model';

export interface FeatureEmitter {
  op(op: string, inputs: readonly string[], attrs?: Record<string, OnnxAttr>): string;
  constant(name: string, dtype: 'int64', dims: readonly number[], values: readonly number[]): string;
}

interface Columns {
  x1: () => string;
  x2: () => string;
}

/** Each feature of the vocabulary as ONNX ops over the raw columns [N, 1]. */
const FEATURE_LOWERINGS: Readonly<Record<string, (c: Columns, e: FeatureEmitter) => string>> = {
  x1: (c) => c.x1(),
  x2: (c) => c.x2(),
  'x1^2': (c, e) => e.op('Mul', [c.x1(), c.x1()]),
  'x2^2': (c, e) => e.op('Mul', [c.x2(), c.x2()]),
  'x1*x2': (c, e) => e.op('Mul', [c.x1(), c.x2()]),
  'sin(x1)': (c, e) => e.op('Sin', [c.x1()]),
  'sin(x2)': (c, e) => e.op('Sin', [c.x2()]),
};

/** The ONNX names of the features a vocabulary entry can lower (for the check that none is missing). */
export const ONNX_FEATURES: readonly string[] = Object.keys(FEATURE_LOWERINGS);

/** The name of the features [N, k] computed from raw points `raw` [N, 2]. */
export function lowerFeatures(raw: string, features: readonly string[], e: FeatureEmitter): string {
  const column = (name: 'x1' | 'x2', index: number) => {
    let value: string | undefined;
    // Gather with a one-element index list keeps the column as [N, 1].
    return () => (value ??= e.op('Gather', [raw, e.constant(name, 'int64', [1], [index])], { axis: int(1) }));
  };
  const cols: Columns = { x1: column('x1', 0), x2: column('x2', 1) };
  const values = features.map((f) => {
    const lower = FEATURE_LOWERINGS[f];
    if (!lower) throw new Error(`input feature "${f}" has no ONNX lowering`);
    return lower(cols, e);
  });
  return values.length === 1 ? values[0] : e.op('Concat', values, { axis: int(1) });
}
