/** 2-D convolution and pooling over NCHW tensors, with PyTorch's output-size rule. */
import { record } from '../autograd';
import type { Conv2dGeometry } from '../backend/backend';
import { ShapeError, formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { B, assertFloat, wrap } from './util';

export type Pair = number | readonly [number, number];
export const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** floor((in + 2·pad − kernel) / stride) + 1, PyTorch's rule (dilation 1). */
export function convOutSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

export function geometry(xShape: readonly number[], outC: number, k: Pair, s: Pair, p: Pair, op: string): Conv2dGeometry {
  if (xShape.length !== 4) throw new ShapeError(`${op}: expected an NCHW input (4 dims), got ${formatShape(xShape)}`);
  const [n, c, h, w] = xShape;
  const [kh, kw] = pair(k),
    [sh, sw] = pair(s),
    [ph, pw] = pair(p);
  const oh = convOutSize(h, kh, sh, ph),
    ow = convOutSize(w, kw, sw, pw);
  if (oh < 1 || ow < 1) throw new ShapeError(windowTooLargeMessage(op, [kh, kw], [ph, pw], [h, w]));
  return { n, c, h, w, outC, kh, kw, sh, sw, ph, pw, oh, ow };
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null, stride: Pair = 1, padding: Pair = 0): Tensor {
  assertFloat(x, 'Conv2d');
  const [outC, inC, kh, kw] = weight.shape;
  if (x.shape[1] !== inC) throw new ShapeError(`Conv2d: input has ${x.shape[1]} channels but weight ${formatShape(weight.shape)} expects ${inC}`);
  const g = geometry(x.shape, outC, [kh, kw], stride, padding, 'Conv2d');
  // The bias is added inside the kernel: one pass over the output instead of a second op reading it back.
  const y = wrap(B().conv2d(x.storage, weight.storage, g, bias?.storage ?? null), [g.n, outC, g.oh, g.ow]);
  const hw = g.oh * g.ow;
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record('Conv2d', inputs, y, (gy) => [
    x.requiresGrad ? wrap(B().conv2dBackwardInput(gy.storage, weight.storage, g), x.shape) : null,
    weight.requiresGrad ? wrap(B().conv2dBackwardWeight(gy.storage, x.storage, g), weight.shape) : null,
    bias?.requiresGrad ? wrap(B().sumTo(gy.storage, [g.n, outC, hw], [outC, 1]), [outC]) : null,
  ]);
}

/** PyTorch refuses pooling padding over half the kernel: a window could then hold nothing but padding. */
function checkPoolPadding(op: string, kernelSize: Pair, padding: Pair): void {
  const [kh, kw] = pair(kernelSize),
    [ph, pw] = pair(padding);
  if (2 * ph > kh || 2 * pw > kw) throw new ShapeError(poolPaddingMessage(op, [kh, kw], [ph, pw]));
}

// The wording of each window error, shared by the ops and the graph's shape inference (engine/layers/conv.ts).

export function poolPaddingMessage(op: string, [kh, kw]: [number, number], [ph, pw]: [number, number]): string {
  return `${op}: padding ${ph}×${pw} must be at most half the kernel ${kh}×${kw} (as in PyTorch)`;
}

export function windowTooLargeMessage(op: string, [kh, kw]: [number, number], [ph, pw]: [number, number], [h, w]: [number, number]): string {
  return `${op}: kernel ${kh}×${kw} (padding ${ph}×${pw}) does not fit the ${h}×${w} input`;
}

export function maxPool2d(x: Tensor, kernelSize: Pair, stride: Pair = kernelSize, padding: Pair = 0): Tensor {
  assertFloat(x, 'MaxPool2d');
  checkPoolPadding('MaxPool2d', kernelSize, padding);
  const g = geometry(x.shape, x.shape[1], kernelSize, stride, padding, 'MaxPool2d');
  const { out, argmax } = B().maxPool2d(x.storage, g);
  const y = wrap(out, [g.n, g.c, g.oh, g.ow]);
  return record('MaxPool2d', [x], y, (gy) => [wrap(B().maxPool2dBackward(gy.storage, argmax, g), x.shape)]);
}

export function avgPool2d(x: Tensor, kernelSize: Pair, stride: Pair = kernelSize, padding: Pair = 0): Tensor {
  assertFloat(x, 'AvgPool2d');
  checkPoolPadding('AvgPool2d', kernelSize, padding);
  const g = geometry(x.shape, x.shape[1], kernelSize, stride, padding, 'AvgPool2d');
  const y = wrap(B().avgPool2d(x.storage, g), [g.n, g.c, g.oh, g.ow]);
  return record('AvgPool2d', [x], y, (gy) => [wrap(B().avgPool2dBackward(gy.storage, g), x.shape)]);
}
