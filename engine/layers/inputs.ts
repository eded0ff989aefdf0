import { registerOp } from '../graph/registry';
import type { AttrSpec } from '../graph/attrs';
import type { TensorType } from '../graph/types';
import { FED, TRAINING_ONLY } from '../codegen/lowering';
import * as py from '../codegen/pytorch/lowering';

const attrs: AttrSpec[] = [
  { name: 'shape', type: { kind: 'shape' }, doc: 'Shape of one sample, without the batch dimension.' },
  { name: 'dtype', type: { kind: 'enum', values: ['float32', 'int32'] }, default: 'float32', doc: 'float32 values, or int32 class/embedding indices.' },
];

const sourceType = (a: Record<string, unknown>): TensorType => ({ shape: ['N', ...(a.shape as number[])], dtype: a.dtype as 'float32' | 'int32' });

for (const [op, summary, formula] of [
  ['Input', 'Data fed to the model; the batch is its leading dimension.', 'x = a batch of samples, fed (not computed)'],
  ['Target', 'Labels or target values fed to a loss during training; not needed for inference.', "t = the batch's labels or target values, fed (not computed)"],
] as const) {
  registerOp({
    op,
    category: 'Inputs',
    summary,
    formula,
    attrs,
    inputs: { ports: [] },
    keyAttrs: ['shape', 'dtype'],
    isSource: true,
    infer: (_i, a) => sourceType(a),
    // Fed, not computed.
    flops: () => ({ forward: 0, backward: 0 }),
    forward: () => {
      throw new Error(`${op} nodes are fed, not computed`);
    },
    lower: {
      engine: FED,
      // Inference reads Inputs only; a Target feeds the loss.
      standalone: op === 'Input' ? FED : TRAINING_ONLY,
      pytorch: { forward: (n, { feed }) => py.fed(n, feed) },
      onnx: op === 'Input' ? FED : TRAINING_ONLY,
    },
  });
}
