// Drawing the decision boundary, as TensorFlow Playground does: the model's prediction on the host's grid as a
// heatmap (one pixel a cell, scaled up by CSS), and the run's data points over it on a canvas of their own at
// the device's pixel ratio, so they stay crisp while the heatmap is smoothed.
//
// One diverging scale serves both: s in [-1, 1] blends the theme's background (--boundary-mid) at 0 towards
// --boundary-0 at -1 and --boundary-1 at +1. A classifier's P(class 1) maps to s = 2p − 1 (0.5 is the
// background), a regression's predicted value is s itself, clamped (the 2-D regression labels lie in [-1, 1]).
import type { BoundaryMessage, DatasetPointsMessage, PointSet } from '../../protocol/messages';

export type RGB = [number, number, number];

export interface BoundaryColours {
  c0: RGB;
  c1: RGB;
  mid: RGB;
  /** The points' outline: contrasts with both class colours and the background. */
  outline: RGB;
}

/** How strongly the heatmap shows a certain prediction (the points, at full strength, stand out from it). */
export const HEATMAP_STRENGTH = 0.85;

/** A CSS colour as RGB, normalised by a canvas context (which understands every CSS colour syntax). */
export function rgbOf(ctx: CanvasRenderingContext2D, css: string, fallback: RGB): RGB {
  if (!css) return fallback;
  ctx.fillStyle = '#000000';
  ctx.fillStyle = css;
  const s = String(ctx.fillStyle);
  const hex = /^#([0-9a-f]{6})$/i.exec(s);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const rgb = /rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/.exec(s);
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : fallback;
}

/** The theme's boundary colours, as the element's CSS variables give them (webview/styles/training.css). */
export function boundaryColours(el: Element, ctx: CanvasRenderingContext2D): BoundaryColours {
  const style = getComputedStyle(el);
  const v = (name: string) => style.getPropertyValue(name).trim();
  return {
    c0: rgbOf(ctx, v('--boundary-0'), [209, 134, 22]),
    c1: rgbOf(ctx, v('--boundary-1'), [55, 148, 255]),
    mid: rgbOf(ctx, v('--boundary-mid'), [31, 31, 31]),
    outline: rgbOf(ctx, v('--boundary-outline'), [255, 255, 255]),
  };
}

/** The colour of s in [-1, 1] (clamped; NaN is the background) at a strength in [0, 1]. */
export function colourAt(c: BoundaryColours, s: number, strength = 1): RGB {
  const v = Number.isFinite(s) ? Math.min(1, Math.max(-1, s)) : 0;
  const target = v >= 0 ? c.c1 : c.c0;
  const a = Math.abs(v) * strength;
  return [0, 1, 2].map((k) => Math.round(c.mid[k]! + (target[k]! - c.mid[k]!) * a)) as RGB;
}

/** A boundary cell's or a point's value on the diverging scale. */
export const scaleOf = (kind: 'probability' | 'regression' | 'classification' | undefined, value: number): number =>
  kind === 'regression' ? value : 2 * value - 1;

export function drawBoundary(canvas: HTMLCanvasElement, b: BoundaryMessage): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const c = boundaryColours(canvas, ctx);
  const img = ctx.createImageData(b.grid, b.grid);
  for (let i = 0; i < b.grid * b.grid; i++) {
    const rgb = colourAt(c, scaleOf(b.kind, b.values[i]), HEATMAP_STRENGTH);
    img.data[4 * i] = rgb[0];
    img.data[4 * i + 1] = rgb[1];
    img.data[4 * i + 2] = rgb[2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * Radius of a point in CSS pixels for a plot `width` wide: Playground draws 2.5 on 300 px; a small plot gets
 * relatively larger dots, so that a point stays a visible dot and a ring stays a ring.
 */
export const pointRadius = (width: number): number => Math.min(3, Math.max(1.6, width / 60));

const css = (rgb: RGB) => `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;

/**
 * Draws the points on `canvas` (sized here to its displayed box times the pixel ratio): x right and y up over
 * [-extent, extent]², as the heatmap. Training points are filled with a thin outline, validation points rings
 * (their centre left clear), each in its class colour or, for regression, its value's colour.
 */
export function drawPoints(canvas: HTMLCanvasElement, points: DatasetPointsMessage, extent: number, width: number, height: number, dpr: number): void {
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const c = boundaryColours(canvas, ctx);
  const px = (x: number) => ((x + extent) / (2 * extent)) * width;
  const py = (y: number) => ((extent - y) / (2 * extent)) * height;
  const colour = (label: number) => css(colourAt(c, scaleOf(points.kind, points.kind === 'classification' ? (label >= 0.5 ? 1 : 0) : label)));
  const outline = css(c.outline);
  const each = (set: PointSet, draw: (x: number, y: number, fill: string) => void) => {
    for (let i = 0; i < set.label.length; i++) draw(px(set.xy[2 * i]), py(set.xy[2 * i + 1]), colour(set.label[i]));
  };
  const r = pointRadius(width);
  // Validation first: a training point on top of a validation ring stays readable.
  // A ring: the class colour on r ± 0.5, the outline just outside it, so the hole stays r − 0.5 wide.
  each(points.validation, (x, y, fill) => {
    ctx.beginPath();
    ctx.arc(x, y, r + 0.25, 0, 2 * Math.PI);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = outline;
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.lineWidth = 1;
    ctx.strokeStyle = fill;
    ctx.stroke();
  });
  ctx.lineWidth = 0.5;
  ctx.strokeStyle = outline;
  each(points.train, (x, y, fill) => {
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.stroke();
  });
}
