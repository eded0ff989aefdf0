import { registerOp, requireFloat, fail, failDtype } from '../graph/registry';
import { formatType, type TensorType } from '../graph/types';
import { bceWithLogitsLoss, crossEntropyLoss, mseLoss } from '../ops/loss';

const scalar: TensorType = { shape: [], dtype: 'float32' };

function sameShape([p, t]: readonly TensorType[], op: string): TensorType {
  requireFloat([p, t], op);
  if (p.shape.length !== t.shape.length || p.shape.some((d, i) => d !== t.shape[i])) {
    fail(`${op}: prediction ${formatType(p)} and target ${formatType(t)} must have the same shape`, 1);
  }
  return scalar;
}

registerOp({
  op: 'MSELoss', category: 'Losses', summary: 'Mean of (prediction − target)².', isLoss: true,
  formula: 'ℓ = mean((x − t)²)', formulaNote: 'x the prediction, t the target',
  backwardNote: '∂ℓ/∂x = 2 · (x − t) / m, m the number of values',
  attrs: [], inputs: { ports: ['prediction', 'target'] },
  infer: (xs) => sameShape(xs, 'MSELoss'),
  forward: ([p, t]) => mseLoss(p, t),
});

registerOp({
  op: 'CrossEntropyLoss', category: 'Losses', summary: 'Mean of −log softmax(logits)[class]; logits [N, C], int32 classes [N].', isLoss: true,
  formula: 'ℓ = −meanₙ log softmax(xₙ)[tₙ]', formulaNote: 'x the logits, t the class indices',
  backwardNote: '∂ℓ/∂xₙ = (softmax(xₙ) − onehot(tₙ)) / N',
  attrs: [], inputs: { ports: ['prediction', 'target'] },
  infer([p, t]) {
    if (p.dtype !== 'float32') failDtype('CrossEntropyLoss expects float32 logits as its prediction (port 0)', 0, 'float32');
    if (t.dtype !== 'int32') failDtype('CrossEntropyLoss expects int32 class indices as its target (port 1)', 1, 'int32');
    if (p.shape.length !== 2 || p.shape[0] !== 'N') fail(`CrossEntropyLoss expects logits [N, C], found ${formatType(p)}`, 0);
    if (t.shape.length !== 1 || t.shape[0] !== 'N') fail(`CrossEntropyLoss expects class indices [N], found ${formatType(t)}`, 1);
    if (p.shape[1] === 'N') fail('CrossEntropyLoss: the class dimension must be a fixed size', 0);
    return scalar;
  },
  forward: ([p, t]) => crossEntropyLoss(p, t),
});

registerOp({
  op: 'BCEWithLogitsLoss', category: 'Losses', summary: 'Mean binary cross-entropy on logits, computed stably.', isLoss: true,
  formula: 'ℓ = −mean(t · log σ(x) + (1 − t) · log(1 − σ(x)))', formulaNote: 'x the logits, t the targets in [0, 1]',
  backwardNote: '∂ℓ/∂x = (σ(x) − t) / m, m the number of values',
  attrs: [], inputs: { ports: ['prediction', 'target'] },
  infer: (xs) => sameShape(xs, 'BCEWithLogitsLoss'),
  forward: ([p, t]) => bceWithLogitsLoss(p, t),
});
