// Drawing a weight image (protocol WeightImage) or an output heatmap on a canvas, one pixel a cell (the browser scales
// it up without smoothing): a matrix as rows × cols; kernels as a grid of outChannels rows × inChannels columns of
// small kH × kW images, one pixel apart. One diverging scale, symmetric about 0 so that 0 is always the background:
// −r at --weights-neg, +r at --weights-pos, r = max |value| over the tensor (webview/styles/weights.css).
import type { WeightImage } from '../../protocol/messages';
import { colourAt, rgbOf, type BoundaryColours } from '../training/boundaryDraw';

/** The scale's half-range r: the largest magnitude of the tensor (1 when it is all zeros, so 0 stays the background). */
export function rangeOf(image: Pick<WeightImage, 'min' | 'max'>): number {
  const r = Math.max(Math.abs(image.min), Math.abs(image.max));
  return r > 0 ? r : 1;
}

/** Kernels of a single input channel (a first convolution's) are laid out this many to a row, not one to a row. */
export const KERNELS_PER_ROW = 8;

export interface Layout {
  /** The canvas size in cells. */
  width: number;
  height: number;
  /** Where value k of the image is drawn. */
  at(k: number): [number, number];
  /** The value drawn at (x, y) and the tensor index it stands for, or null (a gap between kernels, off the image). */
  cellAt(x: number, y: number): { k: number; index: number[] } | null;
}

/**
 * Where each value goes: a matrix cell by cell; kernels as tiles one pixel apart, a row of tiles per output channel
 * (one tile per input channel), or, with a single input channel, KERNELS_PER_ROW tiles to a row.
 */
export function layoutOf(image: WeightImage): Layout {
  const { rows, cols } = image;
  if (image.layout === 'kernels') {
    const outs = image.outChannels ?? 0,
      ins = image.inChannels ?? 0;
    const perRow = ins > 1 ? ins : Math.max(1, Math.min(outs, KERNELS_PER_ROW));
    const tiles = outs * ins;
    return {
      width: perRow * (cols + 1) - 1,
      height: Math.ceil(tiles / perRow) * (rows + 1) - 1,
      // Value k is kernel k / (kH·kW) in [out][in] order, cell k mod (kH·kW) of it.
      at(k) {
        const kernel = Math.floor(k / (rows * cols)),
          cell = k % (rows * cols);
        return [(kernel % perRow) * (cols + 1) + (cell % cols), Math.floor(kernel / perRow) * (rows + 1) + Math.floor(cell / cols)];
      },
      cellAt(x, y) {
        const c = x % (cols + 1),
          r = y % (rows + 1);
        const kernel = Math.floor(y / (rows + 1)) * perRow + Math.floor(x / (cols + 1));
        if (x < 0 || y < 0 || c === cols || r === rows || x >= perRow * (cols + 1) || kernel >= tiles) return null;
        return { k: kernel * rows * cols + r * cols + c, index: [Math.floor(kernel / ins), kernel % ins, r, c] };
      },
    };
  }
  return {
    width: cols,
    height: rows,
    at: (k) => [k % cols, Math.floor(k / cols)],
    cellAt: (x, y) => (x < 0 || y < 0 || x >= cols || y >= rows ? null : { k: y * cols + x, index: image.shape.length < 2 ? [x] : [y, x] }),
  };
}

function colours(el: Element, ctx: CanvasRenderingContext2D): BoundaryColours {
  const style = getComputedStyle(el);
  const v = (name: string) => style.getPropertyValue(name).trim();
  const mid = rgbOf(ctx, v('--weights-mid'), [31, 31, 31]);
  return { c0: rgbOf(ctx, v('--weights-neg'), [55, 148, 255]), c1: rgbOf(ctx, v('--weights-pos'), [241, 76, 76]), mid, outline: mid };
}

/** Draws the image into the canvas (sized to it in cells); gaps between kernels stay transparent. */
export function drawImage(canvas: HTMLCanvasElement, image: WeightImage): void {
  const { width, height, at } = layoutOf(image);
  canvas.width = Math.max(1, width);
  canvas.height = Math.max(1, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const c = colours(canvas, ctx);
  const r = rangeOf(image);
  const pixels = ctx.createImageData(canvas.width, canvas.height);
  image.values.forEach((v, k) => {
    const [x, y] = at(k);
    const [red, green, blue] = colourAt(c, v / r);
    const p = 4 * (y * canvas.width + x);
    pixels.data[p] = red;
    pixels.data[p + 1] = green;
    pixels.data[p + 2] = blue;
    pixels.data[p + 3] = 255;
  });
  ctx.putImageData(pixels, 0, 0);
}
