/** Losses, all mean-reduced as PyTorch's defaults. */
import { record } from '../autograd';
import { ShapeError, formatShape, shapeEq } from '../shape';
import type { Tensor } from '../tensor';
import { sub } from './binary';
import { mean } from './reduce';
import { square } from './unary';
import { B, assertFloat, wrap } from './util';

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (!shapeEq(a.shape, b.shape)) throw new ShapeError(`${op}: prediction ${formatShape(a.shape)} and target ${formatShape(b.shape)} must have the same shape`);
}

export function mseLoss(prediction: Tensor, target: Tensor): Tensor {
  sameShape('MSELoss', prediction, target);
  return mean(square(sub(prediction, target)));
}

/** Mean over the batch of −log softmax(logits)[label]; logits [N, C], labels int32 [N]. */
export function crossEntropyLoss(logits: Tensor, labels: Tensor): Tensor {
  assertFloat(logits, 'CrossEntropyLoss');
  if (labels.dtype !== 'int32') throw new TypeError(`CrossEntropyLoss expects int32 class indices as target, got ${labels.dtype}`);
  if (logits.rank !== 2 || labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new ShapeError(`CrossEntropyLoss: expected logits [N, C] and labels [N], got ${formatShape(logits.shape)} and ${formatShape(labels.shape)}`);
  }
  const [n, c] = logits.shape;
  const perSample = wrap(B().crossEntropy(logits.storage, labels.storage, n, c), [n]);
  const y = wrap(B().scale(B().sum(perSample.storage, [n], [0]), 1 / n, 1), []);
  return record('CrossEntropyLoss', [logits, labels], y, (gy) => [
    wrap(B().crossEntropyBackward(logits.storage, labels.storage, gy.storage, n, c), logits.shape),
    null,
  ]);
}

/** Mean of max(x,0) − x·t + log(1 + e^−|x|), stable for any logit. */
export function bceWithLogitsLoss(logits: Tensor, target: Tensor): Tensor {
  assertFloat(logits, 'BCEWithLogitsLoss');
  assertFloat(target, 'BCEWithLogitsLoss');
  sameShape('BCEWithLogitsLoss', logits, target);
  const elem = wrap(B().bceWithLogits(logits.storage, target.storage, logits.size), logits.shape);
  const perElem = record('BCEWithLogits', [logits, target], elem, (gy) => {
    const [gx, gt] = B().bceWithLogitsBackward(logits.storage, target.storage, gy.storage, logits.size);
    return [wrap(gx, logits.shape), target.requiresGrad ? wrap(gt, target.shape) : null];
  });
  return mean(perElem);
}
