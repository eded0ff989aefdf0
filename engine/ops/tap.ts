/**
 * An identity whose backward reports the gradient passing through it. The graph runner puts one on each
 * edge only when edge gradients are asked for, so they cost nothing otherwise.
 */
import { record } from '../autograd';
import { Tensor } from '../tensor';

export function tap(x: Tensor, onGrad: (grad: Tensor) => void): Tensor {
  if (!x.requiresGrad) return x;
  const y = new Tensor(x.storage, x.shape, x.dtype);
  return record('Tap', [x], y, (gy) => {
    onGrad(gy);
    return [gy];
  });
}
