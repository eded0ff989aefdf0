import { registerOp, requireFloat, fail, failDtype, valuesOf } from '../graph/registry';
import { formatType, type TensorType } from '../graph/types';
import { bceWithLogitsLoss, crossEntropyLoss, mseLoss } from '../ops/loss';
import { TRAINING_ONLY } from '../codegen/lowering';

const scalar: TensorType = { shape: [], dtype: 'float32' };

function sameShape([p, t]: readonly TensorType[], op: string): TensorType {
  requireFloat([p, t], op);
  if (p.shape.length !== t.shape.length || p.shape.some((d, i) => d !== t.shape[i])) {
    fail(`${op}: prediction ${formatType(p)} and target ${formatType(t)} must have the same shape`, 1);
  }
  return scalar;
}

registerOp({
  op: 'MSELoss',
  category: 'Losses',
  summary: 'Mean of (prediction − target)².',
  isLoss: true,
  formula: 'ℓ = mean((x − t)²)',
  formulaNote: 'x the prediction, t the target',
  backwardNote: '∂ℓ/∂x = 2 · (x − t) / m, m the number of values',
  attrs: [],
  inputs: { ports: ['prediction', 'target'] },
  infer: (xs) => sameShape(xs, 'MSELoss'),
  forward: ([p, t]) => mseLoss(p, t),
  lower: {
    engine: ({ xs: [p, t] }) => `bp.mseLoss(${p}, ${t})`,
    standalone: TRAINING_ONLY,
    pytorch: { forward: (_n, { xs: [p, t] }) => `F.mse_loss(${p}, ${t})` },
    onnx: TRAINING_ONLY,
  },
  // mean((x − t)²): a subtraction, a square and an add per value, one division. Backward: the mean's scale and the
  // square's 2·(x − t)·dy per value (3), and −dy for a target that wants a gradient.
  flops([p], _a, _y, batch, needsGrad) {
    const n = valuesOf(p, batch);
    return { forward: 3 * n + 1, backward: needsGrad[0] || needsGrad[1] ? 3 * n + (needsGrad[1] ? n : 0) : 0 };
  },
});

registerOp({
  op: 'CrossEntropyLoss',
  category: 'Losses',
  summary: 'Mean of −log softmax(logits)[class]; logits [N, C], int32 classes [N].',
  isLoss: true,
  formula: 'ℓ = −meanₙ log softmax(xₙ)[tₙ]',
  formulaNote: 'x the logits, t the class indices',
  backwardNote: '∂ℓ/∂xₙ = (softmax(xₙ) − onehot(tₙ)) / N',
  attrs: [],
  inputs: { ports: ['prediction', 'target'] },
  infer([p, t]) {
    if (p.dtype !== 'float32') failDtype('CrossEntropyLoss expects float32 logits as its prediction (port 0)', 0, 'float32');
    if (t.dtype !== 'int32') failDtype('CrossEntropyLoss expects int32 class indices as its target (port 1)', 1, 'int32');
    if (p.shape.length !== 2 || p.shape[0] !== 'N') fail(`CrossEntropyLoss expects logits [N, C], found ${formatType(p)}`, 0);
    if (t.shape.length !== 1 || t.shape[0] !== 'N') fail(`CrossEntropyLoss expects class indices [N], found ${formatType(t)}`, 1);
    if (p.shape[1] === 'N') fail('CrossEntropyLoss: the class dimension must be a fixed size', 0);
    return scalar;
  },
  forward: ([p, t]) => crossEntropyLoss(p, t),
  lower: {
    engine: ({ xs: [p, t] }) => `bp.crossEntropyLoss(${p}, ${t})`,
    standalone: TRAINING_ONLY,
    // model.py casts int32 class indices to int64 when they are fed, as cross_entropy needs.
    pytorch: { forward: (_n, { xs: [p, t] }) => `F.cross_entropy(${p}, ${t})` },
    onnx: TRAINING_ONLY,
  },
  // Per logit: the row's max, x − max, exp and the sum (4); per row: log, + max, − the label's logit, and the mean's
  // add (4); one division. Backward recomputes the softmax (4 per logit again), then exp, divide and scale (4 more)
  // and subtracts the label's 1 per row.
  flops([p], _a, _y, batch, needsGrad) {
    const n = valuesOf(p, batch),
      rows = n / (p.shape[1] as number);
    return { forward: 4 * n + 4 * rows + 1, backward: needsGrad[0] ? 8 * n + rows : 0 };
  },
});

registerOp({
  op: 'BCEWithLogitsLoss',
  category: 'Losses',
  summary: 'Mean binary cross-entropy on logits, computed stably.',
  isLoss: true,
  formula: 'ℓ = −mean(t · log σ(x) + (1 − t) · log(1 − σ(x)))',
  formulaNote: 'x the logits, t the targets in [0, 1]',
  backwardNote: '∂ℓ/∂x = (σ(x) − t) / m, m the number of values',
  attrs: [],
  inputs: { ports: ['prediction', 'target'] },
  infer: (xs) => sameShape(xs, 'BCEWithLogitsLoss'),
  forward: ([p, t]) => bceWithLogitsLoss(p, t),
  lower: {
    engine: ({ xs: [p, t] }) => `bp.bceWithLogitsLoss(${p}, ${t})`,
    standalone: TRAINING_ONLY,
    pytorch: { forward: (_n, { xs: [p, t] }) => `F.binary_cross_entropy_with_logits(${p}, ${t})` },
    onnx: TRAINING_ONLY,
  },
  // max(x, 0) − x·t + log(1 + e^−|x|) per value: 8 ops, then the mean's add (and one division). Backward, per value:
  // σ(x) (a comparison, exp, add, divide), (σ − t)·dy, the target's −x·dy (the kernel computes both), and the mean's scale.
  flops([p], _a, _y, batch, needsGrad) {
    const n = valuesOf(p, batch);
    return { forward: 9 * n + 1, backward: needsGrad[0] || needsGrad[1] ? 9 * n : 0 };
  },
});
