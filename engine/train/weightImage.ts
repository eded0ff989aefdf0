/**
 * A parameter tensor laid out to be drawn as a heatmap: a Linear's weight as its [out, in] matrix, a Conv2d's as
 * one small image per (out, in) kernel, a bias or a normalisation's scale as one row. Large tensors are averaged in
 * blocks (a matrix) or cut to their first channels (kernels), so an image stays a few thousand cells whatever the
 * model; min and max are over every value, so the colour scale's range is the tensor's own.
 */
import { readMany } from '../backend/readback';
import type { GraphModel } from '../graph/model';

/** The most cells an image holds: a matrix at most MATRIX_ROWS × MATRIX_COLS, kernels at most KERNELS_OUT × KERNELS_IN of at most KERNEL_SIDE². */
export const WEIGHT_IMAGE_LIMITS = { matrixRows: 64, matrixCols: 128, kernelsOut: 32, kernelsIn: 16, kernelSide: 11 } as const;

export interface WeightImage {
  /** The tensor's shape. */
  shape: number[];
  /**
   * 'matrix': rows × cols cells, row-major, each the mean of a rowBlock × colBlock block of the tensor seen as
   * [shape[0], the rest] (a vector as one row). 'kernels': a rank-4 [out, in, kH, kW] weight as outChannels × inChannels
   * images of rows × cols (= kH × kW) values each, [out][in][kH][kW] order, of the first outChannels and inChannels.
   */
  layout: 'matrix' | 'kernels';
  rows: number;
  cols: number;
  rowBlock: number;
  colBlock: number;
  outChannels?: number;
  inChannels?: number;
  /** The cells, to 4 significant digits (a non-finite value drawn as 0 and counted in nonFinite). */
  values: number[];
  /** Over every finite value of the tensor, drawn or not. */
  min: number;
  max: number;
  nonFinite?: number;
}

const round4 = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(4)) : 0);

/** How the tensor is drawn, and the image. `data` is the tensor's values, row-major. */
export function weightImage(data: ArrayLike<number>, shape: readonly number[]): WeightImage {
  const L = WEIGHT_IMAGE_LIMITS;
  let min = Infinity,
    max = -Infinity,
    nonFinite = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) min = max = 0;
  const base = { shape: [...shape], min, max, ...(nonFinite ? { nonFinite } : {}) };
  if (shape.length === 4 && shape[2] <= L.kernelSide && shape[3] <= L.kernelSide) {
    const [o, i, kh, kw] = shape;
    const outs = Math.min(o, L.kernelsOut),
      ins = Math.min(i, L.kernelsIn);
    const values: number[] = [];
    for (let a = 0; a < outs; a++) {
      for (let b = 0; b < ins; b++) {
        const at = (a * i + b) * kh * kw;
        for (let k = 0; k < kh * kw; k++) values.push(round4(data[at + k]));
      }
    }
    return { ...base, layout: 'kernels', rows: kh, cols: kw, rowBlock: 1, colBlock: 1, outChannels: outs, inChannels: ins, values };
  }
  const r = shape.length >= 2 ? shape[0] : 1;
  const c = r > 0 ? data.length / r : 0;
  const rowBlock = Math.max(1, Math.ceil(r / L.matrixRows));
  const colBlock = Math.max(1, Math.ceil(c / L.matrixCols));
  const rows = Math.ceil(r / rowBlock),
    cols = Math.ceil(c / colBlock);
  const values: number[] = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let sum = 0,
        n = 0;
      for (let yy = y * rowBlock; yy < Math.min(r, (y + 1) * rowBlock); yy++) {
        for (let xx = x * colBlock; xx < Math.min(c, (x + 1) * colBlock); xx++) {
          const v = data[yy * c + xx];
          if (Number.isFinite(v)) {
            sum += v;
            n++;
          }
        }
      }
      values.push(round4(n ? sum / n : 0));
    }
  }
  return { ...base, layout: 'matrix', rows, cols, rowBlock, colBlock, values };
}

/** How many cells weightImage draws for a tensor of `shape`: what an image costs before its values are read. */
export function weightImageCells(shape: readonly number[]): number {
  const L = WEIGHT_IMAGE_LIMITS;
  if (shape.length === 4 && shape[2] <= L.kernelSide && shape[3] <= L.kernelSide) {
    return Math.min(shape[0], L.kernelsOut) * Math.min(shape[1], L.kernelsIn) * shape[2] * shape[3];
  }
  const size = shape.reduce((p, d) => p * d, 1);
  const r = shape.length >= 2 ? shape[0] : 1;
  const c = r > 0 ? size / r : 0;
  return Math.ceil(r / Math.max(1, Math.ceil(r / L.matrixRows))) * Math.ceil(c / Math.max(1, Math.ceil(c / L.matrixCols)));
}

/** One parameter of a node: its values and, once a step has computed one, its gradient. */
export interface ParamImages {
  /** PyTorch's name (weight, bias) and the state-dict key. */
  name: string;
  key: string;
  value: WeightImage;
  grad?: WeightImage;
}

/**
 * The trainable parameters of one node as images, with their gradients (the last backward's): null when the model
 * has no such node or it has none. The image is of every value (its range is the tensor's), so the parameters are
 * read whole: all of the node's in one read.
 */
export async function nodeWeightImages(model: GraphModel, nodeId: string): Promise<ParamImages[] | null> {
  const info = model.nodes.get(nodeId);
  const params = info?.params.filter((p) => !p.buffer) ?? [];
  if (!params.length) return null;
  const tensors = params.map((p) => model.state.get(p.key)!);
  const data = await readMany(tensors.flatMap((t) => [{ x: t.storage, size: t.size }, ...(t.grad ? [{ x: t.grad.storage, size: t.size }] : [])]));
  let at = 0;
  return params.map((p, k) => {
    const t = tensors[k];
    const images: ParamImages = { name: p.name, key: p.key, value: weightImage(data[at++], t.shape) };
    if (t.grad) images.grad = weightImage(data[at++], t.shape);
    return images;
  });
}
